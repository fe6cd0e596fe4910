import { z } from 'zod';
import { canonicalJson, canonicalPolicy, parseJson } from './canonical.js';

/**
 * A JSON object given as text or as an object; the result is always canonical JSON
 * text, so stored inputs, the live state read back and the diff all speak the same
 * spelling. Text that is not JSON, or JSON that is not an object, is a check failure
 * on the property that holds it.
 */
function jsonObjectText(what: string, canonical: (doc: object) => string, mustHave?: string) {
  return z.union([z.string(), z.record(z.string(), z.unknown())]).transform((v, ctx) => {
    let doc: unknown = v;
    if (typeof v === 'string') {
      const parsed = parseJson(v);
      if (!parsed.ok) {
        ctx.addIssue({ code: 'custom', message: `is not valid JSON (${parsed.message})` });
        return z.NEVER;
      }
      doc = parsed.value;
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      ctx.addIssue({ code: 'custom', message: `must be a JSON object (${what})` });
      return z.NEVER;
    }
    if (mustHave !== undefined && !(mustHave in doc)) {
      ctx.addIssue({ code: 'custom', message: `is a JSON object without "${mustHave}": not ${what}` });
      return z.NEVER;
    }
    return canonical(doc);
  });
}

/** An IAM-style policy document (canonical text; one-item lists folded, see `canonicalPolicy`). */
export const PolicyDocument = jsonObjectText('a policy document', canonicalPolicy, 'Statement');

/** Any JSON object, e.g. an SNS filter policy (canonical text, key order ignored). */
export const JsonDocument = jsonObjectText('a JSON object', canonicalJson);

/** AWS resource tags; absent means none, so `{}` is the default and compares equal to absent. */
export const Tags = z
  .record(
    z.string().min(1, 'tag keys must not be empty').max(128, 'tag keys have at most 128 characters'),
    z.string().max(256, 'tag values have at most 256 characters'),
  )
  .default({});

/** One check failure in the engine's shape. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/**
 * Zod issues as check failures: the property path is dotted (`redrivePolicy.maxReceiveCount`)
 * and the reason says what is wrong, so the CLI can print both. Unknown keys are errors
 * (typos must not pass silently), each reported at its own path.
 */
export function checkFailures(error: z.ZodError): CheckFailure[] {
  return error.issues.flatMap((issue) => {
    const at = (path: PropertyKey[]) => path.map(String).join('.') || '(inputs)';
    // A typo'd property is named itself, not its parent object.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ property: at([...issue.path, k]), reason: 'is not a known property (a typo?)' }));
    }
    return [{ property: at(issue.path), reason: issue.message }];
  });
}

/**
 * Live state, as built by a handler's `read`, parsed through the same schema as check,
 * so canonical forms (policies, defaults) are identical on both sides of a diff. Live
 * state the schema cannot represent is reported, not silently replaced by the inputs.
 */
export function liveInputs<S extends z.ZodType>(schema: S, live: unknown, resource: string): z.output<S> {
  const parsed = schema.safeParse(live);
  if (parsed.success) return parsed.data;
  const why = checkFailures(parsed.error)
    .map((f) => `${f.property} ${f.reason}`)
    .join('; ');
  throw new Error(`${resource}: the live state cannot be expressed as inputs (${why})`);
}

/**
 * Checks the name rules SQS queues and SNS topics share: letters, digits, `-` and `_` up to
 * `maxLength`, and `.fifo` at the end exactly when the resource is FIFO (counted in the
 * length). Issues name the property the user wrote.
 */
export function checkFifoAwareName(
  ctx: z.RefinementCtx,
  v: { name: string; fifo: boolean; contentBasedDeduplication?: boolean | undefined },
  rule: { kind: 'queue' | 'topic'; maxLength: number; fifoFlag: string },
): void {
  const plain = new RegExp(`^[A-Za-z0-9_-]{1,${rule.maxLength}}$`);
  const fifo = new RegExp(`^[A-Za-z0-9_-]{1,${rule.maxLength - 5}}\\.fifo$`);
  if (v.fifo && !fifo.test(v.name)) {
    ctx.addIssue({
      code: 'custom',
      path: ['name'],
      message: `"${v.name}" is not a FIFO ${rule.kind} name: 1-${rule.maxLength - 5} letters, digits, "-" or "_", then ".fifo"`,
    });
  } else if (!v.fifo && !plain.test(v.name)) {
    ctx.addIssue({
      code: 'custom',
      path: ['name'],
      message: `"${v.name}" is not a ${rule.kind} name: 1-${rule.maxLength} letters, digits, "-" or "_" (".fifo" only with ${rule.fifoFlag}: true)`,
    });
  }
  if (v.contentBasedDeduplication && !v.fifo) {
    ctx.addIssue({ code: 'custom', path: ['contentBasedDeduplication'], message: `needs ${rule.fifoFlag}: true` });
  }
}
