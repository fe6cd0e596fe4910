import { join } from 'node:path';
import * as ev from '@aws-sdk/client-eventbridge';
import * as iam from '@aws-sdk/client-iam';
import * as kms from '@aws-sdk/client-kms';
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import * as s3 from '@aws-sdk/client-s3';
import * as sm from '@aws-sdk/client-secrets-manager';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import * as ssm from '@aws-sdk/client-ssm';
import * as pulumi from '@pulumi/pulumi';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriftChecker } from '../../../engine/drift/drift-checker.js';
import { driftFromRefreshSteps } from '../../../engine/drift/drift-report.js';
import { DriftPrescreen } from '../../../engine/drift/prescreen/prescreen.js';
import type { PrescreenVerdict } from '../../../engine/drift/prescreen/types.js';
import { fingerprintOf } from '../../../engine/plan/decide.js';
import { PULUMI_PROJECT, PulumiStackRunner, pulumiStackName } from '../../../engine/pulumi/pulumi-stack-runner.js';
import { Reconciler, type ReconcileStack } from '../../../engine/run/reconcile.js';
import type { StackTarget } from '../../../engine/run/stack-runner.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { inProcessReaderTypes } from '../../../provider/src/in-process.js';
import { resourceHandlers } from '../../../provider/src/resources/index.js';
import * as aws from '../../../sdk/aws.js';
import { awsTestConfig, awsTestEnv, uniqueName } from '../../support/aws.js';
import { tempDir } from '../../support/temp.js';

/**
 * The pre-screen's no-false-negative corpus: for every driftless-aws resource type, one
 * small stack holding one resource per kind of out-of-band change (a scalar, the tags, a
 * list, a nested object, deletion) plus an untouched control. All stacks are applied,
 * changed with AWS SDK v3, pre-screened once, and every stack is then refreshed
 * (previewRefresh) to confirm: every change the refresh reports must have been flagged
 * by the pre-screen; resources flagged that the refresh calls unchanged are false
 * positives, counted and printed.
 */
const cfg = awsTestConfig();
const c = {
  sqs: new sqs.SQSClient(cfg),
  s3: new s3.S3Client(cfg),
  sns: new sns.SNSClient(cfg),
  iam: new iam.IAMClient(cfg),
  ssm: new ssm.SSMClient(cfg),
  sm: new sm.SecretsManagerClient(cfg),
  kms: new kms.KMSClient(cfg),
  logs: new logs.CloudWatchLogsClient(cfg),
  ev: new ev.EventBridgeClient(cfg),
};
const p = uniqueName('pc');
const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const doc = (actions: string[]) => ({
  Version: '2012-10-17',
  Statement: actions.map((a) => ({ Effect: 'Allow', Action: a, Resource: '*' })),
});
const tags = { team: 'corpus' };
type Out = Record<string, string>;

/** One resource type: a program making its resources (logical name = kind), and the out-of-band change of each kind. */
interface Corpus {
  token: string;
  program: (managedPolicyArn: string) => Record<string, pulumi.Output<string>>;
  mutations: Record<string, (o: Out) => Promise<unknown>>;
}

