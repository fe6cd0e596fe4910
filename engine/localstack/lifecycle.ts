import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultStateDir, localstackVenv } from '../toolchain/paths.js';

/** The AWS services driftless uses; all of them work offline in host mode. */
export const DEFAULT_SERVICES = ['s3', 'sqs', 'sns', 'iam', 'sts', 'ssm', 'secretsmanager', 'kms', 'logs', 'events'];

/** Where and how to run LocalStack. */
export interface LocalStackOptions {
  /** Loopback port of the gateway. Default: DRIFTLESS_LOCALSTACK_PORT or 4566. */
  port?: number;
  services?: string[];
  /** State folder holding the pid file and LocalStack's log. */
  stateDir?: string;
  /** Virtualenv with localstack-core installed (default: the one setup links). */
  venvDir?: string;
  /** How long to wait for health after starting. */
  readyTimeoutMs?: number;
}

/** A running LocalStack, either found or started by this call. */
export interface LocalStackHandle {
  endpoint: string;
  port: number;
  /** true when this process started it; only then may `stop` stop it. */
  startedHere: boolean;
  pid: number | undefined;
  /** Service name → state as reported by /_localstack/health. */
  services: Record<string, string>;
  version: string;
  /** Stops LocalStack if this handle started it; otherwise does nothing. */
  stop(): Promise<void>;
}

/** Result of a lifecycle call: errors are values, so callers decide how to report them. */
export type LocalStackResult<T> = { ok: true; value: T } | { ok: false; message: string };

interface Health {
  services: Record<string, string>;
  version: string;
}

/** Resolves options against the environment and defaults. */
function resolved(opts: LocalStackOptions) {
  const port = opts.port ?? Number(process.env.DRIFTLESS_LOCALSTACK_PORT ?? 4566);
  const stateDir = join(opts.stateDir ?? defaultStateDir(), 'localstack');
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    services: opts.services ?? DEFAULT_SERVICES,
    stateDir,
    pidFile: join(stateDir, `localstack-${port}.pid`),
    logFile: join(stateDir, `localstack-${port}.log`),
    venvDir: opts.venvDir ?? localstackVenv,
    readyTimeoutMs: opts.readyTimeoutMs ?? 60_000,
  };
}

/** The endpoint URL for a port (default from the environment). */
export function localstackEndpoint(port?: number): string {
  return resolved({ ...(port === undefined ? {} : { port }) }).endpoint;
}

/** Asks /_localstack/health; undefined when nothing healthy answers. */
export async function probeHealth(endpoint: string): Promise<Health | undefined> {
  try {
    const res = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as Partial<Health>;
    return { services: body.services ?? {}, version: body.version ?? 'unknown' };
  } catch {
    return undefined;
  }
}

function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Services the caller asked for that LocalStack does not report as available/running. */
function missingServices(health: Health, wanted: string[]): string[] {
  return wanted.filter((s) => !['available', 'running'].includes(health.services[s] ?? ''));
}

/**
 * Starts LocalStack on a loopback port unless one is already healthy there, and waits
 * for it. A LocalStack found running is reused and never stopped by this handle.
 */
