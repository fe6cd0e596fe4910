import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironment, loadEnvironments } from '../../../engine/load/index.js';

describe('loadEnvironments on the examples', () => {
  it('returns both environments, stacks in dependency order, defaults applied', async () => {
    const r = await loadEnvironments('environments');
    expect(r.messages).toEqual([]);
    expect(r.environments.map((e) => e.name)).toEqual(['dev', 'prod']);
    const prod = r.environments[1]!;
    expect(prod.file).toBe('environments/prod/environment.yaml');
    expect(prod.stacks.map((s) => s.name)).toEqual([
      'app-config',
      'data-key',
      'archive-bucket',
      'orders-queue',
      'orders-topic',
      'worker-role',
    ]);
    expect(prod.graph.dependents['orders-queue']).toEqual(['orders-topic', 'worker-role']);
    const queue = prod.stacks.find((s) => s.name === 'orders-queue')!;
    expect(queue.template).toBe('queue');
    expect(queue.file).toBe('environments/prod/orders-queue.yaml');
    // Template defaults are applied to params, envelope defaults to the spec.
    expect(queue.spec.params).toMatchObject({ visibilityTimeoutSeconds: 120, delaySeconds: 0, fifo: false });
    expect(queue.spec.drift).toEqual({ mode: 'remediate' });
    expect(r.environments[0]!.spec).toMatchObject({ prune: true, parallelism: 4, notifications: [] });
  });

  it('reports a missing folder as a message, never a throw', async () => {
    const r = await loadEnvironments('test/fixtures/does-not-exist');
    expect(r).toEqual({
      environments: [],
      messages: [
        {
          file: 'test/fixtures/does-not-exist',
          line: 1,
          col: 1,
          path: '',
          message: 'environments folder does not exist',
          severity: 'error',
        },
      ],
    });
    const one = await loadEnvironment('test/fixtures/does-not-exist/dev');
    expect(one.environment).toBeUndefined();
    expect(one.messages.map((m) => m.message)).toContain('environment folder does not exist');
  });
});

describe('file system guards', () => {
  it('refuses a symlinked stack file, so no document is pulled from outside the repository', async () => {
    const root = mkdtempSync(join(tmpdir(), 'driftless-symlink-'));
    try {
      cpSync('environments/dev', join(root, 'dev'), { recursive: true });
      symlinkSync('/etc/hostname', join(root, 'dev', 'stolen.yaml'));
      const r = await loadEnvironment(join(root, 'dev'));
      expect(r.environment).toBeUndefined();
      expect(r.messages).toEqual([
        {
          file: relative(process.cwd(), join(root, 'dev', 'stolen.yaml')),
          line: 1,
          col: 1,
          path: '',
          message: 'symbolic links are not followed: put the document itself in the environment folder',
          severity: 'error',
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