const corpus: Record<string, Corpus> = {
  queue: {
    token: 'driftless-aws:sqs:Queue',
    program: () => {
      const dlq = new aws.Queue('ctl', { name: `${p}-q-ctl`, tags });
      const q = (kind: string) =>
        new aws.Queue(kind, {
          name: `${p}-q-${kind}`,
          tags,
          redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 },
          policy: doc(['sqs:SendMessage']),
        }).url;
      return { ctl: dlq.url, scalar: q('scalar'), tags: q('tags'), list: q('list'), nested: q('nested'), deleted: q('deleted') };
    },
    mutations: {
      scalar: (o) => c.sqs.send(new sqs.SetQueueAttributesCommand({ QueueUrl: o.scalar, Attributes: { VisibilityTimeout: '99' } })),
      tags: (o) => c.sqs.send(new sqs.TagQueueCommand({ QueueUrl: o.tags, Tags: { team: 'rogue' } })),
      list: (o) =>
        c.sqs.send(
          new sqs.SetQueueAttributesCommand({
            QueueUrl: o.list,
            Attributes: { Policy: JSON.stringify(doc(['sqs:SendMessage', 'sqs:ReceiveMessage'])) },
          }),
        ),
      nested: async (o) => {
        const arn = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: o.ctl, AttributeNames: ['QueueArn'] }))).Attributes
          ?.QueueArn;
        await c.sqs.send(
          new sqs.SetQueueAttributesCommand({
            QueueUrl: o.nested,
            Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 9 }) },
          }),
        );
      },
      deleted: (o) => c.sqs.send(new sqs.DeleteQueueCommand({ QueueUrl: o.deleted })),
    },
  },
  bucket: {
    token: 'driftless-aws:s3:Bucket',
    program: () => {
      const b = (kind: string) =>
        new aws.Bucket(kind, {
          name: `${p}-b-${kind}`,
          forceDestroy: true,
          tags,
          lifecycleRules: [{ id: 'expire', expirationDays: 30 }],
        }).name;
      return { ctl: b('ctl'), scalar: b('scalar'), tags: b('tags'), list: b('list'), nested: b('nested'), deleted: b('deleted') };
    },
    mutations: {
      scalar: (o) => c.s3.send(new s3.PutBucketVersioningCommand({ Bucket: o.scalar, VersioningConfiguration: { Status: 'Enabled' } })),
      tags: (o) => c.s3.send(new s3.PutBucketTaggingCommand({ Bucket: o.tags, Tagging: { TagSet: [{ Key: 'team', Value: 'rogue' }] } })),
      list: (o) =>
        c.s3.send(
          new s3.PutBucketLifecycleConfigurationCommand({
            Bucket: o.list,
            LifecycleConfiguration: {
              Rules: [
                { ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 30 } },
                { ID: 'extra', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } },
              ],
            },
          }),
        ),
      nested: (o) =>
        c.s3.send(
          new s3.PutPublicAccessBlockCommand({
            Bucket: o.nested,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: false,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          }),
        ),
      deleted: (o) => c.s3.send(new s3.DeleteBucketCommand({ Bucket: o.deleted })),
    },
  },
  topic: {
    token: 'driftless-aws:sns:Topic',
    program: () => {
      const t = (kind: string) =>
        new aws.Topic(kind, { name: `${p}-t-${kind}`, displayName: 'corpus', tags, policy: doc(['sns:Publish']) }).arn;
      return { ctl: t('ctl'), scalar: t('scalar'), tags: t('tags'), list: t('list'), deleted: t('deleted') };
    },
    mutations: {
      scalar: (o) =>
        c.sns.send(new sns.SetTopicAttributesCommand({ TopicArn: o.scalar, AttributeName: 'DisplayName', AttributeValue: 'rogue' })),
      tags: (o) => c.sns.send(new sns.TagResourceCommand({ ResourceArn: o.tags, Tags: [{ Key: 'team', Value: 'rogue' }] })),
      list: (o) =>
        c.sns.send(
          new sns.SetTopicAttributesCommand({
            TopicArn: o.list,
            AttributeName: 'Policy',
            AttributeValue: JSON.stringify(doc(['sns:Publish', 'sns:Subscribe'])),
          }),
        ),
      deleted: (o) => c.sns.send(new sns.DeleteTopicCommand({ TopicArn: o.deleted })),
    },
  },
  subscription: {
    token: 'driftless-aws:sns:Subscription',
    program: () => {
      const topic = new aws.Topic('topic', { name: `${p}-s-topic` });
      const dlq = new aws.Queue('dlq', { name: `${p}-s-dlq` });
      const dlq2 = new aws.Queue('dlq2', { name: `${p}-s-dlq2` });
      const s = (kind: string) => {
        const q = new aws.Queue(`${kind}-q`, { name: `${p}-s-${kind}` });
        return new aws.Subscription(kind, {
          topicArn: topic.arn,
          protocol: 'sqs',
          endpoint: q.arn,
          filterPolicy: { color: ['red'] },
          redrivePolicy: { deadLetterTargetArn: dlq.arn },
        }).arn;
      };
      return { ctl: s('ctl'), scalar: s('scalar'), list: s('list'), nested: s('nested'), deleted: s('deleted'), dlq2: dlq2.arn };
    },
    mutations: {
      scalar: (o) =>
        c.sns.send(
          new sns.SetSubscriptionAttributesCommand({
            SubscriptionArn: o.scalar,
            AttributeName: 'RawMessageDelivery',
            AttributeValue: 'true',
          }),
        ),
      list: (o) =>
        c.sns.send(
          new sns.SetSubscriptionAttributesCommand({
            SubscriptionArn: o.list,
            AttributeName: 'FilterPolicy',
            AttributeValue: JSON.stringify({ color: ['red', 'blue'] }),
          }),
        ),
      nested: (o) =>
        c.sns.send(
          new sns.SetSubscriptionAttributesCommand({
            SubscriptionArn: o.nested,
            AttributeName: 'RedrivePolicy',
            AttributeValue: JSON.stringify({ deadLetterTargetArn: o.dlq2 }),
          }),
        ),
      deleted: (o) => c.sns.send(new sns.UnsubscribeCommand({ SubscriptionArn: o.deleted })),
    },
  },
  role: {
    token: 'driftless-aws:iam:Role',
    program: (managedPolicyArn) => {
      const r = (kind: string) =>
        new aws.Role(kind, {
          name: `${p}-r-${kind}`,
          assumeRolePolicy: TRUST,
          tags,
          inlinePolicies: { read: doc(['s3:GetObject']) },
          managedPolicyArns: [managedPolicyArn],
        }).name;
      return { ctl: r('ctl'), scalar: r('scalar'), tags: r('tags'), list: r('list'), nested: r('nested'), deleted: r('deleted') };
    },
    mutations: {
      scalar: (o) => c.iam.send(new iam.UpdateRoleCommand({ RoleName: o.scalar, MaxSessionDuration: 7200 })),
      tags: (o) => c.iam.send(new iam.TagRoleCommand({ RoleName: o.tags, Tags: [{ Key: 'team', Value: 'rogue' }] })),
      list: async (o) => {
        const arns = (await c.iam.send(new iam.ListAttachedRolePoliciesCommand({ RoleName: o.list }))).AttachedPolicies ?? [];
        for (const a of arns) await c.iam.send(new iam.DetachRolePolicyCommand({ RoleName: o.list, PolicyArn: a.PolicyArn }));
      },
      nested: (o) =>
        c.iam.send(
          new iam.PutRolePolicyCommand({
            RoleName: o.nested,
            PolicyName: 'read',
            PolicyDocument: JSON.stringify(doc(['s3:GetObject', 's3:PutObject'])),
          }),
        ),
      deleted: async (o) => {
        for (const a of (await c.iam.send(new iam.ListAttachedRolePoliciesCommand({ RoleName: o.deleted }))).AttachedPolicies ?? [])
          await c.iam.send(new iam.DetachRolePolicyCommand({ RoleName: o.deleted, PolicyArn: a.PolicyArn }));
        await c.iam.send(new iam.DeleteRolePolicyCommand({ RoleName: o.deleted, PolicyName: 'read' }));
        await c.iam.send(new iam.DeleteRoleCommand({ RoleName: o.deleted }));
      },
    },
  },
  parameter: {
    token: 'driftless-aws:ssm:Parameter',
    program: () => {
      const x = (kind: string) =>
        new aws.Parameter(kind, { name: `/${p}/${kind}`, type: 'StringList', value: 'a,b', description: 'corpus', tags }).name;
      return { ctl: x('ctl'), scalar: x('scalar'), tags: x('tags'), list: x('list'), deleted: x('deleted') };
    },
    mutations: {
      scalar: (o) =>
        c.ssm.send(
          new ssm.PutParameterCommand({ Name: o.scalar, Type: 'StringList', Value: 'a,b', Description: 'rogue', Overwrite: true }),
        ),
      tags: (o) =>
        c.ssm.send(
          new ssm.AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: o.tags, Tags: [{ Key: 'team', Value: 'rogue' }] }),
        ),
      list: (o) => c.ssm.send(new ssm.PutParameterCommand({ Name: o.list, Type: 'StringList', Value: 'a,b,c', Overwrite: true })),
      deleted: (o) => c.ssm.send(new ssm.DeleteParameterCommand({ Name: o.deleted })),
    },
  },
  secret: {
    token: 'driftless-aws:secretsmanager:Secret',
    program: () => {
      const x = (kind: string) => new aws.Secret(kind, { name: `${p}-sec-${kind}`, secretString: 'hush', description: 'corpus', tags }).id;
      return { ctl: x('ctl'), scalar: x('scalar'), tags: x('tags'), deleted: x('deleted') };
    },
    mutations: {
      scalar: (o) => c.sm.send(new sm.UpdateSecretCommand({ SecretId: o.scalar, Description: 'rogue' })),
      tags: (o) => c.sm.send(new sm.TagResourceCommand({ SecretId: o.tags, Tags: [{ Key: 'team', Value: 'rogue' }] })),
      deleted: (o) => c.sm.send(new sm.DeleteSecretCommand({ SecretId: o.deleted, ForceDeleteWithoutRecovery: true })),
    },
  },
  key: {
    token: 'driftless-aws:kms:Key',
    program: () => {
      const k = (kind: string) => new aws.Key(kind, { description: `corpus ${kind}`, tags }).id;
      return { ctl: k('ctl'), scalar: k('scalar'), tags: k('tags'), nested: k('nested'), deleted: k('deleted') };
    },
    mutations: {
      scalar: (o) => c.kms.send(new kms.UpdateKeyDescriptionCommand({ KeyId: o.scalar, Description: 'rogue' })),
      tags: (o) => c.kms.send(new kms.TagResourceCommand({ KeyId: o.tags, Tags: [{ TagKey: 'team', TagValue: 'rogue' }] })),
      nested: (o) => c.kms.send(new kms.DisableKeyCommand({ KeyId: o.nested })),
      deleted: (o) => c.kms.send(new kms.ScheduleKeyDeletionCommand({ KeyId: o.deleted, PendingWindowInDays: 7 })),
    },
  },
  alias: {
    token: 'driftless-aws:kms:Alias',
    program: () => {
      const key = new aws.Key('key', { description: 'corpus alias target' });
      const other = new aws.Key('other', { description: 'corpus alias other' });
      const a = (kind: string) => new aws.Alias(kind, { name: `alias/${p}-${kind}`, targetKeyId: key.id }).id;
      return { ctl: a('ctl'), scalar: a('scalar'), deleted: a('deleted'), other: other.id };
    },
    mutations: {
      scalar: (o) => c.kms.send(new kms.UpdateAliasCommand({ AliasName: o.scalar, TargetKeyId: o.other })),
      deleted: (o) => c.kms.send(new kms.DeleteAliasCommand({ AliasName: o.deleted })),
    },
  },
  logGroup: {
    token: 'driftless-aws:logs:LogGroup',
    program: () => {
      const g = (kind: string) => new aws.LogGroup(kind, { name: `/${p}/${kind}`, retentionInDays: 7, tags }).id;
      return { ctl: g('ctl'), scalar: g('scalar'), tags: g('tags'), deleted: g('deleted') };
    },
    mutations: {
      scalar: (o) => c.logs.send(new logs.PutRetentionPolicyCommand({ logGroupName: o.scalar, retentionInDays: 14 })),
      tags: async (o) => {
        const arn = (await c.logs.send(new logs.DescribeLogGroupsCommand({ logGroupNamePrefix: o.tags }))).logGroups?.[0]?.arn?.replace(
          /:\*$/,
          '',
        );
        await c.logs.send(new logs.TagResourceCommand({ resourceArn: arn, tags: { team: 'rogue' } }));
      },
      deleted: (o) => c.logs.send(new logs.DeleteLogGroupCommand({ logGroupName: o.deleted })),
    },
  },
  rule: {
    token: 'driftless-aws:events:Rule',
    program: () => {
      const r = (kind: string) =>
        new aws.Rule(kind, { name: `${p}-e-${kind}`, eventPattern: { source: ['corpus'], detail: { kind: ['a'] } }, tags }).name;
      return { ctl: r('ctl'), scalar: r('scalar'), tags: r('tags'), list: r('list'), nested: r('nested'), deleted: r('deleted') };
    },
    mutations: {
      scalar: (o) => c.ev.send(new ev.DisableRuleCommand({ Name: o.scalar })),
      tags: async (o) => {
        const arn = (await c.ev.send(new ev.DescribeRuleCommand({ Name: o.tags }))).Arn;
        await c.ev.send(new ev.TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'team', Value: 'rogue' }] }));
      },
      list: (o) =>
        c.ev.send(
          new ev.PutRuleCommand({ Name: o.list, EventPattern: JSON.stringify({ source: ['corpus', 'other'], detail: { kind: ['a'] } }) }),
        ),
      nested: (o) =>
        c.ev.send(new ev.PutRuleCommand({ Name: o.nested, EventPattern: JSON.stringify({ source: ['corpus'], detail: { kind: ['b'] } }) })),
      deleted: (o) => c.ev.send(new ev.DeleteRuleCommand({ Name: o.deleted })),
    },
  },
  target: {
    token: 'driftless-aws:events:Target',
    program: () => {
      const rule = new aws.Rule('rule', { name: `${p}-tr`, eventPattern: { source: ['corpus'] } });
      const q = new aws.Queue('q', { name: `${p}-tq` });
      const t = (kind: string) => new aws.Target(kind, { rule: rule.name, targetId: kind, arn: q.arn, input: { kind, items: ['x'] } }).id;
      return {
        ctl: t('ctl'),
        scalar: t('scalar'),
        list: t('list'),
        nested: t('nested'),
        deleted: t('deleted'),
        rule: rule.name,
        queueUrl: q.url,
      };
    },
    mutations: {
      scalar: async (o) => {
        const arn = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: o.queueUrl, AttributeNames: ['QueueArn'] }))).Attributes
          ?.QueueArn;
        await c.ev.send(new ev.PutTargetsCommand({ Rule: o.rule, Targets: [{ Id: 'scalar', Arn: arn, InputPath: '$.detail' }] }));
      },
      list: async (o) => {
        const arn = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: o.queueUrl, AttributeNames: ['QueueArn'] }))).Attributes
          ?.QueueArn;
        await c.ev.send(
          new ev.PutTargetsCommand({
            Rule: o.rule,
            Targets: [{ Id: 'list', Arn: arn, Input: JSON.stringify({ kind: 'list', items: ['x', 'y'] }) }],
          }),
        );
      },
      nested: async (o) => {
        const arn = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: o.queueUrl, AttributeNames: ['QueueArn'] }))).Attributes
          ?.QueueArn;
        await c.ev.send(
          new ev.PutTargetsCommand({
            Rule: o.rule,
            Targets: [{ Id: 'nested', Arn: arn, Input: JSON.stringify({ kind: { deep: 'nested' }, items: ['x'] }) }],
          }),
        );
      },
      deleted: (o) => c.ev.send(new ev.RemoveTargetsCommand({ Rule: o.rule, Ids: ['deleted'] })),
    },
  },
};

