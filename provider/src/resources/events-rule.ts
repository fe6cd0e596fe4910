import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { JsonDocument, liveInputs, Tags } from '../schema-helpers.js';
import { RULE_TOKEN } from '../../sdk/tokens.js';
import { fromTagList, toTagList } from './tag-list.js';
import { tagChanges } from './tag-changes.js';

/** The EventBridge client, shared with the target handler (one per plugin process). */
export const events = awsService(
  () => import('@aws-sdk/client-eventbridge'),
  (sdk, settings): EventBridgeClient => new sdk.EventBridgeClient(settings),
);

/** Rule names, event bus names and target ids share one alphabet. */
export const EVENTS_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** A rule's inputs after check, in the form `read` returns too. */
export const RuleInputs = z
  .strictObject({
    name: z.string().regex(EVENTS_NAME, 'a rule name has 1-64 letters, digits and ._-'),
    eventBusName: z.string().min(1).max(256).default('default'),
    description: z.string().max(512).optional(),
    /** Which events match; an object or its JSON text. */
    eventPattern: JsonDocument.optional(),
    /** `rate(…)` or `cron(…)`. */
    scheduleExpression: z
      .string()
      .regex(/^(rate|cron)\(.+\)$/, 'is "rate(<value> <unit>)" or "cron(<fields>)"')
      .optional(),
    state: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
    tags: Tags,
  })
  .superRefine((r, ctx) => {
    if (r.eventPattern === undefined && r.scheduleExpression === undefined) {
      ctx.addIssue({ code: 'custom', path: ['eventPattern'], message: 'a rule needs an eventPattern or a scheduleExpression' });
    }
  });
/** A rule's inputs after check. */
export type RuleInputs = z.output<typeof RuleInputs>;

/** Computed attributes of a rule. */
export interface RuleAttributes extends Record<string, unknown> {
  arn: string;
}

/**
 * PutRule creates or replaces every field: whatever it omits is cleared. Tags go with
 * the creating call (so a failed create leaves no untagged rule); later they change
 * through the tag API, since PutRule does not update them.
 */
async function putRule(r: RuleInputs, creating: boolean): Promise<string> {
  const { sdk, client } = await events();
  const out = await awsCall('EventBridge PutRule', () =>
    client.send(
      new sdk.PutRuleCommand({
        Name: r.name,
        EventBusName: r.eventBusName,
        Description: r.description,
        EventPattern: r.eventPattern,
        ScheduleExpression: r.scheduleExpression,
        State: r.state,
        Tags: creating ? toTagList(r.tags) : undefined,
      }),
    ),
  );
  return out.RuleArn ?? '';
}

/** EventBridge rule: an event pattern or schedule on an event bus, its state, tags. */
export const eventsRule = defineHandler({
  token: RULE_TOKEN,
  schema: RuleInputs,
  rules: {
    name: 'replace',
    eventBusName: 'replace',
    description: 'update',
    eventPattern: 'update',
    scheduleExpression: 'update',
    state: 'update',
    tags: 'update',
  },
  naming: {
    property: 'name',
    generate: (logical, suffix) => generatedName(logical, suffix, { maxLength: 64, allowed: /[A-Za-z0-9._-]/ }),
  },

  async create(r) {
    return { id: r.name, attributes: { arn: await putRule(r, true) } };
  },

  async read(name, current) {
    const { sdk, client } = await events();
    const d = await unlessNotFound('EventBridge DescribeRule', () =>
      client.send(new sdk.DescribeRuleCommand({ Name: name, EventBusName: current.eventBusName })),
    );
    if (!d) return undefined;
    const arn = d.Arn ?? '';
    const tags = await awsCall('EventBridge ListTagsForResource', () =>
      client.send(new sdk.ListTagsForResourceCommand({ ResourceARN: arn })),
    );
    return {
      inputs: liveInputs(
        RuleInputs,
        {
          name,
          eventBusName: d.EventBusName ?? current.eventBusName,
          description: d.Description || undefined,
          eventPattern: d.EventPattern || undefined,
          scheduleExpression: d.ScheduleExpression || undefined,
          state: d.State,
          tags: fromTagList(tags.Tags),
        },
        `rule ${name}`,
      ),
      attributes: { arn },
    };
  },

  async update(name, olds, news, changed) {
    const { sdk, client } = await events();
    const arn = changed.some((k) => k !== 'tags')
      ? await putRule(news, false)
      : ((
          await awsCall('EventBridge DescribeRule', () =>
            client.send(new sdk.DescribeRuleCommand({ Name: name, EventBusName: news.eventBusName })),
          )
        ).Arn ?? '');
    const t = tagChanges(olds.tags, news.tags);
    if (t.remove.length)
      await awsCall('EventBridge UntagResource', () => client.send(new sdk.UntagResourceCommand({ ResourceARN: arn, TagKeys: t.remove })));
    if (Object.keys(t.set).length) {
      await awsCall('EventBridge TagResource', () => client.send(new sdk.TagResourceCommand({ ResourceARN: arn, Tags: toTagList(t.set) })));
    }
    return { arn };
  },

  /** EventBridge refuses to delete a rule that still has targets; those go first. */
  async delete(name, current) {
    const { sdk, client } = await events();
    const bus = current.eventBusName;
    const targets = await unlessNotFound('EventBridge ListTargetsByRule', () =>
      client.send(new sdk.ListTargetsByRuleCommand({ Rule: name, EventBusName: bus })),
    );
    if (!targets) return;
    const ids = (targets.Targets ?? []).map((t) => t.Id ?? '');
    if (ids.length) {
      await unlessNotFound('EventBridge RemoveTargets', () =>
        client.send(new sdk.RemoveTargetsCommand({ Rule: name, EventBusName: bus, Ids: ids, Force: true })),
      );
    }
    await unlessNotFound('EventBridge DeleteRule', () => client.send(new sdk.DeleteRuleCommand({ Name: name, EventBusName: bus })));
  },
});
