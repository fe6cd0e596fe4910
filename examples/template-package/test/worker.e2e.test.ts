// acme/worker deployed for real on LocalStack with driftless/testing: the same program, run
// as the engine runs it, and every resource checked with the AWS SDK. Runs in driftless's
// e2e vitest project, whose global setup starts LocalStack and provide()s its endpoint as
// `awsEndpoint`; a package of its own would call ensureLocalStackForTests() in a globalSetup.
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GetParameterCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { defineTemplate } from 'driftless/template';
import {
  deployedTags,
  deployTemplate,
  localstackClientConfig,
  stabilityOf,
  TemplateDeploymentError,
  TemplateParamsError,
  tagMap,
  uniqueName,
} from 'driftless/testing';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
// The built-in topic template, standing in for the topic stack a worker depends on.
import { topicTemplate } from '../../../stacks/topic/template.js';
import { PARAMETER_ACTIONS, QUEUE_ACTIONS, WORKER_POLICY_NAME, workerProgram, workerTemplate } from '../src/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** LocalStack's endpoint, from the e2e project's global setup. */
    awsEndpoint: string;
  }
}

const endpoint = inject('awsEndpoint');
const aws = localstackClientConfig(endpoint);
const sqs = new SQSClient(aws);
const sns = new SNSClient(aws);
const ssm = new SSMClient(aws);
const iam = new IAMClient(aws);

/** What a Stack document of an orders worker gives, as YAML would. */
const params = {
  topic: { fromStack: 'orders-topic', output: 'arn' },
  rawMessageDelivery: true,
  visibilityTimeoutSeconds: 45,
  maxReceiveCount: 3,
  config: { batchSize: '10', LOG_LEVEL: 'info' },
};
const tags = { team: 'orders' };

/** The error an AWS SDK call rejects with, by name. */
const rejectsWith = async (call: Promise<unknown>, name: string): Promise<void> => {
  await expect(call).rejects.toMatchObject({ name });
};

