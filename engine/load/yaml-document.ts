import { type Document, isMap, isScalar, LineCounter, parseAllDocuments, visit, type YAMLError } from 'yaml';

/** How many alias nodes one document may expand; a YAML bomb needs thousands. */
export const MAX_ALIAS_COUNT = 100;

/** Deepest nesting of lists and mappings a document may have; driftless documents need about 8. */
export const MAX_NESTING = 64;

/** Most problems reported for one file; past that, the rest are counted, not listed. */
export const MAX_PROBLEMS_PER_FILE = 20;

/** A problem in YAML text, 1-based. */
export interface YamlProblem {
  line: number;
  col: number;
  message: string;
}

/** One parsed document with its source map and plain JavaScript value. */
export interface ParsedYaml {
  doc: Document;
  lineCounter: LineCounter;
  value: unknown;
}

/** The parsed document, or every problem found in the text. */
export type ParseYamlResult = { ok: true; value: ParsedYaml } | { ok: false; problems: YamlProblem[] };

function problemAt(lineCounter: LineCounter, offset: number, message: string): YamlProblem {
  const { line, col } = lineCounter.linePos(offset);
  return { line, col, message };
}

/** Words people act on for the parser's codes; anything else keeps the parser's own text. */
function describeYamlError(e: YAMLError, text: string): string {
  switch (e.code) {
    case 'RESOURCE_EXHAUSTION':
      return 'document is nested too deeply to read';
    case 'BAD_INDENT':
      return `bad indentation: ${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`;
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key runs over several lines: is the ":" after a key missing?';
    case 'TAB_AS_INDENT':
      return 'tab character used for indentation: YAML indents with spaces only';
    case 'TAG_RESOLVE_FAILED':
      return `unknown tag ${text.slice(e.pos[0], e.pos[1]).trim()}: driftless YAML has no custom tags (reference another stack with { fromStack, output })`;
    default:
      return e.message.split('\n')[0] ?? e.message;
  }
}

/**
 * Where the text nests deeper than {@link MAX_NESTING}, found by a linear scan before the
 * (recursive) parser sees it: flow brackets outside quotes and comments, and block nesting
 * by indentation and `- ` chains. Approximate by design: it only has to stop what no
 * person writes.
 */
function nestingProblem(text: string): { offset: number; message: string } | undefined {
  const message = `nested more than ${MAX_NESTING} levels deep: driftless documents are shallow, this is not one`;
  let depth = 0;
  let quote: string | undefined;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (lineStart) {
      lineStart = false;
      let j = i;
      while (text[j] === ' ') j++;
      let dashes = 0;
      while (text[j] === '-' && (text[j + 1] === ' ' || text[j + 1] === '\t')) {
        dashes++;
        j += 2;
        while (text[j] === ' ') j++;
      }
      // Indentation is at least one column per level; be lenient with wide indents.
      if (dashes > MAX_NESTING || j - i > MAX_NESTING * 4) return { offset: i, message };
    }
    if (c === '\n') {
      lineStart = true;
      if (quote === "'") continue;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text.charAt(i - 1)))) {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end - 1;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_NESTING) return { offset: i, message };
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return undefined;
}

/** Keys that are lists or mappings, and keys written twice in one mapping (linear, unlike the parser's check). */
function keyProblems(doc: Document, lineCounter: LineCounter): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const at = (node: unknown): number => (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (pair.key !== null && !isScalar(pair.key)) {
          // A list or mapping as a key has no JSON form; yaml would stringify it with a process warning.
          problems.push(problemAt(lineCounter, at(pair.key), 'keys must be plain text, not a list or mapping'));
          continue;
        }
        const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
        if (seen.has(name))
          problems.push(problemAt(lineCounter, at(pair.key), `duplicate key "${name}": each key may appear once in a mapping`));
        seen.add(name);
      }
    },
  });
  return problems;
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/**
 * Parses text that must hold exactly one YAML document. Duplicate keys, unknown tags and
 * several documents are errors; aliases may expand at most {@link MAX_ALIAS_COUNT} times.
 * Never throws: a parser failure on hostile input (deep nesting) becomes a problem.
 */
export function parseSingleDocument(text: string): ParseYamlResult {
  const lineCounter = new LineCounter();
  const tooDeep = nestingProblem(text);
  if (tooDeep) {
    lineCounter.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1 && i < tooDeep.offset; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
    return { ok: false, problems: [problemAt(lineCounter, tooDeep.offset, tooDeep.message)] };
  }
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: false,
      strict: true,
      merge: false,
    }) as Document.Parsed[];
  } catch (e) {
    return { ok: false, problems: [{ line: 1, col: 1, message: unexpected(e) }] };
  }
  if (!Array.isArray(docs)) docs = [];
  const first = docs[0];
  if (first === undefined || (docs.length === 1 && first.contents === null && first.errors.length === 0))
    return { ok: false, problems: [{ line: 1, col: 1, message: 'file is empty: expected one YAML document' }] };
  const problems: YamlProblem[] = [];
  for (const d of docs)
    for (const e of [...d.errors, ...d.warnings]) problems.push(problemAt(lineCounter, e.pos[0], describeYamlError(e, text)));
  const second = docs[1];
  if (second !== undefined) {
    problems.push(
      problemAt(lineCounter, second.range[0], `found ${docs.length} YAML documents, expected one per file: put each stack in its own file`),
    );
  }
  if (problems.length === 0) problems.push(...keyProblems(first, lineCounter));
  const lastShown = problems[MAX_PROBLEMS_PER_FILE - 1];
  if (problems.length > MAX_PROBLEMS_PER_FILE && lastShown !== undefined) {
    const shown = problems.slice(0, MAX_PROBLEMS_PER_FILE);
    shown.push({ ...lastShown, message: `${problems.length - MAX_PROBLEMS_PER_FILE} more problems in this file are not listed` });
    return { ok: false, problems: shown };
  }
  if (problems.length > 0) return { ok: false, problems };
  try {
    const value: unknown = first.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return { ok: true, value: { doc: first, lineCounter, value } };
  } catch (e) {
    // yaml signals alias expansion over maxAliasCount with a ReferenceError.
    if (e instanceof ReferenceError)
      return {
        ok: false,
        problems: [
          problemAt(
            lineCounter,
            firstAliasOffset(first),
            `aliases expand more than ${MAX_ALIAS_COUNT} times (a "YAML bomb"): write the values out`,
          ),
        ],
      };
    return { ok: false, problems: [{ line: 1, col: 1, message: unexpected(e) }] };
  }
}

function unexpected(e: unknown): string {
  // Deep nesting exhausts the parser's stack; everything else here is a parser bug.
  if (e instanceof RangeError) return 'document is nested too deeply to read';
  return `cannot read YAML: ${e instanceof Error ? e.message : String(e)}`;
}
