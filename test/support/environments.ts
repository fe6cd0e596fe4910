import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { projectRoot } from '../../engine/toolchain/paths.js';
import { uniqueName } from './aws.js';

/** A copy of an example environment under a unique name, in its own working folder. */
export interface EnvironmentCopy {
  /** Working folder: run the CLI here; relative backends and state live below it. */
  cwd: string;
  /** Unique environment name (physical resource names derive from it). */
  name: string;
  /** Folder of the copied environment. */
  dir: string;
}

/**
 * Copies environments/<source> into `<root>/environments/<unique name>` and renames it,
 * so parallel test files never share physical resource names on the one LocalStack.
 * `edit` may change the Environment spec (e.g. its backend).
 */
export function copyExampleEnvironment(root: string, source: string, edit?: (spec: Record<string, unknown>) => void): EnvironmentCopy {
  const name = uniqueName(`e2e${source}`).replace(/-/g, '').slice(0, 24);
  const dir = join(root, 'environments', name);
  mkdirSync(join(root, 'environments'), { recursive: true });
  cpSync(join(projectRoot, 'environments', source), dir, { recursive: true });
  const file = join(dir, 'environment.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['metadata', 'name'], name);
  doc.setIn(['spec', 'backend'], `file://state/${name}`);
  if (edit) {
    const spec = (doc.toJS() as { spec: Record<string, unknown> }).spec;
    edit(spec);
    doc.set('spec', doc.createNode(spec));
  }
  writeFileSync(file, doc.toString());
  scopeAccountWideNames(dir, name);
  return { cwd: root, name, dir };
}

/**
 * SSM parameter and secret names are account-wide and the config template uses them as
 * written, so two copies of one example on the same LocalStack would collide: the copy
 * gets them under its own environment name.
 */
function scopeAccountWideNames(dir: string, env: string): void {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml') && n !== 'environment.yaml')) {
    const doc = parseDocument(readFileSync(join(dir, f), 'utf8'));
    if (doc.getIn(['spec', 'template']) !== 'config') continue;
    for (const kind of ['parameters', 'secrets'] as const) {
      const items = doc.getIn(['spec', 'params', kind]) as { items?: unknown[] } | undefined;
      (items?.items ?? []).forEach((_item, i) => {
        const name = String(doc.getIn(['spec', 'params', kind, i, 'name']));
        doc.setIn(
          ['spec', 'params', kind, i, 'name'],
          kind === 'parameters' ? `/${env}${name.startsWith('/') ? '' : '/'}${name}` : `${env}/${name}`,
        );
      });
    }
    writeFileSync(join(dir, f), doc.toString());
  }
}

/** Rewrites one value in a stack file of a copied environment. */
export function editStack(env: EnvironmentCopy, stack: string, path: (string | number)[], value: unknown): void {
  const file = join(env.dir, `${stack}.yaml`);
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(path, value);
  writeFileSync(file, doc.toString());
}
