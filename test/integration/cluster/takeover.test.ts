import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WorkQueue } from '../../../engine/cluster/work-queue.js';
import { captureLog, until } from '../../support/cluster-helpers.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-postgres.js';

const here = dirname(fileURLToPath(import.meta.url));
const LEASE_SECONDS = 10;

let pg: TestPostgres;
let child: ChildProcess | undefined;
let parent: WorkQueue | undefined;

beforeAll(async () => {
  pg = await startTestPostgres('cluster_takeover');
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await parent?.stop({ graceful: false });
  await pg?.dispose();
});

/** Starts the child replica; resolves its events as they arrive. */
function startChild(url: string): { events: Array<Record<string, unknown>>; exited: Promise<number | null> } {
  // process.execPath is the repository's Node 24 (the tests run under scripts/on-node.sh).
  const proc = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(here, 'fixtures/ts-resolve.mjs')).href, join(here, 'fixtures/stack-worker-child.ts'), url],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  child = proc;
  const events: Array<Record<string, unknown>> = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => events.push(JSON.parse(line) as Record<string, unknown>));
  const stderr: string[] = [];
  proc.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      if (code !== null && code !== 0) process.stderr.write(`child replica exited ${code}:\n${stderr.join('')}`);
      resolve(code);
    }),
  );
  return { events, exited };
}

it('a replica killed mid-job (SIGKILL) loses the job to a live replica once its lease lapses', async () => {
  const url = await pg.createDatabase('takeover');
  const { log, text: logText } = captureLog();
  parent = await WorkQueue.start({
    url,
    leaseSeconds: LEASE_SECONDS,
    log,
    instanceName: 'parent',
    tuning: { pollMs: 100, superviseIntervalSeconds: 1, stackRetryDelaySeconds: 1 },
  });
  const id = await parent.enqueueStack({
    environment: 'prod',
    stack: 'network',
    revision: 'b'.repeat(40),
    operation: 'up',
    trigger: 'commit',
    budgetKey: '111111111111/eu-west-1',
  });

  const { events, exited } = startChild(url);
  await until(() => events.some((e) => e.event === 'started'), 20_000, 'the child replica to take the job');
  expect(events.find((e) => e.event === 'started')).toMatchObject({ id, attempt: 0 });

  // Now a second replica works the queue too; the child's heartbeats keep the job its own
  // for longer than one lease.
  const parentRuns: Array<{ at: number; attempt: number }> = [];
  parent.workStacks({ concurrency: 1, budget: { default: 10, overrides: {} } }, async (_job, ctx) => {
    parentRuns.push({ at: Date.now(), attempt: ctx.attempt });
    return { ranOn: 'parent', attempt: ctx.attempt };
  });
  await new Promise((r) => setTimeout(r, (LEASE_SECONDS + 2) * 1000));
  expect(parentRuns).toEqual([]);
  expect(events.some((e) => e.event === 'aborted')).toBe(false);

  child!.kill('SIGKILL');
  const killedAt = Date.now();
  await exited;

  const done = await parent.awaitStacks([id], { pollMs: 100, signal: AbortSignal.timeout(60_000) });
  expect(done.get(id)).toEqual({ state: 'completed', output: { ranOn: 'parent', attempt: 1 } });
  expect(parentRuns).toHaveLength(1);
  const takeoverMs = parentRuns[0]!.at - killedAt;
  // The last heartbeat was at most a third of the lease before the kill; the supervisor fails
  // the job once it is a lease old (checked every second), and the retry waits 1 s.
  console.log(`takeover ${takeoverMs} ms after SIGKILL (lease ${LEASE_SECONDS} s)`);
  expect(takeoverMs).toBeGreaterThan((LEASE_SECONDS / 2) * 1000);
  expect(takeoverMs).toBeLessThan(3 * LEASE_SECONDS * 1000);
  expect(logText()).not.toContain(pg.password);
});
