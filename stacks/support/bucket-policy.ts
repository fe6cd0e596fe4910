import { dependencyString, type TemplateContext } from '../../sdk/template/index.js';
import type { BucketParams } from '../bucket/params.js';

/** An IAM policy document as plain JSON (a type alias, so it is a JSON record too). */
export type PolicyDocument = {
  Version: '2012-10-17';
  Statement: Record<string, unknown>[];
};

/**
 * The bucket policy of the `bucket` template's `policy` params: principals are
 * ARNs or other stacks' outputs, and `objects` patterns are placed under this bucket, so
 * YAML can never grant access to another bucket through this one.
 */
export function bucketPolicyDocument(
  bucketArn: string,
  statements: NonNullable<BucketParams['policy']>,
  ctx: TemplateContext,
): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect,
      Principal: { AWS: s.principals.map((p) => (typeof p === 'string' ? p : dependencyString(p, ctx))) },
      Action: s.actions,
      Resource: s.objects.length === 0 ? [bucketArn] : s.objects.map((o) => `${bucketArn}/${o.replace(/^\/+/, '')}`),
    })),
  };
}
