import { accessSync, constants, existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { isTemplateDefinition, type TemplateDefinition, templateDefinitionProblems } from '../../sdk/template/define.js';
import { builtinTemplates } from '../../stacks/index.js';
import { PROVIDER_NAME, PROVIDER_VERSION } from '../../provider/src/package-name.js';
import { projectRoot } from '../toolchain/paths.js';
import { provideHostModules } from './host-modules.js';
import { builtinRegistry } from './builtin.js';
import { type InstalledTemplate, TemplateRegistry } from './registry.js';

/**
 * The template packages an operator installed, as the daemon config or the CLI's
 * `--templates` / `DRIFTLESS_TEMPLATES` name them. Never read from the environments repository.
 */
export interface TemplateSources {
  /** npm package names (resolved from `from`) or folders of packages (absolute, or relative to `baseDir`). */
  packages: readonly string[];
  /** Folder whose node_modules holds the npm packages named; defaults to `baseDir`. */
  from?: string | undefined;
  /** Folder relative paths resolve against (the config file's folder, or the working directory). */
  baseDir: string;
}

/** Where resource plugins other than the bundled driftless-aws live, and whether Pulumi may fetch missing ones. */
export interface PluginSettings {
  /** A Pulumi plugin folder (`resource-<name>-v<version>/pulumi-resource-<name>`), e.g. `$PULUMI_HOME/plugins`. */
  dir?: string | undefined;
  /** Let Pulumi download missing plugins. Off by default: these machines are offline and runs must be reproducible. */
  acquire: boolean;
}

/** A resource plugin a run registers with Pulumi by path. */
export interface InstalledPlugin {
  name: string;
  version: string;
  /** Folder holding `pulumi-resource-<name>`. */
  path: string;
}

/** The templates and plugins of an installation, ready for every command and the daemon. */
export interface TemplateInstallation {
  registry: TemplateRegistry;
  plugins: InstalledPlugin[];
  acquirePlugins: boolean;
}

/** Why an installation was refused, one problem per package or template, each naming it. */
export type InstallResult = { ok: true; value: TemplateInstallation } | { ok: false; problems: string[] };

/** The bundled provider plugin, which every installation has. */
export const bundledPlugin: InstalledPlugin = {
  name: PROVIDER_NAME,
  version: PROVIDER_VERSION,
  path: join(projectRoot, 'provider', 'bin'),
};

const NPM_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

interface PackageJson {
  name?: unknown;
  version?: unknown;
  driftless?: { templates?: unknown };
  peerDependencies?: Record<string, unknown>;
}

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}

