import { DisableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { Key } from '../../../provider/sdk/index.js';
import { uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';
import { kms, liveKeysDescribed } from './kms-support.js';

const prefix = uniqueName('conf-kms-key');

// Keys out of order and one-item lists, as people write them; KMS's own default names the root.
const keyPolicy = {
  Statement: [{ Resource: ['*'], Action: ['kms:*'], Principal: { AWS: ['arn:aws:iam::000000000000:root'] }, Effect: 'Allow', Sid: 'root' }],
  Version: '2012-10-17',
};

conformanceSuite({
  name: 'kms-key',
  token: 'driftless-aws:kms:Key',
  program: (phase: Phase) => async () => {
    const key = new Key('data', {
      description: phase === 'create' ? `${prefix} data key` : `${prefix} data key (orders)`,
      // Replacing: a key's spec cannot change in place.
      keySpec: phase === 'replace' ? 'RSA_2048' : 'SYMMETRIC_DEFAULT',
      policy: keyPolicy,
      tags: { team: 'payments' },
    });
    return { id: key.id };
  },
  changeOutOfBand: async (keyId) => {
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    return { field: 'enabled', actual: false };
  },
  deleteOutOfBand: async (keyId) => {
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  },
  leftovers: async () => (await liveKeysDescribed(prefix)).map((k) => k.keyId),
  invalid: [
    {
      what: 'a wrong type',
      property: 'enabled',
      program: async () => {
        new Key('bad-type', { description: `${prefix} bad`, enabled: 'yes' as unknown as boolean });
      },
    },
    {
      what: 'bad policy JSON',
      property: 'policy',
      program: async () => {
        new Key('bad-policy', { description: `${prefix} bad policy`, policy: '{"Statement": [' });
      },
    },
    {
      what: 'a usage the key spec does not allow',
      property: 'keyUsage',
      program: async () => {
        new Key('bad-usage', { description: `${prefix} bad usage`, keyUsage: 'SIGN_VERIFY' });
      },
    },
  ],
});
