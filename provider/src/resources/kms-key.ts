import type { KMSClient, KeyMetadata } from '@aws-sdk/client-kms';
import { z } from 'zod';
import { awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { canonicalPolicy, parseJson } from '../canonical.js';
import { defineHandler } from '../handler.js';
import { liveInputs, PolicyDocument, Tags } from '../schema-helpers.js';
import { KEY_TOKEN } from '../../sdk/tokens.js';
import { allPages } from './pages.js';
import { tagChanges } from './tag-changes.js';

const kms = awsService(
  () => import('@aws-sdk/client-kms'),
  (sdk, settings): KMSClient => new sdk.KMSClient(settings),
);

const SYMMETRIC = 'SYMMETRIC_DEFAULT';
const KEY_SPECS = [
  SYMMETRIC,
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
] as const;

/** Which key usages each family of key specs allows (AWS rejects other pairs at create). */
function usagesFor(spec: string): readonly string[] {
  if (spec === SYMMETRIC) return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('RSA_')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec.startsWith('HMAC_')) return ['GENERATE_VERIFY_MAC'];
  return ['SIGN_VERIFY'];
}

/** A key's inputs after check, in the form `read` returns too. */
export const KeyInputs = z
  .strictObject({
    /** KMS stores an absent description as "". */
    description: z.string().max(8192).default(''),
    keySpec: z.enum(KEY_SPECS).default(SYMMETRIC),
    keyUsage: z.enum(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC']).default('ENCRYPT_DECRYPT'),
    enabled: z.boolean().default(true),
    enableKeyRotation: z.boolean().default(false),
    /** Key policy; absent means the default policy KMS gives every key (the account's root may use it). */
    policy: PolicyDocument.optional(),
    /** Waiting period when the key is deleted; a setting of this provider, not of the key. */
    deletionWindowInDays: z.number().int().min(7).max(30).default(7),
    tags: Tags,
  })
  .superRefine((k, ctx) => {
    if (!usagesFor(k.keySpec).includes(k.keyUsage)) {
      ctx.addIssue({
        code: 'custom',
        path: ['keyUsage'],
        message: `${k.keyUsage} is not possible with keySpec ${k.keySpec} (allowed: ${usagesFor(k.keySpec).join(', ')})`,
      });
    }
    if (k.enableKeyRotation && k.keySpec !== SYMMETRIC) {
      ctx.addIssue({ code: 'custom', path: ['enableKeyRotation'], message: `automatic rotation needs keySpec ${SYMMETRIC}` });
    }
  });
/** A key's inputs after check. */
export type KeyInputs = z.output<typeof KeyInputs>;

/** Computed attributes of a key. */
export interface KeyAttributes extends Record<string, unknown> {
  arn: string;
  keyId: string;
}

/** The policy KMS attaches when none is given, for the account that owns `keyArn`. */
function defaultKeyPolicy(keyArn: string): string {
  const account = keyArn.split(':')[4] ?? '';
  const partition = keyArn.split(':')[1] ?? 'aws';
  return canonicalPolicy({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

/** The live policy in input form: absent when it is the default one. */
function policyInputForm(text: string, keyArn: string): string | undefined {
  const parsed = parseJson(text);
  const canonical = parsed.ok ? canonicalPolicy(parsed.value) : text;
  return canonical === defaultKeyPolicy(keyArn) ? undefined : canonical;
}

/** KMS spells tags `{ TagKey, TagValue }`. */
function kmsTagList(tags: Record<string, string>): { TagKey: string; TagValue: string }[] {
  return Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

/** A key scheduled for deletion can never be used again: for drift and delete it is gone. */
function isGone(meta: KeyMetadata | undefined): boolean {
  return !meta || meta.KeyState === 'PendingDeletion' || meta.KeyState === 'PendingReplicaDeletion';
}

async function describe(keyId: string): Promise<KeyMetadata | undefined> {
  const { sdk, client } = await kms();
  const d = await unlessNotFound('KMS DescribeKey', () => client.send(new sdk.DescribeKeyCommand({ KeyId: keyId })));
  return d?.KeyMetadata;
}

async function setRotation(keyId: string, on: boolean): Promise<void> {
  const { sdk, client } = await kms();
  await awsCall(on ? 'KMS EnableKeyRotation' : 'KMS DisableKeyRotation', () =>
    client.send(on ? new sdk.EnableKeyRotationCommand({ KeyId: keyId }) : new sdk.DisableKeyRotationCommand({ KeyId: keyId })),
  );
}

/** KMS key: description, spec and usage, enabled state, rotation, key policy, tags. */
export const kmsKey = defineHandler({
  token: KEY_TOKEN,
  schema: KeyInputs,
  rules: {
    description: 'update',
    keySpec: 'replace',
    keyUsage: 'replace',
    enabled: 'update',
    enableKeyRotation: 'update',
    policy: 'update',
    deletionWindowInDays: 'update',
    tags: 'update',
  },

  async create(k) {
    const { sdk, client } = await kms();
    const out = await awsCall('KMS CreateKey', () =>
      client.send(
        new sdk.CreateKeyCommand({
          Description: k.description,
          KeySpec: k.keySpec,
          KeyUsage: k.keyUsage,
          Policy: k.policy,
          Tags: kmsTagList(k.tags),
        }),
      ),
    );
    const meta = out.KeyMetadata;
    const keyId = meta?.KeyId ?? '';
    try {
      if (k.enableKeyRotation) await setRotation(keyId, true);
      if (!k.enabled) await awsCall('KMS DisableKey', () => client.send(new sdk.DisableKeyCommand({ KeyId: keyId })));
    } catch (err) {
      // create is transactional for the engine: do not leave a key nobody tracks.
      await scheduleDeletion(keyId, k.deletionWindowInDays);
      throw err;
    }
    return { id: keyId, attributes: { arn: meta?.Arn ?? '', keyId } };
  },

  async read(keyId, current) {
    const { sdk, client } = await kms();
    const meta = await describe(keyId);
    if (!meta || isGone(meta)) return undefined;
    const arn = meta.Arn ?? '';
    const spec = meta.KeySpec ?? SYMMETRIC;
    const [policy, rotation, tagPages] = await Promise.all([
      awsCall('KMS GetKeyPolicy', () => client.send(new sdk.GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))),
      // Only symmetric keys rotate; KMS refuses to answer the question for the others.
      spec === SYMMETRIC
        ? awsCall('KMS GetKeyRotationStatus', () => client.send(new sdk.GetKeyRotationStatusCommand({ KeyId: keyId })))
        : Promise.resolve({ KeyRotationEnabled: false }),
      awsCall('KMS ListResourceTags', () => allPages(sdk.paginateListResourceTags({ client }, { KeyId: keyId }))),
    ]);
    return {
      inputs: liveInputs(
        KeyInputs,
        {
          description: meta.Description,
          keySpec: spec,
          keyUsage: meta.KeyUsage,
          enabled: meta.Enabled ?? meta.KeyState === 'Enabled',
          enableKeyRotation: rotation.KeyRotationEnabled ?? false,
          policy: policyInputForm(policy.Policy ?? '', arn),
          deletionWindowInDays: current.deletionWindowInDays,
          tags: Object.fromEntries(tagPages.flatMap((p) => p.Tags ?? []).map((t) => [t.TagKey ?? '', t.TagValue ?? ''])),
        },
        `key ${keyId}`,
      ),
      attributes: { arn, keyId },
    };
  },

  async update(keyId, olds, news, changed) {
    const { sdk, client } = await kms();
    if (changed.includes('description')) {
      await awsCall('KMS UpdateKeyDescription', () =>
        client.send(new sdk.UpdateKeyDescriptionCommand({ KeyId: keyId, Description: news.description })),
      );
    }
    const meta = await awsCall('KMS DescribeKey', () => client.send(new sdk.DescribeKeyCommand({ KeyId: keyId })));
    const arn = meta.KeyMetadata?.Arn ?? '';
    if (changed.includes('policy')) {
      await awsCall('KMS PutKeyPolicy', () =>
        client.send(new sdk.PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: news.policy ?? defaultKeyPolicy(arn) })),
      );
    }
    if (changed.includes('enabled')) {
      await awsCall(news.enabled ? 'KMS EnableKey' : 'KMS DisableKey', () =>
        client.send(news.enabled ? new sdk.EnableKeyCommand({ KeyId: keyId }) : new sdk.DisableKeyCommand({ KeyId: keyId })),
      );
    }
    if (changed.includes('enableKeyRotation')) await setRotation(keyId, news.enableKeyRotation);
    const t = tagChanges(olds.tags, news.tags);
    if (t.remove.length)
      await awsCall('KMS UntagResource', () => client.send(new sdk.UntagResourceCommand({ KeyId: keyId, TagKeys: t.remove })));
    if (Object.keys(t.set).length) {
      await awsCall('KMS TagResource', () => client.send(new sdk.TagResourceCommand({ KeyId: keyId, Tags: kmsTagList(t.set) })));
    }
    return { arn, keyId };
  },

  async delete(keyId, current) {
    await scheduleDeletion(keyId, current.deletionWindowInDays);
  },
});

/** KMS never deletes a key at once: scheduling deletion is deleting it. Already scheduled or gone is done. */
async function scheduleDeletion(keyId: string, days: number): Promise<void> {
  const { sdk, client } = await kms();
  if (isGone(await describe(keyId))) return;
  await unlessNotFound('KMS ScheduleKeyDeletion', () =>
    client.send(new sdk.ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days })),
  );
}
