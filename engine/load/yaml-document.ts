import { type Document, LineCounter, parseAllDocuments, visit, type YAMLError } from 'yaml';

/** How many alias nodes one document may expand; a YAML bomb needs thousands. */
export const MAX_ALIAS_COUNT = 100;

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
    case 'DUPLICATE_KEY':
      return `duplicate key "${keyAt(text, e.pos[0])}": each key may appear once in a mapping`;
    case 'BAD_INDENT':
      return `bad indentation: ${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`;
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key runs over several lines: is the ":" after a key missing?';
    case 'TAB_AS_INDENT':
      return 'tab character used for indentation: YAML indents with spaces only';
    case 'TAG_RESOLVE_FAILED':
      return `unknown tag ${text.slice(e.pos[0], e.pos[1]).trim()}: driftless YAML has no custom tags (reference another stack with { fromStack, output })`;
    default:
      return e.message.split('\n')[0]!;
  }
}

/** The key written at `offset` (the parser marks only its first character). */
function keyAt(text: string, offset: number): string {
  const rest = text.slice(offset, text.indexOf('\n', offset) === -1 ? undefined : text.indexOf('\n', offset));
  const m = /^("[^"]*"|'[^']*'|.+?)\s*:(\s|$)/.exec(rest);
  return (m?.[1] ?? rest).replace(/^["']|["']$/g, '');
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
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, merge: false }) as Document.Parsed[];
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
  if (docs.length > 1) {
    const second = docs[1]!;
    problems.push(
      problemAt(
        lineCounter,
        second.range[0],
        `found ${docs.length} YAML documents, expected one per file: put each stack in its own file`,
      ),
    );
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

