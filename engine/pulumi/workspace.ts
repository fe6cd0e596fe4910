import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalWorkspace, PulumiCommand, type ProjectSettings, type PulumiFn, type Stack } from '@pulumi/pulumi/automation/index.js';
import { findPulumiCli, offlinePulumiEnv, type PulumiLocations } from '../toolchain/pulumi-env.js';
import { pulumiBinDir, providerPluginDir } from '../toolchain/paths.js';
import { PROVIDER_NAME } from '../../provider/src/package-name.js';
import type { PluginUse } from '../model/index.js';
import { installProgramIsolation } from './program-isolation.js';

/** Name of driftless's own AWS resource provider; defined beside the provider, which needs it too. */
export { PROVIDER_NAME };

/** Everything needed to select one inline-program stack. */
export interface InlineStackTarget {
  projectName: string;
  stackName: string;
  program: PulumiFn;
  locations: PulumiLocations;
  /** Working folder of the workspace; created if missing (LocalWorkspace needs it to exist). */
  workDir: string;
  /**
   * Extra variables for the CLI and the plugins it starts (e.g. AWS_ENDPOINT_URL, AWS_REGION):
   * provider configuration does not reach a Node provider's configure usefully, the
   * process environment does.
   */
  envVars?: Record<string, string>;
  /** `passphrase` (default) or a cloud KMS URL such as `awskms://alias/driftless?region=us-east-1`. */
  secretsProvider?: string;
  /** Resource plugins registered by path; the bundled driftless-aws plugin when absent. */
  plugins?: PluginUse | undefined;
}

/**
 * `ProjectSettings` lacks the `plugins` field that the CLI honours; this adds it so the
 * driftless-aws plugin is found by path instead of by download.
 */
type ProjectSettingsWithPlugins = ProjectSettings & {
  plugins?: { providers?: { name: string; path: string }[] };
};

let cachedCommand: Promise<PulumiCommand> | undefined;

/** The Pulumi CLI that setup built, wrapped for the Automation API (looked up once). */
export function pulumiCommand(): Promise<PulumiCommand> {
  const found = findPulumiCli();
  if (!found.ok) return Promise.reject(new Error(found.message));
  // root is the install folder holding bin/pulumi; the version check is done by setup.
  cachedCommand ??= PulumiCommand.get({ root: join(pulumiBinDir, '..'), skipVersionCheck: true });
  return cachedCommand;
}

/**
 * Creates or selects an inline-program stack with driftless's offline defaults: the
 * built CLI, the given backend, the passphrase secrets provider and the driftless-aws
 * plugin found by path.
 */
export async function selectInlineStack(t: InlineStackTarget): Promise<Stack> {
  // Concurrent programs in this process must fail only on their own errors.
  installProgramIsolation();
  mkdirSync(t.workDir, { recursive: true });
  // A file backend's folder must exist before Pulumi opens it.
  if (t.locations.backendUrl.startsWith('file://')) mkdirSync(fileURLToPath(t.locations.backendUrl), { recursive: true });
  const projectSettings: ProjectSettingsWithPlugins = {
    name: t.projectName,
    runtime: 'nodejs',
    backend: { url: t.locations.backendUrl },
    plugins: {
      providers: (t.plugins?.plugins ?? [{ name: PROVIDER_NAME, path: providerPluginDir }]).map((p) => ({ name: p.name, path: p.path })),
    },
  };
  const env = offlinePulumiEnv(t.locations);
  // The operator may let Pulumi download plugins no template package brought (plugins.acquire).
  if (t.plugins?.acquire) delete env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION;
  return LocalWorkspace.createOrSelectStack(
    { projectName: t.projectName, stackName: t.stackName, program: t.program },
    {
      workDir: t.workDir,
      pulumiCommand: await pulumiCommand(),
      projectSettings,
      secretsProvider: t.secretsProvider ?? 'passphrase',
      envVars: { ...env, ...t.envVars },
    },
  );
}
