import type { z } from 'zod';

/** A schema finding before it is placed in a file. */
export interface IssueAt {
  path: PropertyKey[];
  message: string;
}

type Issue = z.core.$ZodIssue;

/** The words YAML users know for what they wrote. */
function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  return typeof v;
}

const EXPECTED_WORDS: Record<string, string> = { object: 'mapping', array: 'list', record: 'mapping', int: 'integer' };
const expectedWord = (t: string): string => EXPECTED_WORDS[t] ?? t;

function quote(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v) : String(v);
  return s;
}

/** Edit distance, for "did you mean" on mistyped keys and enum values. */
function distance(a: string, b: string): number {
  // row[j]: distance between the first i characters of a and the first j of b.
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  let last = b.length;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = i - 1;
    let left = i;
    const next = [left];
    for (const [j, up] of row.entries()) {
      if (j === 0) continue;
      left = Math.min(up + 1, left + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      next.push(left);
      diagonal = up;
    }
    row = next;
    last = left;
  }
  return last;
}

/** The closest candidate when it is close enough to be the intended word. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : distance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Object schemas reachable at a path, looking through optional/default/pipe/union wrappers. */
function objectsAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, z.ZodType>[] {
  const def = defOf(schema);
  const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  if (inner) return objectsAt(inner, path);
  if (def.type === 'union') return (def.options ?? []).flatMap((o) => objectsAt(o, path));
  const [seg, ...rest] = path;
  if (seg === undefined) return def.type === 'object' && def.shape ? [def.shape] : [];
  if (def.type === 'object' && def.shape) {
    const child = def.shape[String(seg)];
    return child ? objectsAt(child, rest) : [];
  }
  if (def.type === 'array' && def.element) return objectsAt(def.element, rest);
  if (def.type === 'record' && def.valueType) return objectsAt(def.valueType, rest);
  return [];
}

/** Allowed keys of the mapping at `path` of `schema`, for "unknown key" messages. */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((shape) => Object.keys(shape)))];
}

/** Issues of a union: those of the one branch whose type matched, else a summary. */
function unionIssues(issue: Extract<Issue, { code: 'invalid_union' }>, schema: z.ZodType, base: PropertyKey[]): IssueAt[] {
  const typeMismatch = (branch: Issue[]): boolean => branch.some((i) => i.code === 'invalid_type' && i.path.length === 0);
  const matching = issue.errors.filter((branch) => !typeMismatch(branch));
  if (matching.length >= 1) {
    const fewest = matching.reduce((a, b) => (b.length < a.length ? b : a));
    return fewest.flatMap((i) => toIssues(i, schema, base));
  }
  const expected = [
    ...new Set(
      issue.errors.flatMap((b) =>
        b.filter((i) => i.code === 'invalid_type').map((i) => expectedWord((i as { expected: string }).expected)),
      ),
    ),
  ];
  const input = (issue as { input?: unknown }).input;
  if (expected.length > 0) return [{ path: base, message: `expected ${expected.join(' or ')}, got ${describeValue(input)}` }];
  return [{ path: base, message: 'does not match any allowed form' }];
}

/** One Zod issue in the words of this tool; `base` prefixes paths of nested issues. */
function toIssues(issue: Issue, schema: z.ZodType, base: PropertyKey[] = []): IssueAt[] {
  const path = [...base, ...issue.path];
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return [{ path, message: `missing required value, expected ${expectedWord(issue.expected)}` }];
      return [{ path, message: `expected ${expectedWord(issue.expected)}, got ${describeValue(input)}` }];
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, path);
      return issue.keys.map((key) => {
        const guess = closest(key, allowed);
        const hint = guess ? ` (did you mean "${guess}"?)` : allowed.length ? `; allowed: ${allowed.join(', ')}` : '';
        return { path: [...path, key], message: `unknown key "${key}"${hint}` };
      });
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => quote(v));
      const guess = typeof input === 'string' && issue.values.length > 1 ? closest(input, issue.values.map(String)) : undefined;
      const list = values.join(', ');
      const expected = values.length === 1 ? list : `one of ${list}`;
      return [{ path, message: `expected ${expected}, got ${quote(input)}${guess ? ` (did you mean "${guess}"?)` : ''}` }];
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const limit = small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
      const n = Number(limit);
      if (issue.origin === 'array' || issue.origin === 'set')
        return [
          {
            path,
            message: `must have at ${small ? 'least' : 'most'} ${n} item${n === 1 ? '' : 's'}, got ${Array.isArray(input) ? input.length : '?'}`,
          },
        ];
      if (issue.origin === 'string') {
        if (small && n === 1) return [{ path, message: 'must not be empty' }];
        return [{ path, message: `must be at ${small ? 'least' : 'most'} ${n} characters` }];
      }
      const op = small ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
      return [{ path, message: `must be ${op} ${n}, got ${String(input)}` }];
    }
    case 'invalid_format': {
      const custom = !issue.message.startsWith('Invalid');
      const what = custom ? issue.message : `must be a valid ${issue.format}`;
      return [{ path, message: typeof input === 'string' ? `${what}, got ${quote(input)}` : what }];
    }
    case 'invalid_union':
      return unionIssues(issue, schema, path);
    case 'invalid_key':
      return issue.issues.flatMap((i) => toIssues(i, schema, path)).map((i) => ({ ...i, message: `key: ${i.message}` }));
    case 'invalid_element':
      return issue.issues.flatMap((i) => toIssues(i, schema, [...path, issue.key as PropertyKey]));
    case 'not_multiple_of':
      return [{ path, message: `must be a multiple of ${String(issue.divisor)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

/**
 * Validates `value` and returns the parsed result or every issue, worded for people who
 * edit YAML: `expected number, got string`, `unknown key "parms" (did you mean "params"?)`.
 */
export function validateWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; value: z.output<S> } | { ok: false; issues: IssueAt[] } {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: r.error.issues.flatMap((i) => toIssues(i, schema)) };
}
