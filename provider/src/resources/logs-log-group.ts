import type { CloudWatchLogsClient, LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import { awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { liveInputs, Tags } from '../schema-helpers.js';
import { LOG_GROUP_TOKEN } from '../../sdk/tokens.js';
import { allPages } from './pages.js';
import { tagChanges } from './tag-changes.js';

const logs = awsService(
  () => import('@aws-sdk/client-cloudwatch-logs'),
  (sdk, settings): CloudWatchLogsClient => new sdk.CloudWatchLogsClient(settings),
);

/** The only retention periods CloudWatch Logs accepts (LocalStack accepts any number; AWS does not). */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** A log group's inputs after check, in the form `read` returns too. */
export const LogGroupInputs = z.strictObject({
  name: z
    .string()
    .max(512, 'a log group name has at most 512 characters')
    .regex(/^[A-Za-z0-9._\-/#]+$/, 'a log group name has only letters, digits and ._-/#'),
  /** Days events are kept; absent means forever. */
  retentionInDays: z
    .number()
    .int()
    .refine((d) => RETENTION_DAYS.includes(d), `must be one of ${RETENTION_DAYS.join(', ')}`)
    .optional(),
  tags: Tags,
});
/** A log group's inputs after check. */
export type LogGroupInputs = z.output<typeof LogGroupInputs>;

/** Computed attributes of a log group. */
export interface LogGroupAttributes extends Record<string, unknown> {
  arn: string;
}

/** DescribeLogGroups matches by prefix only; the exact name is picked from the result. */
async function findLogGroup(name: string): Promise<LogGroup | undefined> {
  const { sdk, client } = await logs();
  const pages = await awsCall('Logs DescribeLogGroups', () =>
    allPages(sdk.paginateDescribeLogGroups({ client }, { logGroupNamePrefix: name })),
  );
  return pages.flatMap((p) => p.logGroups ?? []).find((g) => g.logGroupName === name);
}

/** The ARN tag calls take: the log group's, without the `:*` of its streams. */
function groupArn(g: LogGroup): string {
  return g.logGroupArn ?? (g.arn ?? '').replace(/:\*$/, '');
}

/** CloudWatch Logs log group: retention and tags. */
export const logsLogGroup = defineHandler({
  token: LOG_GROUP_TOKEN,
  schema: LogGroupInputs,
  rules: { name: 'replace', retentionInDays: 'update', tags: 'update' },
  naming: {
    property: 'name',
    generate: (logical, suffix) => generatedName(logical, suffix, { maxLength: 512, allowed: /[A-Za-z0-9._\-/#]/ }),
  },

  async create(g) {
    const { sdk, client } = await logs();
    await awsCall('Logs CreateLogGroup', () => client.send(new sdk.CreateLogGroupCommand({ logGroupName: g.name, tags: g.tags })));
    try {
      if (g.retentionInDays !== undefined) await putRetention(g.name, g.retentionInDays);
    } catch (err) {
      // create is transactional for the engine: do not leave a group nobody tracks.
      await deleteLogGroup(g.name);
      throw err;
    }
    const live = await findLogGroup(g.name);
    return { id: g.name, attributes: { arn: live ? groupArn(live) : '' } };
  },

  async read(name) {
    const { sdk, client } = await logs();
    const g = await findLogGroup(name);
    if (!g) return undefined;
    const arn = groupArn(g);
    const tags = await unlessNotFound('Logs ListTagsForResource', () =>
      client.send(new sdk.ListTagsForResourceCommand({ resourceArn: arn })),
    );
    if (!tags) return undefined;
    return {
      inputs: liveInputs(LogGroupInputs, { name, retentionInDays: g.retentionInDays, tags: tags.tags }, `log group ${name}`),
      attributes: { arn },
    };
  },

  async update(name, olds, news, changed) {
    const { sdk, client } = await logs();
    const live = await findLogGroup(name);
    const arn = live ? groupArn(live) : '';
    if (changed.includes('retentionInDays')) {
      if (news.retentionInDays === undefined) {
        await awsCall('Logs DeleteRetentionPolicy', () => client.send(new sdk.DeleteRetentionPolicyCommand({ logGroupName: name })));
      } else {
        await putRetention(name, news.retentionInDays);
      }
    }
    const t = tagChanges(olds.tags, news.tags);
    if (t.remove.length)
      await awsCall('Logs UntagResource', () => client.send(new sdk.UntagResourceCommand({ resourceArn: arn, tagKeys: t.remove })));
    if (Object.keys(t.set).length)
      await awsCall('Logs TagResource', () => client.send(new sdk.TagResourceCommand({ resourceArn: arn, tags: t.set })));
    return { arn };
  },

  async delete(name) {
    await deleteLogGroup(name);
  },
});

async function putRetention(name: string, days: number): Promise<void> {
  const { sdk, client } = await logs();
  await awsCall('Logs PutRetentionPolicy', () =>
    client.send(new sdk.PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days })),
  );
}

async function deleteLogGroup(name: string): Promise<void> {
  const { sdk, client } = await logs();
  await unlessNotFound('Logs DeleteLogGroup', () => client.send(new sdk.DeleteLogGroupCommand({ logGroupName: name })));
}
