import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clearDeadBackendLocks, repairInterruptedWrites } from '../../../engine/pulumi/backend-locks.js';
import { tempDir } from '../../support/temp.js';

/** A DIY backend folder with one Pulumi lock file of `dev.web` written by `holder`. */
function backendWithLock(holder: { hostname: string; pid: number }) {
  const dir = tempDir('backend-locks');
  const locks = join(dir, '.pulumi', 'locks', 'organization', 'driftless', 'dev.web');
  mkdirSync(locks, { recursive: true });
  const file = join(locks, 'a1b2.json');
  writeFileSync(file, JSON.stringify({ pid: holder.pid, username: 'ops', hostname: holder.hostname, timestamp: '2026-12-01T10:00:00Z' }));
  return { backend: { url: pathToFileURL(dir).href, pulumiHome: join(dir, 'home') }, file };
}

/** A pid that no process has (above the kernel's default pid_max). */
const DEAD_PID = 4_194_304 + 17;

describe('clearDeadBackendLocks: which Pulumi locks are provably dead', () => {
  it.each([
    { name: 'this host, process gone', holder: { hostname: hostname(), pid: DEAD_PID }, deadHosts: [], cleared: true },
    { name: 'this host, process alive', holder: { hostname: hostname(), pid: process.pid }, deadHosts: [], cleared: false },
    { name: 'another host, nothing known', holder: { hostname: 'replica-b', pid: DEAD_PID }, deadHosts: [], cleared: false },
    {
      name: 'another host whose replica let its stack lock expire',
      holder: { hostname: 'replica-b', pid: 1 },
      deadHosts: ['replica-b'],
      cleared: true,
    },
    { name: 'a third host stays locked', holder: { hostname: 'replica-c', pid: 1 }, deadHosts: ['replica-b'], cleared: false },
    // On this host the pid decides, even when the host is named dead: a live local process keeps its lock.
    {
      name: 'this host named dead, process alive',
      holder: { hostname: hostname(), pid: process.pid },
      deadHosts: [hostname()],
      cleared: false,
    },
  ])('$name → cleared: $cleared', async ({ holder, deadHosts, cleared }) => {
    const { backend, file } = backendWithLock(holder);
    const removed = await clearDeadBackendLocks(backend, 'driftless', 'dev.web', {}, deadHosts);
    expect(removed.length).toBe(cleared ? 1 : 0);
    expect(existsSync(file)).toBe(!cleared);
  });
});

describe('repairInterruptedWrites: a checkpoint a killed CLI left unreadable', () => {
  it('removes an empty metadata sidecar (Pulumi fails with "failed to load checkpoint: EOF" on it) and keeps whole ones', () => {
    const dir = tempDir('interrupted-write');
    const stacks = join(dir, '.pulumi', 'stacks', 'driftless');
    mkdirSync(stacks, { recursive: true });
    writeFileSync(join(stacks, 'dev.web.json'), '{"version":3}');
    writeFileSync(join(stacks, 'dev.web.json.attrs'), '');
    writeFileSync(join(stacks, 'dev.web.json.bak.attrs'), '{"user.content_type":"application/json"}');
    const backend = { url: pathToFileURL(dir).href, pulumiHome: join(dir, 'home') };
    expect(repairInterruptedWrites(backend, 'driftless', 'dev.web')).toEqual([join(stacks, 'dev.web.json.attrs')]);
    expect(existsSync(join(stacks, 'dev.web.json'))).toBe(true);
    expect(existsSync(join(stacks, 'dev.web.json.bak.attrs'))).toBe(true);
    // Nothing left to repair, and S3 has no sidecars.
    expect(repairInterruptedWrites(backend, 'driftless', 'dev.web')).toEqual([]);
    expect(repairInterruptedWrites({ url: 's3://state?region=us-east-1', pulumiHome: dir }, 'driftless', 'dev.web')).toEqual([]);
  });
});
