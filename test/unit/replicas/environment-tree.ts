import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A backend every replica reaches (the replicas mode refuses file:// ones). */
export const SHARED_BACKEND = 's3://driftless-test-state?region=us-east-1';

/**
 * Writes `<environmentsDir>/<name>/` as a repository holds it: a valid environment.yaml
 * (on `backend`) and one stack of the built-in `queue` template per name in `stacks`.
 * Returns the environment's folder.
 */
export function writeEnvironment(
  environmentsDir: string,
  name: string,
  opts: { backend?: string; stacks?: readonly string[] } = {},
): string {
  const dir = join(environmentsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'environment.yaml'),
    `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${name} }\nspec:\n  deployBranch: main\n  backend: ${opts.backend ?? SHARED_BACKEND}\n  aws: { region: us-east-1 }\n`,
  );
  for (const stack of opts.stacks ?? ['orders'])
    writeFileSync(
      join(dir, `${stack}.yaml`),
      `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: ${stack} }\nspec:\n  template: queue\n  params: { visibilityTimeoutSeconds: 45 }\n`,
    );
  return dir;
}
