import * as pulumi from '@pulumi/pulumi';
import { CALLER_IDENTITY_TOKEN } from './tokens.js';

/** Who the provider runs as. */
export interface CallerIdentity {
  /** 12-digit account id: resources the provider creates live in this account. */
  accountId: string;
  /** ARN of the calling principal. */
  arn: string;
  /** ARN partition (`aws`, `aws-cn`, `aws-us-gov`), for writing ARNs of other resources. */
  partition: string;
}

/**
 * The account, partition and ARN of the credentials the driftless-aws provider uses
 * (STS GetCallerIdentity), e.g. to write policies naming ARNs that do not exist yet.
 */
export function getCallerIdentity(opts?: pulumi.InvokeOutputOptions): pulumi.Output<CallerIdentity> {
  return pulumi.runtime.invokeOutput<CallerIdentity>(CALLER_IDENTITY_TOKEN, {}, opts);
}
