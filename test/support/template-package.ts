import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { projectRoot } from '../../engine/toolchain/paths.js';

/** The example template package of this repository, as an operator gets it. */
export const EXAMPLE_PACKAGE = '@acme/driftless-templates';

/** Its folder in this repository. */
export const examplePackageDir = join(projectRoot, 'examples', 'template-package');

/**
 * The npm that ships with the Node running the tests (the project's Node 24, see
 * scripts/on-node.sh), so the package is packed and installed by the same client an operator uses.
 */
function npmBin(): string {
  const beside = join(dirname(process.execPath), 'npm');
  return existsSync(beside) ? beside : 'npm';
}

/** Runs npm, offline: template packages here have no dependencies, nothing is fetched. */
function npm(args: string[], cwd: string): string {
  try {
    return execFileSync(npmBin(), [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`npm ${args.join(' ')} (in ${cwd}) failed: ${err.stderr || err.stdout || err.message}`);
  }
}

/** Fails loudly when the example package has not been built (its JS is what gets packed). */
export function requireBuiltExample(dir = examplePackageDir): void {
  const entry = join(dir, 'dist', 'index.js');
  if (!existsSync(entry))
    throw new Error(
      `${relative(projectRoot, entry)} is missing: the example template package is not built. Run \`npm run build\` ` +
        '(or `sh scripts/on-node.sh npx tsc -p tsconfig.json && sh scripts/on-node.sh npx tsc -p examples/template-package`) first.',
    );
}

/** `npm pack` of a package folder into `destination`; returns the tarball's path. */
export function npmPack(packageDir: string, destination: string): string {
  mkdirSync(destination, { recursive: true });
  const out = npm(['pack', '--json', '--pack-destination', destination], packageDir);
  const [packed] = JSON.parse(out) as { filename: string }[];
  if (!packed) throw new Error(`npm pack in ${packageDir} produced no tarball: ${out}`);
  const tgz = join(destination, packed.filename);
  if (!existsSync(tgz)) throw new Error(`npm pack reported ${packed.filename}, but ${tgz} does not exist`);
  return tgz;
}

/**
 * `npm install --prefix <operatorDir> <tgz> --offline`, as an operator installs a packed
 * template package in a folder of its own, apart from driftless. Installing another
 * version of the same package replaces the one installed.
 */
export function npmInstallTarball(operatorDir: string, tgz: string, name = EXAMPLE_PACKAGE): void {
  mkdirSync(operatorDir, { recursive: true });
  try {
    npm(['install', '--prefix', operatorDir, tgz, '--offline'], operatorDir);
  } catch {
    // --offline refuses when npm wants to check something it has no cache of; the tarball
    // has no dependencies, so preferring the cache still fetches nothing.
    npm(['install', '--prefix', operatorDir, tgz, '--prefer-offline'], operatorDir);
  }
  const installed = join(operatorDir, 'node_modules', ...name.split('/'), 'package.json');
  if (!existsSync(installed)) throw new Error(`npm install of ${tgz} left no ${installed}`);
}

/** Version of the package installed in an operator folder. */
export function installedVersion(operatorDir: string, name = EXAMPLE_PACKAGE): string {
  return String(
    (JSON.parse(readFileSync(join(operatorDir, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')) as { version: unknown })
      .version,
  );
}

/**
 * Packs the built example package and installs it in `<root>/operator`, the way its README
 * tells an operator to; returns the operator folder (`--templates-from`, `templates.from`).
 */
export function installExamplePackage(root: string): string {
  requireBuiltExample();
  const operatorDir = join(root, 'operator');
  npmInstallTarball(operatorDir, npmPack(examplePackageDir, join(root, 'packs')));
  return operatorDir;
}

/**
 * A new release of the example package as its author would publish it after changing
 * acme/worker: a copy whose built worker template and package.json carry `version`,
 * packed and installed over the previous one in `operatorDir`.
 */
export function installBumpedExample(root: string, operatorDir: string, version: string): void {
  requireBuiltExample();
  const copy = join(root, `template-package-${version}`);
  cpSync(examplePackageDir, copy, { recursive: true, filter: (src) => !src.split('/').includes('node_modules') });
  const worker = join(copy, 'dist', 'worker.js');
  const js = readFileSync(worker, 'utf8');
  const declared = /name: 'acme\/worker',\s*version: '([^']+)'/.exec(js);
  if (!declared) throw new Error(`${worker}: cannot find the version of acme/worker in the built JS`);
  writeFileSync(worker, js.replace(declared[0], declared[0].replace(`'${declared[1]}'`, `'${version}'`)));
  const pkgFile = join(copy, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(pkgFile, JSON.stringify({ ...pkg, version }, null, 2) + '\n');
  npmInstallTarball(operatorDir, npmPack(copy, join(root, 'packs')));
  if (installedVersion(operatorDir) !== version) throw new Error(`the operator folder still holds ${installedVersion(operatorDir)}`);
}

/**
 * A small template package as plain ESM in `<fromDir>/node_modules/<name>`, as if an
 * operator had installed it there: package.json naming `./index.js` as its templates entry,
 * and that entry's source.
 */
export function writeFixturePackage(fromDir: string, name: string, indexJs: string, pkg: Record<string, unknown> = {}): string {
  const dir = join(fromDir, 'node_modules', ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', type: 'module', driftless: { templates: './index.js' }, ...pkg }, null, 2) + '\n',
  );
  writeFileSync(join(dir, 'index.js'), indexJs);
  return dir;
}

/** Every file below `dir` with its size and modification time: equal snapshots mean nothing was written. */
export function snapshotTree(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const s = statSync(path);
    out[relative(dir, path)] = `${s.size}:${s.mtimeMs}`;
  }
  return out;
}
