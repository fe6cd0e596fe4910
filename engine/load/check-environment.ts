import { isOutputRef } from '../../sdk/template/refs.js';
import type { TemplateDefinition } from '../../sdk/template/define.js';
import { builtinRegistry } from '../templates/builtin.js';
import type { TemplateRegistry } from '../templates/registry.js';
import { Environment, type EnvironmentSpec } from '../../schemas/environment.js';
import { Stack, type StackSpec } from '../../schemas/stack.js';
import { decodeYamlBytes } from './decode.js';
import { buildGraph, findCycles, topologicalOrder, type DependencyGraph } from './graph.js';
import { compareMessages, formatPath, hasErrors, type ValidationMessage } from './messages.js';
import { must } from './must.js';
import { locate, type Position } from './positions.js';
import { parseSingleDocument, type ParsedYaml } from './yaml-document.js';
import { closest, validateWith, type IssueAt } from './zod-issues.js';

/** The file every environment folder holds its Environment document in. */
export const ENVIRONMENT_FILE = 'environment.yaml';

/** One file's bytes; `file` is the path shown in messages, `path` the absolute one. */
export interface SourceFile {
  file: string;
  path: string;
  /** Name inside the environment folder. */
  basename: string;
  bytes: Uint8Array;
}

/** What the file system layer read for one environment folder. */
export interface EnvironmentSource {
  /** Folder name; the Environment's metadata.name must match it. */
  name: string;
  /** Folder as shown in messages, and absolute. */
  dir: string;
  path: string;
  /** environment.yaml and every other *.yaml / *.yml file of the folder. */
  files: SourceFile[];
  /** Problems found before reading (files too large, symlinks, unreadable entries). */
  messages: ValidationMessage[];
}

/** A stack that passed every check, params parsed (defaults applied) by its template. */
export interface LoadedStack {
  name: string;
  file: string;
  path: string;
  /** The template's name as installed (spec.template without its version range). */
  template: string;
  /** The installed template the stack uses, resolved at validation. */
  definition: TemplateDefinition;
  spec: StackSpec;
  /** Where a path of the document (`['spec', 'params', …]`) is written, for messages found after loading. */
  locate?: (path: readonly PropertyKey[]) => Position;
}

/** A fully valid environment: its spec and its stacks in an order that applies dependencies first. */
export interface LoadedEnvironment {
  name: string;
  dir: string;
  /** environment.yaml, as shown in messages, and absolute. */
  file: string;
  path: string;
  spec: EnvironmentSpec;
  stacks: LoadedStack[];
  graph: DependencyGraph;
}

/** Checks that depend on how the engine runs, not on the files alone. */
export interface CheckOptions {
  /**
   * Refuse `file://` backends: several daemon replicas (the Postgres store) share state
   * only through a backend they all reach, and a local folder is on one machine only.
   */
  requireSharedBackend?: boolean;
}

/** Why a `file://` backend is refused when replicas share the work. */
export const SHARED_BACKEND_MESSAGE =
  'file:// backends are refused when driftless runs on Postgres (store.postgres): every replica must reach the same Pulumi state, and a local folder is on one machine only; use an s3:// backend';

/** An environment when it is valid, and every message found either way. */
export interface EnvironmentCheck {
  environment?: LoadedEnvironment;
  messages: ValidationMessage[];
}

/** A parsed document and how to place messages in it. */
interface Located {
  source: SourceFile;
  parsed: ParsedYaml;
}

/** A stack document as far as it could be read, for the cross-file checks. */
interface StackEntry extends Located {
  name: string;
  /** Raw dependsOn strings (only those that are strings) with their index. */
  dependsOn: { name: string; index: number }[];
  template?: string;
  definition?: TemplateDefinition;
  spec?: StackSpec;
}

function messageAt(at: Located, path: readonly PropertyKey[], message: string): ValidationMessage {
  const { line, col } = locate(at.parsed.doc, at.parsed.lineCounter, path);
  return { file: at.source.file, line, col, path: formatPath(path), message, severity: 'error' };
}

function fileMessage(source: SourceFile, line: number, col: number, message: string): ValidationMessage {
  return { file: source.file, line, col, path: '', message, severity: 'error' };
}