export async function ensureLocalStack(opts: LocalStackOptions = {}): Promise<LocalStackResult<LocalStackHandle>> {
  const r = resolved(opts);
  const handle = (health: Health, startedHere: boolean, pid: number | undefined): LocalStackHandle => ({
    endpoint: r.endpoint,
    port: r.port,
    startedHere,
    pid,
    services: health.services,
    version: health.version,
    stop: async () => {
      if (startedHere) await stopLocalStack(opts);
    },
  });

  const existing = await probeHealth(r.endpoint);
  if (existing) {
    const missing = missingServices(existing, r.services);
    if (missing.length > 0) {
      return { ok: false, message: `LocalStack at ${r.endpoint} is running without these services: ${missing.join(', ')}` };
    }
    return { ok: true, value: handle(existing, false, readPid(r.pidFile)) };
  }

  const python = join(r.venvDir, 'bin', 'python');
  if (!existsSync(python)) {
    return { ok: false, message: `the LocalStack virtualenv is missing (${r.venvDir}): run \`npm run setup\`` };
  }
  mkdirSync(r.stateDir, { recursive: true });
  const stalePid = readPid(r.pidFile);
  if (stalePid !== undefined && isAlive(stalePid)) {
    // Started by another driftless process that is still booting it: wait for that one.
    return waitForHealth(r, handle, stalePid, false);
  }

  const out = openSync(r.logFile, 'a');
  const child = spawn(python, ['-m', 'localstack.runtime.main'], {
    cwd: r.stateDir,
    detached: true, // its own process group, so stop() can end it and its children
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      GATEWAY_LISTEN: `127.0.0.1:${r.port}`,
      SERVICES: r.services.join(','),
      SKIP_SSL_CERT_DOWNLOAD: '1',
      DISABLE_EVENTS: '1',
      DNS_ADDRESS: '0',
      SQS_ENDPOINT_STRATEGY: 'path',
      LOCALSTACK_HOST: `127.0.0.1:${r.port}`,
      FILESYSTEM_ROOT: join(r.stateDir, `fs-${r.port}`),
    },
  });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) return { ok: false, message: `could not start LocalStack with ${python}` };
  writeFileSync(r.pidFile, String(child.pid));
  return waitForHealth(r, handle, child.pid, true);
}

async function waitForHealth(
  r: ReturnType<typeof resolved>,
  make: (h: Health, startedHere: boolean, pid: number | undefined) => LocalStackHandle,
  pid: number,
  startedHere: boolean,
): Promise<LocalStackResult<LocalStackHandle>> {
  const deadline = Date.now() + r.readyTimeoutMs;
  while (Date.now() < deadline) {
    const health = await probeHealth(r.endpoint);
    if (health && missingServices(health, r.services).length === 0) {
      return { ok: true, value: make(health, startedHere, pid) };
    }
    if (!isAlive(pid)) {
      rmSync(r.pidFile, { force: true });
      return { ok: false, message: `LocalStack exited during start-up; see ${r.logFile}` };
    }
    await sleep(250);
  }
  return { ok: false, message: `LocalStack did not become healthy at ${r.endpoint} within ${r.readyTimeoutMs} ms; see ${r.logFile}` };
}

/** What `status` reports. */
export interface LocalStackStatus {
  endpoint: string;
  running: boolean;
  /** true when a driftless pid file owns the running instance. */
  managedByDriftless: boolean;
  pid: number | undefined;
  version: string | undefined;
  services: Record<string, string>;
}

/** Reports whether LocalStack answers on the port and whether driftless started it. */
export async function localstackStatus(opts: LocalStackOptions = {}): Promise<LocalStackStatus> {
  const r = resolved(opts);
  const health = await probeHealth(r.endpoint);
  const pid = readPid(r.pidFile);
  const managed = pid !== undefined && isAlive(pid);
  return {
    endpoint: r.endpoint,
    running: health !== undefined,
    managedByDriftless: managed,
    pid: managed ? pid : undefined,
    version: health?.version,
    services: Object.fromEntries(Object.entries(health?.services ?? {}).filter(([, s]) => s !== 'disabled')),
  };
}

/**
 * Stops the LocalStack that driftless started on this port (recorded in its pid file).
 * One that driftless did not start is left alone: `stopped: false` says so.
 */
export async function stopLocalStack(opts: LocalStackOptions = {}): Promise<{ stopped: boolean; reason: string }> {
  const r = resolved(opts);
  const pid = readPid(r.pidFile);
  if (pid === undefined || !isAlive(pid)) {
    rmSync(r.pidFile, { force: true });
    const foreign = await probeHealth(r.endpoint);
    return {
      stopped: false,
      reason: foreign ? `LocalStack at ${r.endpoint} was not started by driftless; left running` : `no LocalStack running at ${r.endpoint}`,
    };
  }
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  };
  signalGroup('SIGTERM');
  for (let i = 0; i < 60 && isAlive(pid); i++) await sleep(250);
  if (isAlive(pid)) signalGroup('SIGKILL');
  rmSync(r.pidFile, { force: true });
  return { stopped: true, reason: `stopped LocalStack (pid ${pid}) at ${r.endpoint}` };
}
