import type { SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { liveInputs, Tags } from '../schema-helpers.js';
import { PARAMETER_TOKEN } from '../../sdk/tokens.js';
import { fromTagList, toTagList } from './tag-list.js';
import { tagChanges } from './tag-changes.js';

const ssm = awsService(
  () => import('@aws-sdk/client-ssm'),
  (sdk, settings): SSMClient => new sdk.SSMClient(settings),
);

/** The key SSM encrypts a SecureString with when none is named; read folds it back to "absent". */
const DEFAULT_KEY = 'alias/aws/ssm';

/** A parameter's inputs after check, in the form `read` returns too. */
export const ParameterInputs = z
  .strictObject({
    name: z
      .string()
      .max(1011, 'a parameter name has at most 1011 characters')
      .regex(/^[A-Za-z0-9_.\-/]+$/, 'a parameter name has only letters, digits and _.-/')
      .refine((n) => !/^\/?(aws|ssm)/i.test(n), 'a parameter name must not begin with "aws" or "ssm"')
      .refine((n) => !n.includes('/') || n.startsWith('/'), 'a hierarchical parameter name starts with "/"'),
    type: z.enum(['String', 'StringList', 'SecureString']),
    /**
     * A StringList's items comma-separated, as SSM stores and returns them. Length is
     * checked here rather than by SSM, whose error message would quote the value.
     */
    value: z.string().min(1, 'must not be empty').max(4096, 'has at most 4096 characters'),
    description: z.string().max(1024).optional(),
    /** KMS key of a SecureString; absent (or the AWS-managed key) means the AWS-managed key. */
    keyId: z
      .string()
      .min(1)
      .optional()
      .transform((k) => (k === DEFAULT_KEY ? undefined : k)),
    allowedPattern: z.string().max(1024).optional(),
    tags: Tags,
  })
  .superRefine((p, ctx) => {
    if (p.keyId !== undefined && p.type !== 'SecureString') {
      ctx.addIssue({ code: 'custom', path: ['keyId'], message: 'applies only to type SecureString' });
    }
  });
/** A parameter's inputs after check. */
export type ParameterInputs = z.output<typeof ParameterInputs>;

/** Computed attributes of a parameter. */
export interface ParameterAttributes extends Record<string, unknown> {
  arn: string;
  version: number;
}

async function putParameter(p: ParameterInputs, overwrite: boolean): Promise<number> {
  const { sdk, client } = await ssm();
  const out = await awsCall('SSM PutParameter', () =>
    client.send(
      new sdk.PutParameterCommand({
        Name: p.name,
        Type: p.type,
        Value: p.value,
        // '' clears a description or pattern on overwrite; absent would keep the old one.
        Description: overwrite ? (p.description ?? '') : p.description,
        KeyId: p.keyId,
        AllowedPattern: overwrite ? (p.allowedPattern ?? '') : p.allowedPattern,
        Overwrite: overwrite,
        // SSM refuses tags together with Overwrite; tags are applied separately then.
        Tags: overwrite ? undefined : toTagList(p.tags),
      }),
    ),
  );
  return out.Version ?? 0;
}

/** SSM parameter: String, StringList or SecureString. Its value is always a secret output. */
export const ssmParameter = defineHandler({
  token: PARAMETER_TOKEN,
  schema: ParameterInputs,
  secrets: ['value'],
  rules: {
    name: 'replace',
    type: 'replace',
    value: 'update',
    description: 'update',
    keyId: 'update',
    allowedPattern: 'update',
    tags: 'update',
  },
  naming: {
    property: 'name',
    generate: (logical, suffix) => generatedName(logical, suffix, { maxLength: 1011, allowed: /[A-Za-z0-9_.-]/ }),
  },

  async create(p) {
    const version = await putParameter(p, false);
    return { id: p.name, attributes: await parameterAttributes(p.name, version) };
  },

  async read(name) {
    const { sdk, client } = await ssm();
    const got = await unlessNotFound('SSM GetParameter', () =>
      client.send(new sdk.GetParameterCommand({ Name: name, WithDecryption: true })),
    );
    const param = got?.Parameter;
    if (!param) return undefined;
    const [described, tags] = await Promise.all([
      awsCall('SSM DescribeParameters', () =>
        client.send(new sdk.DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }] })),
      ),
      awsCall('SSM ListTagsForResource', () =>
        client.send(new sdk.ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name })),
      ),
    ]);
    const meta = described.Parameters?.[0];
    return {
      inputs: liveInputs(
        ParameterInputs,
        {
          name,
          type: param.Type,
          value: param.Value,
          description: meta?.Description || undefined,
          keyId: param.Type === 'SecureString' ? meta?.KeyId : undefined,
          allowedPattern: meta?.AllowedPattern || undefined,
          tags: fromTagList(tags.TagList),
        },
        `parameter ${name}`,
      ),
      attributes: { arn: param.ARN ?? '', version: param.Version ?? 0 },
    };
  },

  async update(name, olds, news, changed) {
    const { sdk, client } = await ssm();
    let version: number | undefined;
    if (changed.some((k) => k !== 'tags')) version = await putParameter(news, true);
    const t = tagChanges(olds.tags, news.tags);
    if (t.remove.length) {
      await awsCall('SSM RemoveTagsFromResource', () =>
        client.send(new sdk.RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: name, TagKeys: t.remove })),
      );
    }
    if (Object.keys(t.set).length) {
      await awsCall('SSM AddTagsToResource', () =>
        client.send(new sdk.AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: toTagList(t.set) })),
      );
    }
    return parameterAttributes(name, version);
  },

  async delete(name) {
    const { sdk, client } = await ssm();
    await unlessNotFound('SSM DeleteParameter', () => client.send(new sdk.DeleteParameterCommand({ Name: name })));
  },
});

/** ARN and version, read without decryption (a SecureString value is not decrypted for this). */
async function parameterAttributes(name: string, version?: number): Promise<ParameterAttributes> {
  const { sdk, client } = await ssm();
  const got = await awsCall('SSM GetParameter', () => client.send(new sdk.GetParameterCommand({ Name: name })), {
    alsoRetry: ['NotFound'],
  });
  return { arn: got.Parameter?.ARN ?? '', version: version ?? got.Parameter?.Version ?? 0 };
}