describe('drift pre-screen: mutation corpus over every driftless-aws resource type', () => {
  const root = tempDir('prescreen-corpus');
  const env = p.replace(/-/g, '');
  const log = pino({ level: 'silent' });
  const runner = new PulumiStackRunner(log);
  const outputs = new Map<string, Out>();
  let managedPolicyArn = '';
  const target = (stack: string, program: () => Promise<Record<string, unknown>>): StackTarget => ({
    environment: env,
    stack,
    program,
    backend: { url: `file://${join(root, 'backend')}`, pulumiHome: join(root, 'pulumi-home') },
    envVars: awsTestEnv(),
    workDir: join(root, 'work', stack),
    secretsProvider: 'passphrase',
  });
  const targets = new Map<string, StackTarget>();

  beforeAll(async () => {
    managedPolicyArn =
      (
        await c.iam.send(
          new iam.CreatePolicyCommand({ PolicyName: `${p}-managed`, PolicyDocument: JSON.stringify(doc(['s3:ListBucket'])) }),
        )
      ).Policy?.Arn ?? '';
    const names = Object.keys(corpus);
    for (const name of names)
      targets.set(
        name,
        target(name, async () => corpus[name]!.program(managedPolicyArn)),
      );
    // A stack with a resource no in-process reader knows (a stack reference): always refreshed.
    targets.set(
      'reference',
      target('reference', async () => ({
        ref: new pulumi.StackReference(`organization/${PULUMI_PROJECT}/${pulumiStackName(env, 'alias')}`).outputs,
      })),
    );
    const queue = [...targets.keys()];
    const work = async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const up = await runner.up(targets.get(name)!);
        if (!up.ok) throw new Error(`up ${name}: ${up.message}`);
        outputs.set(name, up.outputs as Out);
      }
    };
    await Promise.all([work(), work()]);
  }, 600_000);

  afterAll(async () => {
    const queue = [...targets.values()];
    const work = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) await runner.destroy(t);
    };
    await Promise.all([work(), work()]);
    await c.iam.send(new iam.DeletePolicyCommand({ PolicyArn: managedPolicyArn })).catch(() => undefined);
  }, 600_000);

  it('covers every resource type the provider serves', () => {
    expect(new Set(Object.values(corpus).map((x) => x.token))).toEqual(new Set(resourceHandlers.map((h) => h.token)));
    expect([...inProcessReaderTypes].sort()).toEqual(resourceHandlers.map((h) => h.token).sort());
  });

  it('flags every out-of-band change, each confirmed by previewRefresh; counts the false positives', async () => {
    const before = await new DriftPrescreen({ readAll: true }).screen([...targets.values()]);
    const cleanFlags = [...before.verdicts]
      .filter(([, v]) => v.result === 'refresh')
      .map(([s, v]) => `${s}: ${(v as { reason: string }).reason}`);

    const mutations = Object.entries(corpus).flatMap(([stack, x]) => Object.entries(x.mutations).map(([kind, m]) => ({ stack, kind, m })));
    for (const { stack, m } of mutations) await m(outputs.get(stack)!);

    const sweep = await new DriftPrescreen({ readAll: true }).screen([...targets.values()]);
    const verdict = (stack: string): PrescreenVerdict => sweep.verdicts.get(stack)!;
    const screenOf = (stack: string, kind: string) => verdict(stack).resources.find((r) => r.name === kind);

    // The authoritative check: a refresh of every stack.
    const refreshed = new Map<string, Set<string>>();
    for (const [stack, t] of targets) {
      const r = await runner.previewRefresh(t);
      if (!r.ok) throw new Error(`previewRefresh ${stack}: ${r.message}`);
      refreshed.set(stack, new Set(driftFromRefreshSteps(r.steps).map((d) => d.name)));
    }

    const missed: string[] = [];
    const unconfirmed: string[] = [];
    for (const { stack, kind } of mutations) {
      const s = screenOf(stack, kind);
      if (!s || s.result === 'same' || s.result === 'not-read') missed.push(`${stack}.${kind}: ${s?.result}`);
      if (!refreshed.get(stack)?.has(kind)) unconfirmed.push(`${stack}.${kind}`);
    }
    const falsePositives: string[] = [];
    for (const [stack, v] of sweep.verdicts)
      for (const r of v.resources)
        if (r.result !== 'same' && !refreshed.get(stack)?.has(r.name))
          falsePositives.push(`${stack}.${r.name}: ${r.result}${r.detail ? ` (${r.detail})` : ''}`);
    // Every change the refresh reports anywhere was flagged by the pre-screen too.
    for (const [stack, names] of refreshed)
      for (const name of names) {
        const r = verdict(stack).resources.find((x) => x.name === name);
        if (!r || r.result === 'same') missed.push(`${stack}.${name}: refresh drift the pre-screen did not flag`);
      }

    const tally = new Map<string, number>();
    for (const { stack, kind } of mutations) {
      const r = screenOf(stack, kind)?.result ?? 'missing';
      tally.set(r, (tally.get(r) ?? 0) + 1);
    }
    const flaggedAs = [...tally].map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(
      [
        `prescreen corpus: ${mutations.length} out-of-band changes over ${Object.keys(corpus).length} resource types`,
        `  flagged ${mutations.length - missed.length}/${mutations.length}, confirmed by previewRefresh ${mutations.length - unconfirmed.length}/${mutations.length}`,
        `  flagged as: ${flaggedAs} (unreadable = secret inputs: refreshed, never trusted)`,
        `  before the changes: ${cleanFlags.length} stack(s) sent to refresh: ${cleanFlags.join(' | ') || 'none'}`,
        `  false positives after the changes (flagged, refresh saw no drift): ${falsePositives.length}`,
        ...falsePositives.map((f) => `    ${f}`),
        `  sweep: ${sweep.stats.resourcesRead} resources read, ${sweep.stats.awsRequests} AWS requests, ${sweep.stats.durationMs} ms`,
      ].join('\n'),
    );
    expect(missed).toEqual([]);
    expect(unconfirmed).toEqual([]);
    // Encrypted secrets are never compared in-process: those types always go to refresh.
    expect(verdict('parameter').resources.find((r) => r.name === 'ctl')).toMatchObject({ result: 'unreadable' });
    expect(verdict('reference')).toMatchObject({ result: 'refresh', reason: 'no in-process reader for pulumi:pulumi:StackReference' });
  }, 600_000);

  it('reports the path each stack took: a stack without reader, and one whose state cannot be read directly, are refreshed', async () => {
    const store = new SqliteRunStore(join(root, 'driftless.db'));
    const checker = new DriftChecker({
      store,
      runner,
      reconciler: new Reconciler({ store, runner, log }),
      notifier: { notify: async () => {} },
      log,
    });
    const bound = (name: string): ReconcileStack => ({
      desired: { name, template: 'corpus', templateVersion: '1', spec: {}, dependsOn: [] },
      target: () => targets.get(name)!,
    });
    const stacks = ['logGroup', 'reference', 'alias'].map(bound);
    for (const s of stacks)
      await store.saveStatus({
        environment: env,
        stack: s.desired.name,
        applied: { ...fingerprintOf(s.desired, {}), revision: 'r1', outputs: {}, at: 't' },
        lastResult: 'succeeded',
        lastRevision: 'r1',
        lastError: undefined,
      });
    // 'alias' is looked up under a name that has no state: as if its backend could not be read.
    const prescreen = new DriftPrescreen({
      stackName: (t) => ({ project: PULUMI_PROJECT, stack: pulumiStackName(t.environment, t.stack === 'alias' ? 'nowhere' : t.stack) }),
    });
    // Put the log group stack back in sync first (its mutations are what the previous test made).
    await runner.up(targets.get('logGroup')!, { refresh: true });
    const r = await checker.check({
      environment: env,
      revision: 'r1',
      trigger: 'cli',
      stacks: stacks.map((b) => ({ bound: b, mode: 'detect' as const })),
      allowRemediation: false,
      parallelism: 2,
      prescreen,
    });
    await store.close();
    const by = Object.fromEntries(r.stacks.map((s) => [s.stack, s]));
    expect(by.logGroup).toMatchObject({ status: 'in-sync', checkedBy: 'prescreen' });
    expect(by.reference).toMatchObject({
      status: 'in-sync',
      checkedBy: 'refresh',
      refreshReason: 'no in-process reader for pulumi:pulumi:StackReference',
    });
    expect(by.alias).toMatchObject({
      checkedBy: 'refresh',
      refreshReason: expect.stringMatching(/^state not read directly: no state of /),
    });
  }, 600_000);
});
