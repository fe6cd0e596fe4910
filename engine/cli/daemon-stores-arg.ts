import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDaemonConfig } from '../config/daemon-config.js';
import { openDaemonStores, type DaemonStores } from '../daemon/daemon-stores.js';
import { formatMessage } from '../load/index.js';
import { createLogger } from '../log/logger.js';
import { defaultStateDir } from '../toolchain/paths.js';

/**
 * The stores a read-only command (`status`, `history`) reads: the daemon's, as its
 * configuration names them (`--config daemon.yaml`: the state folder's SQLite file, or the
 * replicas' PostgreSQL), or the SQLite file of `--state-dir`. Resolves to a message
 * (never throws) when the configuration is invalid or the database cannot be reached.
 */
export async function openStoresFor(
  command: string,
  values: { config?: string | undefined; 'state-dir'?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ok: true; stores: DaemonStores; where: string } | { ok: false; message: string }> {
  const log = createLogger({ level: 'warn', pretty: false });
  if (!values.config) {
    // A state folder is SQLite: the configuration is what names a PostgreSQL.
    const stateDir = resolve(values['state-dir'] ?? defaultStateDir(env));
    const file = join(stateDir, 'driftless.db');
    if (!existsSync(file))
      return {
        ok: false,
        message: `driftless ${command}: no daemon state in ${file} (has the daemon run with this state folder? with replicas, pass --config daemon.yaml)`,
      };
    return { ok: true, stores: await openDaemonStores(undefined, env, stateDir, log), where: file };
  }
  const loaded = await loadDaemonConfig(resolve(values.config), env);
  if (!loaded.ok)
    return { ok: false, message: `${loaded.messages.map(formatMessage).join('\n')}\ndriftless ${command}: the configuration is invalid` };
  const stateDir = resolve(values['state-dir'] ?? loaded.config.stateDir ?? defaultStateDir(env));
  try {
    if (!loaded.config.store.postgres && !existsSync(join(stateDir, 'driftless.db')))
      return {
        ok: false,
        message: `driftless ${command}: no daemon state in ${join(stateDir, 'driftless.db')} (has the daemon run with this configuration?)`,
      };
    const stores = await openDaemonStores(loaded.config.store.postgres, env, stateDir, log, { readOnly: true });
    return {
      ok: true,
      stores,
      where: loaded.config.store.postgres ? `PostgreSQL ($${loaded.config.store.postgres.urlFromEnv})` : `${stateDir}/driftless.db`,
    };
  } catch (e) {
    return { ok: false, message: `driftless ${command}: ${e instanceof Error ? e.message : String(e)}` };
  }
}
