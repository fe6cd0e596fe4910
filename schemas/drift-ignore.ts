import { z } from 'zod';

/**
 * `spec.drift.ignore`: fields a team accepts changing outside Git. Paths are written the way
 * drift reports print them (engine/drift/field-diff.ts): dotted keys (`tags.revision`),
 * `["…"]` for keys that are not identifiers (`tags["cost center"]`), `[i]` for list items,
 * plus the wildcards `*` (any key) and `[*]` (any list item). A path also covers every field
 * beneath it: `tags` ignores each tag.
 */

/** One segment of a field path: a mapping key, a list index, or a wildcard of either. */
export type FieldPathSegment = { key: string } | { index: number } | { anyKey: true } | { anyIndex: true };

const IDENT = /^[A-Za-z_$][\w$-]*/;

/** The segments of a field path or pattern, or why it is not one. Pure. */
export function parseFieldPath(path: string): { ok: true; segments: FieldPathSegment[] } | { ok: false; problem: string } {
  const segments: FieldPathSegment[] = [];
  let rest = path;
  let first = true;
  if (path.trim() === '') return { ok: false, problem: 'a field path must not be empty' };
  while (rest.length > 0) {
    if (rest.startsWith('[')) {
      const index = /^\[(\d+|\*)\]/.exec(rest);
      if (index) {
        segments.push(index[1] === '*' ? { anyIndex: true } : { index: Number(index[1]) });
        rest = rest.slice(index[0].length);
      } else {
        const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
        const key = quoted ? safeJson(quoted[1] ?? '') : undefined;
        if (!quoted || key === undefined)
          return { ok: false, problem: `"${path}" is not a field path: after "[" expected a list index, * or a "quoted key"` };
        segments.push({ key });
        rest = rest.slice(quoted[0].length);
      }
    } else {
      if (!first) {
        if (!rest.startsWith('.')) return { ok: false, problem: `"${path}" is not a field path: expected "." or "[" before "${rest}"` };
        rest = rest.slice(1);
      }
      if (rest.startsWith('*')) {
        segments.push({ anyKey: true });
        rest = rest.slice(1);
      } else {
        const ident = IDENT.exec(rest);
        if (!ident)
          return {
            ok: false,
            problem: `"${path}" is not a field path: "${rest}" does not start with a key; write keys that are not identifiers as ["…"]`,
          };
        segments.push({ key: ident[0] });
        rest = rest.slice(ident[0].length);
      }
    }
    first = false;
  }
  return { ok: true, segments };
}

function safeJson(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A field path as a drift report writes it, wildcards allowed. */
export const FieldPathPattern = z.string().superRefine((value, ctx) => {
  const r = parseFieldPath(value);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.problem });
});

/** A Pulumi resource type token such as `driftless-aws:sqs:Queue` or `aws:s3/bucket:Bucket`. */
const ResourceType = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]*:[A-Za-z0-9_.-]+$/, 'must be a resource type such as driftless-aws:sqs:Queue');

/**
 * One ignore rule: a path (every resource of the stack), or `{ path, type?, name? }` to
 * limit it to resources of one type and/or one resource name as drift reports show them.
 */
export const DriftIgnoreRule = z.union([
  FieldPathPattern,
  z.strictObject({
    path: FieldPathPattern,
    type: ResourceType.optional(),
    name: z.string().min(1, 'must name a resource').optional(),
  }),
]);
/** One ignore rule as written in YAML. */
export type DriftIgnoreRule = z.infer<typeof DriftIgnoreRule>;

/** `spec.drift.ignore` of an Environment or a Stack. */
export const DriftIgnore = z.array(DriftIgnoreRule).max(100, 'at most 100 ignore rules are allowed');
