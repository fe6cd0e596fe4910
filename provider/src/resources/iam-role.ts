import type { IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound, type RetryPolicy } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { liveInputs, PolicyDocument, Tags } from '../schema-helpers.js';
import { ROLE_TOKEN } from '../../sdk/tokens.js';
import { allPages } from './pages.js';
import { fromTagList, toTagList } from './tag-list.js';
import { tagChanges } from './tag-changes.js';

const iam = awsService(
  () => import('@aws-sdk/client-iam'),
  (sdk, settings): IAMClient => new sdk.IAMClient(settings),
);

/** IAM is eventually consistent: a role just created may not be found by the next call yet. */
const AFTER_CREATE: RetryPolicy = { alsoRetry: ['NotFound'], maxAttempts: 5 };

const IAM_NAME = /^[\w+=,.@-]+$/;

/** A role's inputs after check, in the form `read` returns too. */
export const RoleInputs = z.strictObject({
  name: z.string().max(64, 'a role name has at most 64 characters').regex(IAM_NAME, 'a role name has only letters, digits and +=,.@_-'),
  path: z
    .string()
    .max(512)
    .regex(/^\/(?:[\x21-\x7e]+\/)?$/, 'a path starts and ends with "/" (e.g. "/" or "/service/")')
    .default('/'),
  description: z.string().max(1000).optional(),
  assumeRolePolicy: PolicyDocument,
  maxSessionDurationSeconds: z.number().int().min(3600).max(43_200).default(3600),
  /** Inline policies by policy name. */
  inlinePolicies: z
    .record(z.string().max(128).regex(IAM_NAME, 'a policy name has only letters, digits and +=,.@_-'), PolicyDocument)
    .default({}),
  /** Managed policies attached to the role: a set, so order and duplicates never matter. */
  managedPolicyArns: z
    .array(z.string().regex(/^arn:[^:]+:iam::[^:]*:policy\/.+$/, 'must be the ARN of an IAM managed policy'))
    .default([])
    .transform((arns) => [...new Set(arns)].sort()),
  tags: Tags,
});
/** A role's inputs after check. */
export type RoleInputs = z.output<typeof RoleInputs>;

/** Computed attributes of a role. */
export interface RoleAttributes extends Record<string, unknown> {
  arn: string;
  uniqueId: string;
}

/** IAM hands policy documents back URL-encoded. */
function livePolicy(encoded: string | undefined): string {
  return decodeURIComponent(encoded ?? '');
}

async function putInlinePolicies(name: string, policies: Record<string, string>, policy: RetryPolicy = {}): Promise<void> {
  const { sdk, client } = await iam();
  for (const [policyName, doc] of Object.entries(policies)) {
    await awsCall(
      'IAM PutRolePolicy',
      () => client.send(new sdk.PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: doc })),
      policy,
    );
  }
}

async function attachPolicies(name: string, arns: readonly string[], policy: RetryPolicy = {}): Promise<void> {
  const { sdk, client } = await iam();
  for (const arn of arns) {
    await awsCall('IAM AttachRolePolicy', () => client.send(new sdk.AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn })), policy);
  }
}

/** Removes everything IAM refuses to delete a role with, then the role; gone counts as deleted. */
async function deleteRole(name: string): Promise<void> {
  const { sdk, client } = await iam();
  const attached = await unlessNotFound('IAM ListAttachedRolePolicies', () =>
    allPages(sdk.paginateListAttachedRolePolicies({ client }, { RoleName: name })),
  );
  if (!attached) return;
  for (const p of attached.flatMap((page) => page.AttachedPolicies ?? [])) {
    await unlessNotFound('IAM DetachRolePolicy', () =>
      client.send(new sdk.DetachRolePolicyCommand({ RoleName: name, PolicyArn: p.PolicyArn })),
    );
  }
  const inline = await unlessNotFound('IAM ListRolePolicies', () => allPages(sdk.paginateListRolePolicies({ client }, { RoleName: name })));
  for (const policyName of inline?.flatMap((page) => page.PolicyNames ?? []) ?? []) {
    await unlessNotFound('IAM DeleteRolePolicy', () =>
      client.send(new sdk.DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName })),
    );
  }
  const profiles = await unlessNotFound('IAM ListInstanceProfilesForRole', () =>
    allPages(sdk.paginateListInstanceProfilesForRole({ client }, { RoleName: name })),
  );
  for (const p of profiles?.flatMap((page) => page.InstanceProfiles ?? []) ?? []) {
    await unlessNotFound('IAM RemoveRoleFromInstanceProfile', () =>
      client.send(new sdk.RemoveRoleFromInstanceProfileCommand({ RoleName: name, InstanceProfileName: p.InstanceProfileName })),
    );
  }
  await unlessNotFound('IAM DeleteRole', () => client.send(new sdk.DeleteRoleCommand({ RoleName: name })));
}

