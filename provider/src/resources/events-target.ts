import type { PutTargetsResultEntry } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { AwsCallError, classifyAwsError } from '../aws/errors.js';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { JsonDocument, liveInputs } from '../schema-helpers.js';
import { TARGET_TOKEN } from '../../sdk/tokens.js';
import { events, EVENTS_NAME } from './events-rule.js';

/** A target's inputs after check, in the form `read` returns too. */
export const TargetInputs = z
  .strictObject({
    /** Name of the rule the target belongs to. */
    rule: z.string().regex(EVENTS_NAME, 'a rule name has 1-64 letters, digits and ._-'),
    eventBusName: z.string().min(1).max(256).default('default'),
    /** The target's id within its rule. */
    targetId: z.string().regex(EVENTS_NAME, 'a target id has 1-64 letters, digits and ._-'),
    /** ARN of what receives the events (queue, topic, function, …). */
    arn: z.string().regex(/^arn:[^:]+:[^:]+:/, 'must be an ARN'),
    /** Constant JSON sent instead of the event; an object or its JSON text. */
    input: JsonDocument.optional(),
    /** JSONPath selecting the part of the event to send. */
    inputPath: z.string().min(1).max(256).optional(),
    /** Role EventBridge assumes to reach the target (needed by some target types). */
    roleArn: z
      .string()
      .regex(/^arn:[^:]+:iam::[^:]*:role\/.+$/, 'must be the ARN of an IAM role')
      .optional(),
  })
  .superRefine((t, ctx) => {
    if (t.input !== undefined && t.inputPath !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['inputPath'], message: 'cannot be given together with input' });
    }
  });
/** A target's inputs after check. */
export type TargetInputs = z.output<typeof TargetInputs>;

/** PutTargets reports failures per entry instead of throwing; they are raised classified here. */
function raiseFailed(operation: string, entries: readonly PutTargetsResultEntry[] | undefined): void {
  const failed = entries?.[0];
  if (!failed) return;
  const err = Object.assign(new Error(failed.ErrorMessage ?? 'target rejected'), { name: failed.ErrorCode ?? 'Error' });
  throw new AwsCallError(operation, classifyAwsError(err), failed.ErrorCode ?? 'Error', 1, err);
}

async function putTarget(t: TargetInputs): Promise<void> {
  const { sdk, client } = await events();
  const out = await awsCall('EventBridge PutTargets', () =>
    client.send(
      new sdk.PutTargetsCommand({
        Rule: t.rule,
        EventBusName: t.eventBusName,
        Targets: [{ Id: t.targetId, Arn: t.arn, Input: t.input, InputPath: t.inputPath, RoleArn: t.roleArn }],
      }),
    ),
  );
  raiseFailed('EventBridge PutTargets', out.FailedEntries);
}

/**
 * EventBridge target of a rule. Its identity is rule + target id (the resource id is
 * `<bus>/<rule>/<targetId>`); PutTargets is an upsert, so everything else updates in place.
 */
export const eventsTarget = defineHandler({
  token: TARGET_TOKEN,
  schema: TargetInputs,
  rules: {
    rule: 'replace',
    eventBusName: 'replace',
    targetId: 'replace',
    arn: 'update',
    input: 'update',
    inputPath: 'update',
    roleArn: 'update',
  },
  naming: {
    property: 'targetId',
    generate: (logical, suffix) => generatedName(logical, suffix, { maxLength: 64, allowed: /[A-Za-z0-9._-]/ }),
  },

  async create(t) {
    await putTarget(t);
    return { id: `${t.eventBusName}/${t.rule}/${t.targetId}`, attributes: {} };
  },

  async read(_id, current) {
    const { sdk, client } = await events();
    const listed = await unlessNotFound('EventBridge ListTargetsByRule', () =>
      client.send(new sdk.ListTargetsByRuleCommand({ Rule: current.rule, EventBusName: current.eventBusName })),
    );
    const live = listed?.Targets?.find((t) => t.Id === current.targetId);
    if (!live) return undefined;
    return {
      inputs: liveInputs(
        TargetInputs,
        {
          rule: current.rule,
          eventBusName: current.eventBusName,
          targetId: current.targetId,
          arn: live.Arn,
          input: live.Input || undefined,
          inputPath: live.InputPath || undefined,
          roleArn: live.RoleArn || undefined,
        },
        `target ${current.targetId} of rule ${current.rule}`,
      ),
      attributes: {},
    };
  },

  async update(_id, _olds, news) {
    await putTarget(news);
    return {};
  },

  async delete(_id, current) {
    const { sdk, client } = await events();
    const out = await unlessNotFound('EventBridge RemoveTargets', () =>
      client.send(new sdk.RemoveTargetsCommand({ Rule: current.rule, EventBusName: current.eventBusName, Ids: [current.targetId] })),
    );
    // A target that is already gone is reported as a failed entry; that counts as deleted.
    const failed = out?.FailedEntries?.find((f) => f.ErrorCode !== 'ResourceNotFoundException');
    if (failed) raiseFailed('EventBridge RemoveTargets', [failed]);
  },
});
