import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pulumiBinDir } from './paths.js';

/** Where Pulumi keeps state and its home folder for one driftless state folder. */
export interface PulumiLocations {
  /** Backend URL, e.g. `file:///abs/state/backend` or `s3://bucket?region=…`. */
  backendUrl: string;
  /** PULUMI_HOME: plugins, credentials, workspace settings. Kept inside the state folder. */
  pulumiHome: string;
}

/** The file backend and PULUMI_HOME under a state folder; creates the folders. */
export function fileBackendLocations(stateDir: string): PulumiLocations {
  const backendDir = join(stateDir, 'backend');
  const pulumiHome = join(stateDir, 'pulumi-home');
  mkdirSync(backendDir, { recursive: true });
  mkdirSync(pulumiHome, { recursive: true });
  return { backendUrl: `file://${backendDir}`, pulumiHome };
}

/**
 * Passphrase used for the passphrase secrets provider when none is configured.
 * It only protects local development state; production sets PULUMI_CONFIG_PASSPHRASE.
 */
export const DEV_PASSPHRASE = 'driftless-local-development';

/**
 * Environment variables every Pulumi process started by driftless gets: no update
 * check and no plugin downloads (the machines are offline and runs must be
 * reproducible), only the plugins driftless names, and a passphrase secrets provider.
 */
export function offlinePulumiEnv(loc: PulumiLocations, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_IGNORE_AMBIENT_PLUGINS: 'true',
    PULUMI_HOME: loc.pulumiHome,
    PULUMI_BACKEND_URL: loc.backendUrl,
    PULUMI_CONFIG_PASSPHRASE: env.PULUMI_CONFIG_PASSPHRASE ?? DEV_PASSPHRASE,
    // Node and AWS SDK runtime warnings (e.g. the SDK's Node-version support notices) are noise in every plugin log line.
    NODE_NO_WARNINGS: '1',
  };
}

/**
 * Path of the Pulumi CLI binary that setup built. Returns an error value (not a
 * throw) so the CLI can print the remedy.
 */
export function findPulumiCli(): { ok: true; dir: string; bin: string } | { ok: false; message: string } {
  const bin = join(pulumiBinDir, 'pulumi');
  if (!existsSync(bin)) {
    return { ok: false, message: `the Pulumi CLI is not installed at ${bin}: run \`npm run setup\`` };
  }
  return { ok: true, dir: pulumiBinDir, bin };
}
