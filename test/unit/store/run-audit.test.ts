import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SqliteDaemonStore } from '../../../engine/store/sqlite-daemon-store.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { tempDir } from '../../support/temp.js';

const run = {
  environment: 'dev',
  stack: 'jobs',
  revision: 'abc',
  trigger: 'commit',
  operation: 'up',
  result: 'succeeded',
  changes: {},
  durationMs: 1,
  errorKind: undefined,
  error: undefined,
  reason: 'spec changed',
  startedAt: 't0',
  finishedAt: 't1',
} as const;

describe('the audit trail of runs', () => {
  const dir = tempDir('run-audit');

  it('records author, committer and signer, and reads runs without them as unknown', async () => {
    const store = new SqliteRunStore(join(dir, 'new.db'));
    const signer = { principal: 'ada@example.com', fingerprint: 'SHA256:abc', format: 'ssh' } as const;
    await store.recordRun({ ...run, author: 'Ada <ada@x>', committer: 'Bob <bob@x>', signer });
    await store.recordRun({ ...run, stack: 'other' });
    const [plain, audited] = await store.listRuns();
    expect(audited).toMatchObject({ author: 'Ada <ada@x>', committer: 'Bob <bob@x>', signer });
    expect(plain).not.toHaveProperty('author');
    expect(plain).not.toHaveProperty('signer');
    await store.close();
  });

  it('adds the columns to a file from before them, keeping its runs', async () => {
    const file = join(dir, 'old.db');
    const old = new DatabaseSync(file);
    old.exec(`CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, environment TEXT NOT NULL, stack TEXT NOT NULL,
      revision TEXT NOT NULL, trigger TEXT NOT NULL, operation TEXT NOT NULL, result TEXT NOT NULL, changes TEXT NOT NULL,
      duration_ms INTEGER NOT NULL, error_kind TEXT, error TEXT, reason TEXT, started_at TEXT NOT NULL, finished_at TEXT NOT NULL);
      INSERT INTO runs (environment, stack, revision, trigger, operation, result, changes, duration_ms, started_at, finished_at)
      VALUES ('dev', 'old', 'r0', 'cli', 'up', 'succeeded', '{}', 5, 't', 't');
      CREATE TABLE daemon_environments (environment TEXT PRIMARY KEY, deploy_branch TEXT NOT NULL, revision TEXT NOT NULL,
      valid INTEGER NOT NULL, messages TEXT NOT NULL, updated_at TEXT NOT NULL);
      INSERT INTO daemon_environments VALUES ('dev', 'main', 'r0', 1, '[]', 't');`);
    old.close();

    const store = new SqliteRunStore(file);
    await store.recordRun({ ...run, author: 'Ada <ada@x>' });
    expect((await store.listRuns()).map((r) => [r.stack, r.author])).toEqual([
      ['jobs', 'Ada <ada@x>'],
      ['old', undefined],
    ]);
    await store.close();
    // opening again finds the columns there
    await new SqliteRunStore(file).close();

    const daemon = new SqliteDaemonStore(file);
    expect(await daemon.getEnvironment('dev')).toMatchObject({ revision: 'r0', valid: true });
    expect(await daemon.getEnvironment('dev')).not.toHaveProperty('trust');
    const trust = { trusted: false, reason: 'unsigned', revision: 'r1' };
    await daemon.saveEnvironment({
      environment: 'dev',
      deployBranch: 'main',
      revision: 'r1',
      valid: true,
      messages: [],
      updatedAt: 't',
      trust,
    });
    expect((await daemon.getEnvironment('dev'))?.trust).toEqual(trust);
    await daemon.close();
  });
});
