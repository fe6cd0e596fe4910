import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { liveInputs, Tags } from '../schema-helpers.js';
import { SECRET_TOKEN } from '../../sdk/tokens.js';
import { fromTagList, toTagList } from './tag-list.js';
import { tagChanges } from './tag-changes.js';

const sm = awsService(
  () => import('@aws-sdk/client-secrets-manager'),
  (sdk, settings): SecretsManagerClient => new sdk.SecretsManagerClient(settings),
);

/** The key Secrets Manager uses when none is named; folded to "absent" both ways. */
const DEFAULT_KEY = 'alias/aws/secretsmanager';

/** A secret's inputs after check, in the form `read` returns too. */
export const SecretInputs = z.strictObject({
  name: z
    .string()
    .max(512, 'a secret name has at most 512 characters')
    .regex(/^[A-Za-z0-9/_+=.@!-]+$/, 'a secret name has only letters, digits and /_+=.@!-'),
  description: z.string().max(2048).optional(),
  /** KMS key the value is encrypted with; absent means the AWS-managed key. */
  kmsKeyId: z
    .string()
    .min(1)
    .optional()
    .transform((k) => (k === DEFAULT_KEY ? undefined : k)),
  /** The secret's value; always stored and shown as a Pulumi secret. */
  secretString: z.string().min(1, 'must not be empty').max(65_536, 'has at most 65536 characters'),
  tags: Tags,
});
/** A secret's inputs after check. */
export type SecretInputs = z.output<typeof SecretInputs>;

/** Computed attributes of a secret. */
export interface SecretAttributes extends Record<string, unknown> {
  arn: string;
}

/**
 * Secrets Manager secret. The id is the ARN (names are reused after deletion, ARNs
 * never are). Deletion skips the recovery window, so a replacement can take the
 * name at once and `destroy` leaves nothing behind; a secret scheduled for deletion
 * out-of-band counts as gone.
 */
export const secretsManagerSecret = defineHandler({
  token: SECRET_TOKEN,
  schema: SecretInputs,
  secrets: ['secretString'],
  rules: {
    name: 'replace',
    description: 'update',
    kmsKeyId: 'update',
    secretString: 'update',
    tags: 'update',
  },
  naming: {
    property: 'name',
    generate: (logical, suffix) => generatedName(logical, suffix, { maxLength: 512, allowed: /[A-Za-z0-9/_+=.@!-]/ }),
  },

  async create(s) {
    const { sdk, client } = await sm();
    const out = await awsCall('SecretsManager CreateSecret', () =>
      client.send(
        new sdk.CreateSecretCommand({
          Name: s.name,
          Description: s.description,
          KmsKeyId: s.kmsKeyId,
          SecretString: s.secretString,
          Tags: toTagList(s.tags),
        }),
      ),
    );
    const arn = out.ARN ?? '';
    return { id: arn, attributes: { arn } };
  },

  async read(arn) {
    const { sdk, client } = await sm();
    const d = await unlessNotFound('SecretsManager DescribeSecret', () => client.send(new sdk.DescribeSecretCommand({ SecretId: arn })));
    if (!d || d.DeletedDate) return undefined;
    const v = await unlessNotFound('SecretsManager GetSecretValue', () => client.send(new sdk.GetSecretValueCommand({ SecretId: arn })));
    if (!v) return undefined;
    return {
      inputs: liveInputs(
        SecretInputs,
        {
          name: d.Name,
          description: d.Description || undefined,
          kmsKeyId: d.KmsKeyId,
          secretString: v.SecretString,
          tags: fromTagList(d.Tags),
        },
        `secret ${arn}`,
      ),
      attributes: { arn },
    };
  },

  async update(arn, olds, news, changed) {
    const { sdk, client } = await sm();
    if (changed.includes('description') || changed.includes('kmsKeyId')) {
      await awsCall('SecretsManager UpdateSecret', () =>
        client.send(
          new sdk.UpdateSecretCommand({
            SecretId: arn,
            Description: news.description ?? '',
            KmsKeyId: changed.includes('kmsKeyId') ? (news.kmsKeyId ?? DEFAULT_KEY) : undefined,
          }),
        ),
      );
    }
    if (changed.includes('secretString')) {
      await awsCall('SecretsManager PutSecretValue', () =>
        client.send(new sdk.PutSecretValueCommand({ SecretId: arn, SecretString: news.secretString })),
      );
    }
    const t = tagChanges(olds.tags, news.tags);
    if (t.remove.length) {
      await awsCall('SecretsManager UntagResource', () => client.send(new sdk.UntagResourceCommand({ SecretId: arn, TagKeys: t.remove })));
    }
    if (Object.keys(t.set).length) {
      await awsCall('SecretsManager TagResource', () => client.send(new sdk.TagResourceCommand({ SecretId: arn, Tags: toTagList(t.set) })));
    }
    return { arn };
  },

  async delete(arn) {
    const { sdk, client } = await sm();
    await unlessNotFound('SecretsManager DeleteSecret', () =>
      client.send(new sdk.DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true })),
    );
  },
});