describe('acme/worker on LocalStack (driftless/testing)', () => {
  it('creates the queue with its dead-letter redrive, the subscription, the config parameter and the role; is stable; reports drift; destroys them', async () => {
    const environment = uniqueName('ex');
    const topic = await deployTemplate({ template: topicTemplate, stack: 'orders-topic', environment, tags, endpoint });
    onTestFinished(() => topic.dispose());
    const topicArn = String(topic.outputs.arn);

    const worker = await deployTemplate({
      template: workerTemplate,
      params,
      stack: 'orders-worker',
      environment,
      tags,
      dependencies: { 'orders-topic': topic.outputs },
      endpoint,
    });
    onTestFinished(() => worker.dispose());
    const out = worker.outputs as Record<string, string>;
    const name = `${environment}-orders-worker`;
    expect(out).toMatchObject({ queueName: name, roleName: name, configParameter: `/${environment}/orders-worker/config` });

    // The queue, redriven to its dead-letter queue after maxReceiveCount receives.
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    expect(QueueUrl).toBe(out.queueUrl);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({ QueueArn: out.queueArn, VisibilityTimeout: '45', MessageRetentionPeriod: '345600' });
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: out.deadLetterArn, maxReceiveCount: 3 });
    expect(JSON.parse(Attributes?.Policy ?? '{}').Statement).toEqual([
      expect.objectContaining({ Sid: 'SubscribedTopic', Resource: out.queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }),
    ]);
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual(deployedTags(worker));
    const dlq = await sqs.send(new GetQueueUrlCommand({ QueueName: `${name}-dlq` }));
    const dlqAttributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['All'] }));
    expect(dlqAttributes.Attributes).toMatchObject({ QueueArn: out.deadLetterArn, MessageRetentionPeriod: '1209600' });

    // The subscription of the queue to the topic, delivering raw messages.
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(Subscriptions?.map((s) => [s.Protocol, s.Endpoint, s.SubscriptionArn])).toEqual([['sqs', out.queueArn, out.subscriptionArn]]);
    const subscription = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: out.subscriptionArn }));
    expect(subscription.Attributes?.RawMessageDelivery).toBe('true');
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'order-42' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 1 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['order-42']);

    // The config, as JSON with sorted keys, in an SSM String parameter.
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: out.configParameter }));
    expect(Parameter).toMatchObject({ Type: 'String', Value: '{"LOG_LEVEL":"info","batchSize":"10"}' });
    const { TagList } = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: out.configParameter }));
    expect(tagMap(TagList, 'Key', 'Value')).toEqual(deployedTags(worker));

    // The role: assumable by the service principal, allowed the queue and the parameter only.
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: name }));
    expect(Role?.Arn).toBe(out.roleArn);
    expect(JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}')).Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs-tasks.amazonaws.com' } }),
    ]);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames).toEqual([WORKER_POLICY_NAME]);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: WORKER_POLICY_NAME }));
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument ?? '{}')).Statement).toEqual([
      { Sid: 'ConsumeQueue', Effect: 'Allow', Action: QUEUE_ACTIONS, Resource: out.queueArn },
      { Sid: 'ReadConfig', Effect: 'Allow', Action: PARAMETER_ACTIONS, Resource: expect.stringMatching(/^arn:aws:ssm:/) },
    ]);
    expect(tagMap((await iam.send(new ListRoleTagsCommand({ RoleName: name }))).Tags, 'Key', 'Value')).toEqual(deployedTags(worker));

    // A second up changes nothing and a drift check finds nothing.
    expect(await stabilityOf(worker)).toEqual({ changes: {}, drift: [] });

    // A change made behind driftless's back is drift, field by field; an up that refreshes
    // first (as the engine's remediation does) puts it back.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '120' } }));
    expect(await worker.previewRefresh()).toEqual([
      expect.objectContaining({
        kind: 'modified',
        type: 'driftless-aws:sqs:Queue',
        name: 'queue',
        fields: [{ path: 'visibilityTimeoutSeconds', desired: 45, actual: 120 }],
      }),
    ]);
    expect((await worker.up(undefined, { refresh: true })).changes).toEqual({ update: 1 });
    const restored = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
    expect(restored.Attributes?.VisibilityTimeout).toBe('45');

    // New params go through the schema again, and change what they say.
    expect((await worker.up({ ...params, maxReceiveCount: 4 })).changes).toEqual({ update: 1 });
    const redrive = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }));
    expect(JSON.parse(redrive.Attributes?.RedrivePolicy ?? '{}').maxReceiveCount).toBe(4);

    await worker.destroy();
    await rejectsWith(sqs.send(new GetQueueUrlCommand({ QueueName: name })), 'QueueDoesNotExist');
    await rejectsWith(sqs.send(new GetQueueUrlCommand({ QueueName: `${name}-dlq` })), 'QueueDoesNotExist');
    await rejectsWith(ssm.send(new GetParameterCommand({ Name: out.configParameter })), 'ParameterNotFound');
    await rejectsWith(iam.send(new GetRoleCommand({ RoleName: name })), 'NoSuchEntityException');
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? []).toEqual([]);
    await topic.destroy();
  });

  it('refuses params the schema refuses before anything runs, naming the key', async () => {
    const deployment = deployTemplate({
      template: workerTemplate,
      params: { ...params, maxRecieveCount: 3 },
      dependencies: { 'orders-topic': { arn: 'arn:aws:sns:us-east-1:000000000000:none' } },
      endpoint,
    });
    await expect(deployment).rejects.toThrow(TemplateParamsError);
    await expect(deployment).rejects.toThrow(
      /template acme\/worker: invalid params:\n {2}- params\.maxRecieveCount: unknown key "maxRecieveCount"/,
    );
  });

  it('fails the up of a program returning an undeclared output, as a real run does, and leaves nothing behind', async () => {
    const broken = defineTemplate({
      name: 'acme/broken-worker',
      version: '0.0.1',
      description: 'acme/worker returning one output more than it declares',
      params: workerTemplate.params,
      outputs: workerTemplate.outputs,
      program: (p, ctx) => ({ ...workerProgram(p, ctx), queueDepth: 0 }),
    });
    const environment = uniqueName('ex');
    const topic = await deployTemplate({ template: topicTemplate, stack: 'orders-topic', environment, endpoint });
    onTestFinished(() => topic.dispose());

    const deployment = deployTemplate({
      template: broken,
      params,
      stack: 'orders-worker',
      environment,
      dependencies: { 'orders-topic': topic.outputs },
      endpoint,
    });
    await expect(deployment).rejects.toThrow(TemplateDeploymentError);
    await expect(deployment).rejects.toThrow(/template acme\/broken-worker: up failed: [\s\S]*undeclared output queueDepth/);
    await rejectsWith(sqs.send(new GetQueueUrlCommand({ QueueName: `${environment}-orders-worker` })), 'QueueDoesNotExist');
    await topic.destroy();
  });
});
