import type { KMSClient } from '@aws-sdk/client-kms';
import { z } from 'zod';
import { awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { liveInputs } from '../schema-helpers.js';
import { ALIAS_TOKEN } from '../../sdk/tokens.js';
import { allPages } from './pages.js';

const kms = awsService(
  () => import('@aws-sdk/client-kms'),
  (sdk, settings): KMSClient => new sdk.KMSClient(settings),
);

/** A key ARN names the key by id; the id is what ListAliases reports, so that is the input form. */
const KEY_ARN = /^arn:[^:]+:kms:[^:]*:[^:]*:key\/(.+)$/;

/** An alias's inputs after check, in the form `read` returns too. */
export const AliasInputs = z.strictObject({
  name: z
    .string()
    .max(256, 'an alias name has at most 256 characters')
    .regex(/^alias\/[A-Za-z0-9/_-]+$/, 'an alias name is "alias/" followed by letters, digits and /_-')
    .refine((n) => !n.startsWith('alias/aws/'), 'names starting "alias/aws/" are reserved for AWS-managed keys'),
  /** The key the alias points at: its id or ARN. */
  targetKeyId: z
    .string()
    .min(1, 'must name a KMS key (id or ARN)')
    .transform((k) => KEY_ARN.exec(k)?.[1] ?? k),
});
/** An alias's inputs after check. */
export type AliasInputs = z.output<typeof AliasInputs>;

/** Computed attributes of an alias. */
export interface AliasAttributes extends Record<string, unknown> {
  arn: string;
}

/** The alias as ListAliases reports it (KMS has no call that describes one alias). */
async function findAlias(name: string) {
  const { sdk, client } = await kms();
  const pages = await awsCall('KMS ListAliases', () => allPages(sdk.paginateListAliases({ client }, {})));
  return pages.flatMap((p) => p.Aliases ?? []).find((a) => a.AliasName === name);
}

/** KMS alias: a name pointing at a key, retargeted in place. */
export const kmsAlias = defineHandler({
  token: ALIAS_TOKEN,
  schema: AliasInputs,
  rules: { name: 'replace', targetKeyId: 'update' },
  naming: {
    property: 'name',
    generate: (logical, suffix) => `alias/${generatedName(logical, suffix, { maxLength: 250, allowed: /[A-Za-z0-9/_-]/ })}`,
  },

  async create(a) {
    const { sdk, client } = await kms();
    await awsCall('KMS CreateAlias', () => client.send(new sdk.CreateAliasCommand({ AliasName: a.name, TargetKeyId: a.targetKeyId })));
    return { id: a.name, attributes: await aliasAttributes(a.name) };
  },

  async read(name) {
    const alias = await findAlias(name);
    if (!alias) return undefined;
    return {
      inputs: liveInputs(AliasInputs, { name, targetKeyId: alias.TargetKeyId }, `alias ${name}`),
      attributes: { arn: alias.AliasArn ?? '' },
    };
  },

  async update(name, _olds, news) {
    const { sdk, client } = await kms();
    await awsCall('KMS UpdateAlias', () => client.send(new sdk.UpdateAliasCommand({ AliasName: name, TargetKeyId: news.targetKeyId })));
    return aliasAttributes(name);
  },

  async delete(name) {
    const { sdk, client } = await kms();
    await unlessNotFound('KMS DeleteAlias', () => client.send(new sdk.DeleteAliasCommand({ AliasName: name })));
  },
});

async function aliasAttributes(name: string): Promise<AliasAttributes> {
  return { arn: (await findAlias(name))?.AliasArn ?? '' };
}