/** Decodes and parses one file into a single document, or messages. */
function readDocument(source: SourceFile, out: ValidationMessage[]): Located | undefined {
  const decoded = decodeYamlBytes(source.bytes);
  if (!decoded.ok) {
    out.push(fileMessage(source, decoded.line, decoded.col, decoded.message));
    return undefined;
  }
  const parsed = parseSingleDocument(decoded.text);
  if (!parsed.ok) {
    out.push(...parsed.problems.map((p) => fileMessage(source, p.line, p.col, p.message)));
    return undefined;
  }
  return { source, parsed: parsed.value };
}

function pushIssues(at: Located, issues: IssueAt[], out: ValidationMessage[], prefix: PropertyKey[] = []): void {
  for (const i of issues) out.push(messageAt(at, [...prefix, ...i.path], i.message));
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * Validates a Stack document: the envelope by the Stack schema and, whenever the template
 * can be told, the params by the template's own schema, so one run reports both.
 */
function checkStack(at: Located, templates: TemplateRegistry, out: ValidationMessage[]): StackEntry | undefined {
  const raw = asRecord(at.parsed.value);
  if (raw?.kind === 'Environment') {
    out.push(messageAt(at, ['kind'], `an Environment belongs in ${ENVIRONMENT_FILE}; every other file holds one Stack`));
    return undefined;
  }
  const envelope = validateWith(Stack, at.parsed.value);
  if (!envelope.ok) pushIssues(at, envelope.issues, out);
  const rawSpec = asRecord(raw?.spec);
  const templateName = typeof rawSpec?.template === 'string' && rawSpec.template !== '' ? rawSpec.template : undefined;
  let params: Record<string, unknown> | undefined;
  let definition: TemplateDefinition | undefined;
  if (templateName !== undefined) {
    const template = templates.find(templateName);
    if (!template.ok) out.push(messageAt(at, ['spec', 'template'], template.message));
    else definition = template.value.definition;
    if (definition && (rawSpec?.params === undefined || asRecord(rawSpec.params))) {
      const r = validateWith(definition.params, rawSpec?.params ?? {});
      if (r.ok) params = r.value as Record<string, unknown>;
      else pushIssues(at, r.issues, out, ['spec', 'params']);
    }
  }
  const name = asRecord(raw?.metadata)?.name;
  if (typeof name !== 'string') return undefined;
  const rawDeps = Array.isArray(rawSpec?.dependsOn) ? (rawSpec.dependsOn as unknown[]) : [];
  const entry: StackEntry = {
    ...at,
    name,
    dependsOn: rawDeps.flatMap((d, index) => (typeof d === 'string' ? [{ name: d, index }] : [])),
  };
  if (definition) {
    entry.template = definition.name;
    entry.definition = definition;
  }
  if (envelope.ok && params !== undefined) entry.spec = { ...envelope.value.spec, params };
  return entry;
}

/** Every {fromStack, output} reference in parsed params, with its path below spec.params. */
function outputRefs(value: unknown, path: PropertyKey[] = [], depth = 0): { path: PropertyKey[]; fromStack: string; output: string }[] {
  if (isOutputRef(value)) return [{ path, fromStack: value.fromStack, output: value.output }];
  // Free-form maps (filter policies, event patterns) may nest; refs never sit that deep.
  if (depth > 16 || typeof value !== 'object' || value === null) return [];
  const entries: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => outputRefs(v, [...path, k], depth + 1));
}

