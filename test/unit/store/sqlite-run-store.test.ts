import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { tempDir } from '../../support/temp.js';

describe('SqliteRunStore', () => {
  const dir = tempDir('store');

  it('records runs and lists them newest first, filtered', async () => {
    const store = new SqliteRunStore(join(dir, 'runs.db'));
    const base = {
      environment: 'dev',
      revision: 'abc',
      trigger: 'cli',
      operation: 'up',
      result: 'succeeded',
      changes: { create: 1 },
      durationMs: 10,
      errorKind: undefined,
      error: undefined,
      reason: 'never applied',
      startedAt: 't0',
      finishedAt: 't1',
    } as const;
    await store.recordRun({ ...base, stack: 'a' });
    await store.recordRun({ ...base, stack: 'b', result: 'failed', errorKind: 'provider', error: 'boom' });
    expect((await store.listRuns()).map((r) => r.stack)).toEqual(['b', 'a']);
    expect((await store.listRuns({ stack: 'b' }))[0]).toMatchObject({
      result: 'failed',
      errorKind: 'provider',
      error: 'boom',
      changes: {},
    });
    expect((await store.listRuns({ stack: 'a' }))[0]?.changes).toEqual({ create: 1 });
    await store.close();
    // survives a restart
    const reopened = new SqliteRunStore(join(dir, 'runs.db'));
    expect(await reopened.listRuns({ environment: 'dev' })).toHaveLength(2);
    await reopened.close();
  });

  it('keeps one status per stack', async () => {
    const store = new SqliteRunStore(join(dir, 'status.db'));
    const status = {
      environment: 'dev',
      stack: 'q',
      applied: undefined,
      lastResult: 'failed' as const,
      lastRevision: 'r1',
      lastError: 'x',
    };
    await store.saveStatus(status);
    await store.saveStatus({ ...status, lastResult: 'succeeded', lastError: undefined });
    expect(await store.listStatuses('dev')).toEqual([{ ...status, lastResult: 'succeeded', lastError: undefined }]);
    await store.deleteStatus('dev', 'q');
    expect(await store.getStatus('dev', 'q')).toBeUndefined();
    await store.close();
  });

  it('locks a stack against a live holder and clears the lock of a dead one', async () => {
    const file = join(dir, 'locks.db');
    // Another process takes the lock and exits without releasing it (as a crash would).
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      const { DatabaseSync } = await import('node:sqlite');
      const db = new DatabaseSync(${JSON.stringify(file)});
      db.exec("CREATE TABLE IF NOT EXISTS locks (environment TEXT NOT NULL, stack TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, process_start TEXT NOT NULL, purpose TEXT NOT NULL, acquired_at TEXT NOT NULL, PRIMARY KEY (environment, stack))");
      db.prepare("INSERT INTO locks VALUES ('dev','q',?,?,?,'up','then')").run(process.pid, (await import('node:os')).hostname(), 'x');
    `,
      ],
      { cwd: process.cwd(), encoding: 'utf8' },
    );
    expect(child.status, child.stderr).toBe(0);

    const store = new SqliteRunStore(file);
    const taken = await store.tryLock('dev', 'q', 'up');
    expect(taken.acquired).toBe(true);
    if (taken.acquired) expect(taken.clearedStale?.pid).toBe(child.pid);

    // Now a live holder (this process) has it: a second taker is refused.
    const second = new SqliteRunStore(file);
    const refused = await second.tryLock('dev', 'q', 'up');
    expect(refused).toMatchObject({ acquired: false, heldBy: { pid: process.pid, purpose: 'up' } });
    await store.unlock('dev', 'q');
    expect(await second.tryLock('dev', 'q', 'up')).toEqual({ acquired: true, clearedStale: undefined });
    await second.unlock('dev', 'q');
    await store.close();
    await second.close();
  });

  it('reports a failure as a rejected promise, and closes twice without complaint', async () => {
    const store = new SqliteRunStore(join(dir, 'closed.db'));
    await store.close();
    await store.close();
    // The database is closed: the call rejects instead of throwing where it was made.
    const listed = store.listRuns();
    await expect(listed).rejects.toThrow();
  });
});
