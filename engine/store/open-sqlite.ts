import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * Opens `file` (creating its directory) on a connection of its own, the way every
 * driftless store does: a 10 s busy timeout, `@name` placeholders bound from `{ name }`
 * (a stray key is a bug, so it throws), and WAL mode, so a reader never waits for a
 * writer and the stores sharing one file (or processes sharing it) work at once.
 */
export function openSqlite(file: string): DatabaseSync {
  mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file, {
    // Sets busy_timeout before the first statement, so switching to WAL below also waits
    // for another connection or process that has the file locked instead of failing.
    timeout: 10_000,
    allowBareNamedParameters: true,
    allowUnknownNamedParameters: false,
  });
  db.exec('PRAGMA journal_mode = WAL');
  return db;
}
