import { z } from 'zod';
import { validateWith } from '../load/zod-issues.js';

/** Most rows one page of the API returns. */
export const MAX_PAGE = 500;
/** Rows of a page when `limit` is not given. */
export const DEFAULT_PAGE = 100;

/**
 * A whole number in a query string. Query values arrive as text; only plain decimal digits
 * count (`-1`, `abc`, `1e3`, `99999999999` and `1.5` do not), so nothing is coerced by accident.
 */
const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d{1,12}$/, `must be a whole number from ${min} to ${max} (${what})`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min} (${what})`).max(max, `must be at most ${max} (${what})`));

const name = z.string().min(1).max(200);
const limit = wholeNumber(1, MAX_PAGE, 'rows per page').default(DEFAULT_PAGE);
/** The paging cursor: the id of the last row of the previous page. */
const before = wholeNumber(1, Number.MAX_SAFE_INTEGER, 'the id of the last row of the previous page').optional();

/** `GET /api/runs?environment=&stack=&revision=&limit=&before=` */
export const RunsQuery = z.strictObject({
  environment: name.optional(),
  stack: name.optional(),
  revision: z
    .string()
    .regex(/^[0-9a-f]{4,64}$/, 'must be a commit id (hexadecimal)')
    .optional(),
  limit,
  before,
});
export type RunsQuery = z.output<typeof RunsQuery>;

/** `GET /api/drift?environment=&stack=&limit=&before=` */
export const DriftQuery = z.strictObject({ environment: name.optional(), stack: name.optional(), limit, before });
export type DriftQuery = z.output<typeof DriftQuery>;

/** `GET /api/reports/<branch>?format=` */
export const ReportQuery = z.strictObject({ format: z.enum(['json', 'markdown']).optional() });

/** A query without parameters (`/api/environments`, `/api/events`…): any parameter is a mistake. */
export const NoQuery = z.strictObject({});

/** A path parameter naming a run. */
export const RunId = wholeNumber(1, Number.MAX_SAFE_INTEGER, 'a run id');

/** The body of a 400: one line per problem, each naming the parameter. */
export interface QueryProblem {
  error: string;
  problems: { parameter: string; message: string }[];
}

/**
 * Validates a query string with Zod, worded like the YAML messages
 * (`limit: must be a whole number from 1 to 500 (rows per page), got "abc"`). A parameter
 * given twice (`?limit=1&limit=2`) is refused rather than silently picked.
 */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: unknown,
): { ok: true; value: z.output<S> } | { ok: false; problem: QueryProblem } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const repeated = Object.entries(raw).filter(([, v]) => Array.isArray(v));
  if (repeated.length > 0) return fail(repeated.map(([k]) => ({ parameter: k, message: 'given more than once' })));
  const r = validateWith(schema, raw);
  if (r.ok) return { ok: true, value: r.value };
  return fail(
    r.issues.map((i) => {
      const parameter = i.path.map(String).join('.');
      const given = parameter && typeof raw[parameter] === 'string' ? `, got ${JSON.stringify(raw[parameter])}` : '';
      // validateWith words an unknown key as `unknown key "x"`: for a query string, say parameter.
      const message = i.message.replace(/^unknown key/, 'unknown parameter');
      return { parameter: parameter || '(query)', message: message.includes(', got ') ? message : message + given };
    }),
  );
}

function fail(problems: QueryProblem['problems']): { ok: false; problem: QueryProblem } {
  return {
    ok: false,
    problem: { error: problems.map((p) => (p.parameter === '(query)' ? p.message : `${p.parameter}: ${p.message}`)).join('; '), problems },
  };
}

/**
 * The `Link: <...>; rel="next"` header of a full page, pointing at the rows after its last one;
 * undefined when the page is the last.
 */
export function nextPageLink(
  path: string,
  query: Record<string, string | number | undefined>,
  page: readonly { id: number }[],
  limit: number,
): string | undefined {
  const last = page[page.length - 1];
  if (page.length < limit || !last) return undefined;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && k !== 'before') params.set(k, String(v));
  params.set('before', String(last.id));
  return `<${path}?${params.toString()}>; rel="next"`;
}