/** Names, dependsOn and references across the stacks of one environment. */
function checkRelations(stacks: StackEntry[], environment: string, out: ValidationMessage[]): Map<string, StackEntry> {
  const byName = new Map<string, StackEntry>();
  for (const s of stacks) {
    const first = byName.get(s.name);
    if (first) {
      const { line, col } = locate(first.parsed.doc, first.parsed.lineCounter, ['metadata', 'name']);
      out.push(messageAt(s, ['metadata', 'name'], `duplicate stack name "${s.name}": also defined at ${first.source.file}:${line}:${col}`));
    } else byName.set(s.name, s);
  }
  const names = [...byName.keys()].sort();
  for (const s of byName.values())
    for (const d of s.dependsOn)
      if (!byName.has(d.name)) {
        const guess = closest(d.name, names);
        out.push(
          messageAt(
            s,
            ['spec', 'dependsOn', d.index],
            `unknown stack "${d.name}"${guess ? ` (did you mean "${guess}"?)` : ''}; stacks in ${environment}: ${names.join(', ') || 'none'}`,
          ),
        );
      }
  const deps = new Map([...byName].map(([n, s]) => [n, s.dependsOn.map((d) => d.name).filter((d) => byName.has(d))]));
  for (const cycle of findCycles(deps)) {
    const first = must(cycle[0], 'a cycle names at least one stack');
    const owner = must(byName.get(first), 'a cycle names only known stacks');
    const to = cycle[1] ?? first;
    const index = must(
      owner.dependsOn.find((d) => d.name === to),
      'each stack of a cycle depends on the next',
    ).index;
    out.push(messageAt(owner, ['spec', 'dependsOn', index], `dependency cycle: ${[...cycle, first].join(' -> ')}`));
  }
  for (const s of byName.values()) {
    if (!s.spec) continue;
    for (const ref of outputRefs(s.spec.params)) {
      const at = ['spec', 'params', ...ref.path];
      if (!s.spec.dependsOn.includes(ref.fromStack)) {
        out.push(messageAt(s, [...at, 'fromStack'], `stack "${ref.fromStack}" must be listed in spec.dependsOn to use its outputs`));
        continue;
      }
      const target = byName.get(ref.fromStack);
      const template = target?.definition;
      if (!template) continue;
      const outputs = template.outputs.map((o) => o.name);
      if (!outputs.includes(ref.output)) {
        const guess = closest(ref.output, outputs);
        out.push(
          messageAt(
            s,
            [...at, 'output'],
            `stack "${ref.fromStack}" (template ${template.name}) has no output "${ref.output}"${guess ? ` (did you mean "${guess}"?)` : ''}; outputs: ${outputs.join(', ')}`,
          ),
        );
      }
    }
  }
  return byName;
}

/**
 * Checks one environment folder's files: each document alone, then names, dependsOn and
 * output references across them. Pure: no file system, no Pulumi; never throws on any
 * input. The environment is returned only when no error was found.
 */
export function checkEnvironment(
  source: EnvironmentSource,
  templates: TemplateRegistry = builtinRegistry(),
  options: CheckOptions = {},
): EnvironmentCheck {
  const out: ValidationMessage[] = [...source.messages];
  let spec: EnvironmentSpec | undefined;
  let envFile: SourceFile | undefined;
  const stacks: StackEntry[] = [];
  for (const file of [...source.files].sort((a, b) => (a.basename < b.basename ? -1 : 1))) {
    try {
      const at = readDocument(file, out);
      if (file.basename === ENVIRONMENT_FILE) {
        envFile = file;
        if (!at) continue;
        const r = validateWith(Environment, at.parsed.value);
        if (!r.ok) pushIssues(at, r.issues, out);
        else if (r.value.metadata.name !== source.name)
          out.push(
            messageAt(at, ['metadata', 'name'], `environment "${r.value.metadata.name}" must be named like its folder "${source.name}"`),
          );
        else if (options.requireSharedBackend && r.value.spec.backend.startsWith('file://'))
          out.push(messageAt(at, ['spec', 'backend'], SHARED_BACKEND_MESSAGE));
        else spec = r.value.spec;
      } else if (at) {
        const entry = checkStack(at, templates, out);
        if (entry) stacks.push(entry);
      }
    } catch (e) {
      // A bug here must not stop the other files from being checked or the daemon from running.
      out.push(fileMessage(file, 1, 1, `internal error while checking this file: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
  if (!envFile)
    out.push({
      file: `${source.dir}/${ENVIRONMENT_FILE}`,
      line: 1,
      col: 1,
      path: '',
      message: `missing ${ENVIRONMENT_FILE}: every environment folder needs one`,
      severity: 'error',
    });
  const byName = checkRelations(stacks, source.name, out);
  out.sort(compareMessages);
  if (hasErrors(out) || !spec || !envFile) return { messages: out };
  const valid = new Map<string, LoadedStack>();
  for (const [n, s] of byName) {
    const stackSpec = must(s.spec, 'every stack has a spec when no error was found');
    const definition = must(s.definition, 'every stack has a template when no error was found');
    const { doc, lineCounter } = s.parsed;
    valid.set(n, {
      name: n,
      file: s.source.file,
      path: s.source.path,
      template: definition.name,
      definition,
      spec: stackSpec,
      locate: (path) => locate(doc, lineCounter, path),
    });
  }
  const deps = new Map([...valid].map(([n, s]) => [n, s.spec.dependsOn]));
  const loaded: LoadedStack[] = topologicalOrder(deps).map((n) => must(valid.get(n), 'the order names only known stacks'));
  return {
    environment: {
      name: source.name,
      dir: source.dir,
      file: envFile.file,
      path: envFile.path,
      spec,
      stacks: loaded,
      graph: buildGraph(deps),
    },
    messages: out,
  };
}
