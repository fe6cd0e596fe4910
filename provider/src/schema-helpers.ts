import { z } from 'zod';
import { canonicalPolicy, parseJson } from './canonical.js';

/**
 * A policy document given as JSON text or as an object. The result is always the
 * canonical JSON text, so the stored inputs, the live state read back and the diff all
 * speak the same spelling. Text that is not JSON, or JSON that is not an object, is a
 * check failure on this property.
 */
export const PolicyDocument = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .transform((v, ctx) => {
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
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object (a policy document)' });
      return z.NEVER;
    }
    if (!('Statement' in doc)) {
      ctx.addIssue({ code: 'custom', message: 'is a JSON object without "Statement": not a policy document' });
      return z.NEVER;
    }
    return canonicalPolicy(doc);
  });

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
 * and the reason says what is wrong, so the CLI can print both.
 */
export function checkFailures(error: z.ZodError): CheckFailure[] {
  return error.issues.map((issue) => ({
    property: issue.path.map(String).join('.') || '(inputs)',
    reason: issue.message,
  }));
}
