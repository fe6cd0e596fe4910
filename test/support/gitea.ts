import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { toolsDir } from '../../engine/toolchain/paths.js';

/** Where `npm run setup` links the Gitea it builds from Go modules (tools/gitea-version). */
export const giteaHome = join(toolsDir, 'gitea');
export const giteaBinary = join(giteaHome, 'gitea');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A real Gitea on loopback for the tests: a temporary WORK_PATH, SQLite, no SSH, no
 * frontend assets, webhooks to loopback allowed; an admin user `ops` and an access token
 * made with the gitea CLI. Throws, loudly, when the binary is missing.
 */
export class TestGitea {
  readonly user = 'ops';
  readonly password = 'driftless-test-password-1';
  token = '';
  url = '';
  private proc: ChildProcess | undefined;
  private port = 0;
  private readonly ini: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly work: string) {
    if (!existsSync(giteaBinary) || !existsSync(join(giteaHome, 'options')))
      throw new Error(
        `Gitea is not installed at ${giteaBinary} (with its options/ folder beside it). Run \`npm run setup\`: it builds Gitea from Go modules once per machine (~10 min) and links it there.`,
      );
    this.ini = join(work, 'app.ini');
    this.env = {
      PATH: process.env.PATH,
      HOME: work,
      GITEA_WORK_DIR: work,
      // The machines run the tests as root; Gitea refuses that unless told.
      GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT: 'true',
    };
  }

  private cli(...args: string[]): string {
    return execFileSync(giteaBinary, ['--config', this.ini, ...args], { env: this.env, encoding: 'utf8', cwd: this.work }).trim();
  }

  /** Writes app.ini, starts Gitea, waits for /api/healthz, creates the admin and a token. */
  async start(): Promise<void> {
    mkdirSync(this.work, { recursive: true });
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const secret = (kind: string) => execFileSync(giteaBinary, ['generate', 'secret', kind], { env: this.env, encoding: 'utf8' }).trim();
    const w = this.work;
    writeFileSync(
      this.ini,
      [
        'APP_NAME = driftless-test',
        'RUN_MODE = prod',
        `WORK_PATH = ${w}`,
        '[server]',
        'HTTP_ADDR = 127.0.0.1',
        `HTTP_PORT = ${this.port}`,
        `ROOT_URL = ${this.url}/`,
        `STATIC_ROOT_PATH = ${giteaHome}`,
        `APP_DATA_PATH = ${join(w, 'data')}`,
        'DISABLE_SSH = true',
        'OFFLINE_MODE = true',
        'LFS_START_SERVER = false',
        '[database]',
        'DB_TYPE = sqlite3',
        `PATH = ${join(w, 'gitea.db')}`,
        '[repository]',
        `ROOT = ${join(w, 'repos')}`,
        'DEFAULT_BRANCH = main',
        '[security]',
        'INSTALL_LOCK = true',
        'ALLOWED_HOST_LIST = loopback',
        `SECRET_KEY = ${secret('SECRET_KEY')}`,
        `INTERNAL_TOKEN = ${secret('INTERNAL_TOKEN')}`,
        '[service]',
        'DISABLE_REGISTRATION = true',
        '[log]',
        'LEVEL = Warn',
        `ROOT_PATH = ${join(w, 'log')}`,
        '[cron]',
        'ENABLED = false',
        '',
      ].join('\n'),
    );
    await this.run();
    this.cli(
      'admin',
      'user',
      'create',
      '--admin',
      '--username',
      this.user,
      '--password',
      this.password,
      '--email',
      'ops@example.com',
      '--must-change-password=false',
    );
    this.token = this.cli(
      'admin',
      'user',
      'generate-access-token',
      '--username',
      this.user,
      '--token-name',
      'e2e',
      '--scopes',
      'all',
      '--raw',
    );
  }

  /** (Re)starts the process on the same port and waits until it is healthy. */
  async run(): Promise<void> {
    const out = openSync(join(this.work, 'gitea.out'), 'a');
    this.proc = spawn(giteaBinary, ['web', '--config', this.ini], { env: this.env, cwd: this.work, stdio: ['ignore', out, out] });
    const proc = this.proc;
    let exited: number | null | undefined;
    proc.once('exit', (code) => {
      exited = code;
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited !== undefined) throw new Error(`gitea exited at start (code ${exited}); see ${join(this.work, 'gitea.out')}`);
      try {
        if ((await fetch(`${this.url}/api/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return;
      } catch {}
      if (Date.now() > deadline) throw new Error(`gitea did not become healthy within 60 s; see ${join(this.work, 'gitea.out')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Kills the process at once, synchronously (a forge that drops off mid-work). */
  killNow(): void {
    this.proc?.kill('SIGKILL');
  }

  /** Stops the process (the data stays, so run() brings the same instance back). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p) return;
    const gone = new Promise((r) => {
      if (p.exitCode !== null || p.signalCode !== null) r(undefined);
      else p.once('exit', r);
    });
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }

  /** An API call as the admin; throws on a non-2xx answer. */
  async api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: { authorization: `token ${this.token}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`gitea ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** An HTTP clone URL carrying the token (for git push). */
  cloneUrl(repo: string): string {
    return `http://${this.user}:${this.token}@127.0.0.1:${this.port}/${this.user}/${repo}.git`;
  }
}
