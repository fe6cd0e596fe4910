import { DeleteAliasCommand, paginateListAliases, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { Alias, Key } from '../../../provider/sdk/index.js';
import { uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';
import { kms, liveKeysDescribed } from './kms-support.js';

const prefix = uniqueName('conf-kms-alias');

conformanceSuite({
  name: 'kms-alias',
  token: 'driftless-aws:kms:Alias',
  program: (phase: Phase) => async () => {
    const first = new Key('first', { description: `${prefix} first` });
    const second = new Key('second', { description: `${prefix} second` });
    const alias = new Alias('orders', {
      name: phase === 'replace' ? `alias/${prefix}-orders-v2` : `alias/${prefix}-orders`,
      // Given as an ARN: stored (and read back) as the key id, so no diff.
      targetKeyId: phase === 'create' ? first.arn : second.keyId,
    });
    return { id: alias.id };
  },
  changeOutOfBand: async (name) => {
    const first = (await liveKeysDescribed(`${prefix} first`))[0]?.keyId ?? '';
    await kms.send(new UpdateAliasCommand({ AliasName: name, TargetKeyId: first }));
    return { field: 'targetKeyId', actual: first };
  },
  deleteOutOfBand: async (name) => {
    await kms.send(new DeleteAliasCommand({ AliasName: name }));
  },
  leftovers: async () => {
    const aliases: string[] = [];
    for await (const page of paginateListAliases({ client: kms }, {})) {
      aliases.push(...(page.Aliases ?? []).map((a) => a.AliasName ?? '').filter((n) => n.startsWith(`alias/${prefix}`)));
    }
    return [...aliases, ...(await liveKeysDescribed(prefix)).map((k) => k.keyId)];
  },
  invalid: [
    {
      what: 'a wrong type',
      property: 'targetKeyId',
      program: async () => {
        new Alias('bad-type', { name: `alias/${prefix}-bad`, targetKeyId: 42 as unknown as string });
      },
    },
    {
      what: 'a bad name',
      property: 'name',
      program: async () => {
        new Alias('bad-name', { name: `${prefix}-no-alias-prefix`, targetKeyId: '11111111-2222-3333-4444-555555555555' });
      },
    },
    {
      what: 'a name reserved for AWS',
      property: 'name',
      program: async () => {
        new Alias('aws-name', { name: 'alias/aws/orders', targetKeyId: '11111111-2222-3333-4444-555555555555' });
      },
    },
  ],
});
