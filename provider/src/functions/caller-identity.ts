import type { STSClient } from '@aws-sdk/client-sts';
import { awsService } from '../aws/clients.js';
import { awsCall } from '../aws/retry.js';
import { CALLER_IDENTITY_TOKEN } from '../../sdk/tokens.js';
import type { ProviderFunction } from './function.js';

const sts = awsService(
  () => import('@aws-sdk/client-sts'),
  (sdk, settings): STSClient => new sdk.STSClient(settings),
);

/**
 * The account, partition and ARN of the credentials the provider runs with: what a
 * program needs to write ARNs (and policies naming them) before the resources exist.
 * Resources the provider creates live in this account, so these ARNs are theirs.
 */
export const callerIdentity: ProviderFunction = {
  token: CALLER_IDENTITY_TOKEN,
  async invoke() {
    const { sdk, client } = await sts();
    const out = await awsCall('STS GetCallerIdentity', () => client.send(new sdk.GetCallerIdentityCommand({})));
    const arn = out.Arn ?? '';
    // arn:<partition>:sts::<account>:… ; "aws" unless the credentials say otherwise.
    return { accountId: out.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' };
  },
};
