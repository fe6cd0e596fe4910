import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { tempDir } from '../../support/temp.js';

describe('SqliteRunStore', () => {
  const dir = tempDir('store');

  it('records runs and lists them newest first, filtered', () => {
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
    store.recordRun({ ...base, stack: 'a' });
    store.recordRun({ ...base, stack: 'b', result: 'failed', errorKind: 'provider', error: 'boom' });
    expect(store.listRuns().map((r) => r.stack)).toEqual(['b', 'a']);
    expect(store.listRuns({ stack: 'b' })[0]).toMatchObject({ result: 'failed', errorKind: 'provider', error: 'boom', changes: {} });
    expect(store.listRuns({ stack: 'a' })[0]?.changes).toEqual({ create: 1 });
    store.close();
    // survives a restart
    const reopened = new SqliteRunStore(join(dir, 'runs.db'));
    expect(reopened.listRuns({ environment: 'dev' })).toHaveLength(2);
    reopened.close();
  });

  it('keeps one status per stack', () => {
    const store = new SqliteRunStore(join(dir, 'status.db'));
    const status = {
      environment: 'dev',
      stack: 'q',
      applied: undefined,
      lastResult: 'failed' as const,
      lastRevision: 'r1',
      lastError: 'x',
    };
    store.saveStatus(status);
    store.saveStatus({ ...status, lastResult: 'succeeded', lastError: undefined });
    expect(store.listStatuses('dev')).toEqual([{ ...status, lastResult: 'succeeded', lastError: undefined }]);
    store.deleteStatus('dev', 'q');
    expect(store.getStatus('dev', 'q')).toBeUndefined();
    store.close();
  });

  it('locks a stack against a live holder and clears the lock of a dead one', () => {
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
    const taken = store.tryLock('dev', 'q', 'up');
    expect(taken.acquired).toBe(true);
    if (taken.acquired) expect(taken.clearedStale?.pid).toBe(child.pid);

    // Now a live holder (this process) has it: a second taker is refused.
    const second = new SqliteRunStore(file);
    const refused = second.tryLock('dev', 'q', 'up');
    expect(refused).toMatchObject({ acquired: false, heldBy: { pid: process.pid, purpose: 'up' } });
    store.unlock('dev', 'q');
    expect(second.tryLock('dev', 'q', 'up')).toEqual({ acquired: true, clearedStale: undefined });
    second.unlock('dev', 'q');
    store.close();
    second.close();
  });
});
