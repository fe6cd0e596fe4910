import { join } from 'node:path';
import { createLogger, type Logger } from '../log/logger.js';
import { PulumiStackRunner } from '../pulumi/pulumi-stack-runner.js';
import { Reconciler } from '../run/reconcile.js';
import type { StackRunner } from '../run/stack-runner.js';
import { SqliteRunStore } from '../store/sqlite-run-store.js';
import type { RunStore } from '../store/run-store.js';
import { defaultStateDir } from '../toolchain/paths.js';

/** The wired engine: one store, one runner, one reconciler, one root logger. */
export interface Engine {
  stateDir: string;
  log: Logger;
  store: RunStore;
  runner: StackRunner;
  reconciler: Reconciler;
  /** Closes the store. */
  close(): Promise<void>;
}

/**
 * Wires the engine's parts. This and the daemon's main are the only places that choose
 * implementations; everything else receives interfaces.
 */
export function openEngine(
  opts: {
    stateDir?: string;
    log?: Logger;
    /** The run store (the daemon's Postgres mode passes the shared one); SQLite in the state folder when absent. */
    store?: RunStore;
    /** Wraps the store every part records through (the daemon's live events observe it). */
    wrapStore?: (store: RunStore) => RunStore;
  } = {},
): Engine {
  const stateDir = opts.stateDir ?? defaultStateDir();
  const log = opts.log ?? createLogger();
  const inner = opts.store ?? new SqliteRunStore(join(stateDir, 'driftless.db'));
  const store = opts.wrapStore ? opts.wrapStore(inner) : inner;
  const runner = new PulumiStackRunner(log);
  const reconciler = new Reconciler({ store, runner, log });
  return { stateDir, log, store, runner, reconciler, close: () => store.close() };
}