/** A package's folder as Node would find it from `fromDir` (node_modules of the folder or a parent). */
function findPackageDir(fromDir: string, name: string): string | undefined {
  let dir = resolve(fromDir);
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function looksLikePath(entry: string): boolean {
  return isAbsolute(entry) || entry.startsWith('./') || entry.startsWith('../') || entry === '.';
}

const own = {
  driftless: String(readJson(join(projectRoot, 'package.json')).version),
  '@pulumi/pulumi': String(readJson(join(findPackageDir(projectRoot, '@pulumi/pulumi') ?? '', 'package.json')).version),
  zod: String(readJson(join(findPackageDir(projectRoot, 'zod') ?? '', 'package.json')).version),
};

/**
 * Whether a package can share driftless's zod and Pulumi SDK: its declared peer ranges must
 * admit driftless's versions, and a copy it brings itself must be of the same major version
 * (the engine reads its zod schemas; Pulumi's runtime state is shared between copies of one major).
 */
function compatibilityProblems(dir: string, pkg: PackageJson): string[] {
  const problems: string[] = [];
  for (const dep of ['driftless', '@pulumi/pulumi', 'zod'] as const) {
    const range = pkg.peerDependencies?.[dep];
    if (typeof range === 'string' && !semver.satisfies(own[dep], range, { includePrerelease: true }))
      problems.push(`it needs ${dep} ${range} but driftless runs ${dep} ${own[dep]}`);
    if (dep === 'driftless') continue;
    const copy = findPackageDir(dir, dep);
    const ours = findPackageDir(projectRoot, dep);
    if (!copy || !ours || realpathSync(copy) === realpathSync(ours)) continue;
    const version = String(readJson(join(copy, 'package.json')).version);
    if (semver.major(version) !== semver.major(own[dep]))
      problems.push(`it brings its own ${dep} ${version} (${copy}), incompatible with driftless's ${dep} ${own[dep]}`);
  }
  return problems;
}

/** Loads one package: resolves it, checks it, imports its entry and checks every definition it exports. */
async function loadPackage(entry: string, sources: TemplateSources): Promise<{ templates: InstalledTemplate[]; problems: string[] }> {
  const fail = (reason: string) => ({ templates: [], problems: [`template package ${entry}: ${reason}`] });
  let dir: string | undefined;
  if (looksLikePath(entry)) {
    dir = resolve(sources.baseDir, entry);
    if (!existsSync(join(dir, 'package.json'))) return fail(`cannot be resolved: ${dir} holds no package.json`);
  } else {
    if (!NPM_NAME.test(entry)) return fail('is neither an npm package name nor a path (start a path with /, ./ or ../)');
    const from = resolve(sources.baseDir, sources.from ?? '.');
    dir = findPackageDir(from, entry);
    if (!dir) return fail(`cannot be resolved from ${from}: install it there (npm install --prefix ${from} ${entry})`);
  }
  let pkg: PackageJson;
  try {
    pkg = readJson(join(dir, 'package.json'));
  } catch (e) {
    return fail(`its package.json cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const name = typeof pkg.name === 'string' ? pkg.name : entry;
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  const label = `template package ${name}@${version} (${dir})`;
  const refuse = (reason: string) => ({ templates: [], problems: [`${label}: ${reason}`] });
  const compat = compatibilityProblems(dir, pkg);
  if (compat.length > 0) return refuse(`incompatible with this driftless: ${compat.join('; ')}`);
  const main = pkg.driftless?.templates;
  if (typeof main !== 'string') return refuse('its package.json names no entry module in "driftless": { "templates": "./dist/index.js" }');
  const mainPath = resolve(dir, main);
  if (!mainPath.startsWith(dir + '/')) return refuse(`its templates entry ${main} lies outside the package`);
  provideHostModules();
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(mainPath).href)) as Record<string, unknown>;
  } catch (e) {
    return refuse(`throws at import of ${main}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const list = exported.templates ?? exported.default;
  if (!Array.isArray(list) || list.length === 0)
    return refuse(`${main} must export \`templates\` (or a default export): a non-empty list of defineTemplate(...) results`);
  const templates: InstalledTemplate[] = [];
  const problems: string[] = [];
  list.forEach((value: unknown, i) => {
    const shown = typeof (value as { name?: unknown })?.name === 'string' ? (value as { name: string }).name : `#${i}`;
    const issues = templateDefinitionProblems(value);
    if (issues.length === 0 && !isTemplateDefinition(value))
      issues.push('it was not made by defineTemplate from driftless/template (or by an incompatible version of it)');
    if (issues.length === 0 && !(value as TemplateDefinition).name.includes('/'))
      issues.push(`package templates are namespaced (e.g. acme/${(value as TemplateDefinition).name}); plain names are driftless's own`);
    if (issues.length > 0) problems.push(`${label}: exports an invalid definition, template ${shown}: ${issues.join('; ')}`);
    else
      templates.push({
        definition: value as TemplateDefinition,
        origin: { kind: 'package', package: name, packageVersion: version, path: dir },
      });
  });
  return { templates, problems };
}

/** Where Pulumi keeps a plugin in a plugin folder. */
function pluginFolder(dir: string, p: { name: string; version: string }): string {
  return join(dir, `resource-${p.name}-v${p.version}`);
}

/**
 * The plugins the installed templates need, each found on disk; a missing one is a
 * problem naming the plugin, its version and the templates needing it, unless Pulumi may
 * acquire plugins.
 */
function resolvePlugins(
  templates: readonly InstalledTemplate[],
  settings: PluginSettings,
): { plugins: InstalledPlugin[]; problems: string[] } {
  const needed = new Map<string, { name: string; version: string; templates: string[] }>();
  for (const t of templates)
    for (const p of t.definition.plugins) {
      const key = `${p.name}@${p.version}`;
      const entry = needed.get(key) ?? { ...p, templates: [] };
      entry.templates.push(
        t.origin.kind === 'builtin' ? t.definition.name : `${t.definition.name} (package ${t.origin.package}@${t.origin.packageVersion})`,
      );
      needed.set(key, entry);
    }
  const plugins: InstalledPlugin[] = [bundledPlugin];
  const problems: string[] = [];
  for (const p of needed.values()) {
    if (p.name === bundledPlugin.name) {
      if (p.version !== bundledPlugin.version)
        problems.push(
          `template ${p.templates.join(', ')} needs plugin ${p.name} v${p.version}, but this driftless bundles v${bundledPlugin.version}`,
        );
      continue;
    }
    const folder = settings.dir === undefined ? undefined : pluginFolder(settings.dir, p);
    const bin = folder && join(folder, `pulumi-resource-${p.name}`);
    let installed = false;
    if (bin)
      try {
        accessSync(bin, constants.X_OK);
        installed = true;
      } catch {
        installed = false;
      }
    if (installed && folder) plugins.push({ name: p.name, version: p.version, path: folder });
    else if (!settings.acquire)
      problems.push(
        `template ${p.templates.join(', ')} needs the resource plugin ${p.name} v${p.version}, which is not installed` +
          (settings.dir === undefined ? ' (no plugin folder is configured: set plugins.dir)' : ` in ${settings.dir} (expected ${bin})`) +
          '; install it there, or let driftless acquire plugins (plugins.acquire: true)',
      );
  }
  return { plugins, problems };
}

/**
 * Builds the installation: built-in templates plus the configured packages, refused as a
 * whole (nothing runs) when any package cannot be resolved, throws at import, exports an
 * invalid definition or an incompatible zod/Pulumi SDK, when two templates share a name,
 * or when a plugin a template needs is missing.
 */
export async function installTemplates(sources: TemplateSources, settings: PluginSettings = { acquire: false }): Promise<InstallResult> {
  const templates: InstalledTemplate[] = builtinTemplates.map((definition) => ({ definition, origin: { kind: 'builtin' } }));
  const problems: string[] = [];
  for (const entry of sources.packages) {
    const r = await loadPackage(entry, sources);
    templates.push(...r.templates);
    problems.push(...r.problems);
  }
  const registry = TemplateRegistry.of(templates);
  if (!registry.ok) problems.push(...registry.problems);
  const plugins = resolvePlugins(templates, settings);
  problems.push(...plugins.problems);
  if (problems.length > 0 || !registry.ok) return { ok: false, problems };
  return { ok: true, value: { registry: registry.value, plugins: plugins.plugins, acquirePlugins: settings.acquire } };
}

/** The installation with built-in templates only: for tests and tools that take no packages. */
export function builtinInstallation(): TemplateInstallation {
  return { registry: builtinRegistry(), plugins: [bundledPlugin], acquirePlugins: false };
}
