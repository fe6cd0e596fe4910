import { DescribeKeyCommand, KMSClient, paginateListKeys } from '@aws-sdk/client-kms';
import { awsTestConfig } from '../../support/aws.js';

/** The KMS client the KMS suites use against the test LocalStack. */
export const kms = new KMSClient(awsTestConfig());

/**
 * Keys whose description starts with `prefix` and that are not scheduled for deletion
 * (KMS never deletes a key at once: a key pending deletion is gone for every purpose).
 */
export async function liveKeysDescribed(prefix: string): Promise<{ keyId: string; description: string }[]> {
  const found: { keyId: string; description: string }[] = [];
  for await (const page of paginateListKeys({ client: kms }, {})) {
    for (const k of page.Keys ?? []) {
      const meta = (await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata;
      if (meta?.Description?.startsWith(prefix) && meta.KeyState !== 'PendingDeletion') {
        found.push({ keyId: meta.KeyId ?? '', description: meta.Description });
      }
    }
  }
  return found;
}
