import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PROVIDER_NAME, PROVIDER_VERSION } from '../../provider/src/package-name.js';
import { localstackVenv, projectRoot } from './paths.js';
import { findPulumiCli } from './pulumi-env.js';

/** Versions of everything a driftless run depends on; `undefined` when a part is not installed. */
export interface ToolchainVersions {
  driftless: string;
  node: string;
  pulumiCli: string | undefined;
  pulumiSdk: string;
  provider: { name: string; version: string };
  localstack: string | undefined;
}

const require = createRequire(import.meta.url);

function packageVersion(path: string): string {
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/** The Pulumi CLI's own answer to `pulumi version` (what the Automation API checks), without the `v`. */
function pulumiCliVersion(): Promise<string | undefined> {
  const cli = findPulumiCli();
  if (!cli.ok) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(cli.bin, ['version'], { timeout: 15_000, env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: 'true' } }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim().replace(/^v/, ''));
    });
  });
}

/** LocalStack's version from its installed distribution metadata, without starting Python. */
function localstackVersion(): string | undefined {
  try {
    const lib = join(localstackVenv, 'lib');
    for (const python of readdirSync(lib)) {
      const site = join(lib, python, 'site-packages');
      const dist = readdirSync(site).find((d) => /^localstack_core-.+\.dist-info$/.test(d));
      if (dist) return /^localstack_core-(.+)\.dist-info$/.exec(dist)?.[1];
    }
  } catch {
    // No virtualenv yet: setup has not run.
  }
  return undefined;
}

/** Collects the versions `driftless version` prints. */
export async function toolchainVersions(): Promise<ToolchainVersions> {
  return {
    driftless: packageVersion(join(projectRoot, 'package.json')),
    node: process.versions.node,
    pulumiCli: await pulumiCliVersion(),
    pulumiSdk: packageVersion(require.resolve('@pulumi/pulumi/package.json')),
    provider: { name: PROVIDER_NAME, version: PROVIDER_VERSION },
    localstack: localstackVersion(),
  };
}