/** IAM role: assume-role policy, inline policies, managed policy attachments, tags. */
export const iamRole = defineHandler({
  token: ROLE_TOKEN,
  schema: RoleInputs,
  rules: {
    name: 'replace',
    path: 'replace',
    description: 'update',
    assumeRolePolicy: 'update',
    maxSessionDurationSeconds: 'update',
    inlinePolicies: 'update',
    managedPolicyArns: 'update',
    tags: 'update',
  },
  naming: {
    property: 'name',
    generate: (logical, suffix) => generatedName(logical, suffix, { maxLength: 64, allowed: /[\w+=,.@-]/ }),
  },

  async create(r) {
    const { sdk, client } = await iam();
    const out = await awsCall('IAM CreateRole', () =>
      client.send(
        new sdk.CreateRoleCommand({
          RoleName: r.name,
          Path: r.path,
          Description: r.description,
          AssumeRolePolicyDocument: r.assumeRolePolicy,
          MaxSessionDuration: r.maxSessionDurationSeconds,
          Tags: toTagList(r.tags),
        }),
      ),
    );
    try {
      await putInlinePolicies(r.name, r.inlinePolicies, AFTER_CREATE);
      await attachPolicies(r.name, r.managedPolicyArns, AFTER_CREATE);
    } catch (err) {
      // create is transactional for the engine: a half-made role would be orphaned.
      await deleteRole(r.name);
      throw err;
    }
    return { id: r.name, attributes: { arn: out.Role?.Arn ?? '', uniqueId: out.Role?.RoleId ?? '' } };
  },

  async read(name) {
    const { sdk, client } = await iam();
    const got = await unlessNotFound('IAM GetRole', () => client.send(new sdk.GetRoleCommand({ RoleName: name })));
    const role = got?.Role;
    if (!role) return undefined;
    const [inlinePages, attachedPages, tagPages] = await Promise.all([
      awsCall('IAM ListRolePolicies', () => allPages(sdk.paginateListRolePolicies({ client }, { RoleName: name }))),
      awsCall('IAM ListAttachedRolePolicies', () => allPages(sdk.paginateListAttachedRolePolicies({ client }, { RoleName: name }))),
      awsCall('IAM ListRoleTags', () => allPages(sdk.paginateListRoleTags({ client }, { RoleName: name }))),
    ]);
    const inlinePolicies: Record<string, string> = {};
    for (const policyName of inlinePages.flatMap((p) => p.PolicyNames ?? [])) {
      const doc = await awsCall('IAM GetRolePolicy', () =>
        client.send(new sdk.GetRolePolicyCommand({ RoleName: name, PolicyName: policyName })),
      );
      inlinePolicies[policyName] = livePolicy(doc.PolicyDocument);
    }
    return {
      inputs: liveInputs(
        RoleInputs,
        {
          name: role.RoleName ?? name,
          path: role.Path,
          description: role.Description || undefined,
          assumeRolePolicy: livePolicy(role.AssumeRolePolicyDocument),
          maxSessionDurationSeconds: role.MaxSessionDuration,
          inlinePolicies,
          managedPolicyArns: attachedPages.flatMap((p) => p.AttachedPolicies ?? []).map((p) => p.PolicyArn),
          tags: fromTagList(tagPages.flatMap((p) => p.Tags ?? [])),
        },
        `role ${name}`,
      ),
      attributes: { arn: role.Arn ?? '', uniqueId: role.RoleId ?? '' },
    };
  },

  async update(name, olds, news, changed) {
    const { sdk, client } = await iam();
    if (changed.includes('description') || changed.includes('maxSessionDurationSeconds')) {
      await awsCall('IAM UpdateRole', () =>
        client.send(
          new sdk.UpdateRoleCommand({
            RoleName: name,
            Description: news.description ?? '',
            MaxSessionDuration: news.maxSessionDurationSeconds,
          }),
        ),
      );
    }
    if (changed.includes('assumeRolePolicy')) {
      await awsCall('IAM UpdateAssumeRolePolicy', () =>
        client.send(new sdk.UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: news.assumeRolePolicy })),
      );
    }
    if (changed.includes('inlinePolicies')) {
      const changedPolicies = Object.fromEntries(Object.entries(news.inlinePolicies).filter(([k, v]) => olds.inlinePolicies[k] !== v));
      await putInlinePolicies(name, changedPolicies);
      for (const policyName of Object.keys(olds.inlinePolicies).filter((k) => !(k in news.inlinePolicies))) {
        await unlessNotFound('IAM DeleteRolePolicy', () =>
          client.send(new sdk.DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName })),
        );
      }
    }
    if (changed.includes('managedPolicyArns')) {
      await attachPolicies(
        name,
        news.managedPolicyArns.filter((a) => !olds.managedPolicyArns.includes(a)),
      );
      for (const arn of olds.managedPolicyArns.filter((a) => !news.managedPolicyArns.includes(a))) {
        await unlessNotFound('IAM DetachRolePolicy', () =>
          client.send(new sdk.DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn })),
        );
      }
    }
    const t = tagChanges(olds.tags, news.tags);
    if (t.remove.length) await awsCall('IAM UntagRole', () => client.send(new sdk.UntagRoleCommand({ RoleName: name, TagKeys: t.remove })));
    if (Object.keys(t.set).length) {
      await awsCall('IAM TagRole', () => client.send(new sdk.TagRoleCommand({ RoleName: name, Tags: toTagList(t.set) })));
    }
    const got = await awsCall('IAM GetRole', () => client.send(new sdk.GetRoleCommand({ RoleName: name })));
    return { arn: got.Role?.Arn ?? '', uniqueId: got.Role?.RoleId ?? '' };
  },

  async delete(name) {
    await deleteRole(name);
  },
});
