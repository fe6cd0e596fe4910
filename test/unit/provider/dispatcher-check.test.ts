import { describe, expect, it } from 'vitest';
import { Dispatcher, parseUrn } from '../../../provider/src/dispatcher.js';
import { UNKNOWN } from '../../../provider/src/property-values.js';
import { sqsQueue } from '../../../provider/src/resources/sqs-queue.js';
import { s3Bucket } from '../../../provider/src/resources/s3-bucket.js';

// check and diff do no I/O, so the dispatcher is tested here without AWS.
const provider = new Dispatcher([sqsQueue, s3Bucket]);
const queueUrn = 'urn:pulumi:dev::app::driftless-aws:sqs:Queue::orders';
const bucketUrn = 'urn:pulumi:dev::app::my:component$driftless-aws:s3:Bucket::data';

describe('parseUrn', () => {
  it('finds the token under parent types and the logical name', () => {
    expect(parseUrn(bucketUrn)).toEqual({ token: 'driftless-aws:s3:Bucket', logicalName: 'data' });
  });
});

describe('Dispatcher.check', () => {
  it('fills the defaults the API fills in and canonicalises the policy', async () => {
    const r = await provider.check(queueUrn, {}, { name: 'orders', policy: '{"Statement":[{"Effect":"Allow","Action":["sqs:*"]}]}' });
    expect(r.failures).toBeUndefined();
    expect(r.inputs).toMatchObject({
      name: 'orders',
      fifoQueue: false,
      visibilityTimeoutSeconds: 30,
      messageRetentionSeconds: 345_600,
      tags: {},
      policy: '{"Statement":[{"Action":"sqs:*","Effect":"Allow"}]}',
    });
  });

  it.each([
    [{ name: 'orders', visibilityTimeoutSeconds: 'soon' }, 'visibilityTimeoutSeconds', /expected number/],
    [{ name: 'orders', visibilityTimeoutSeconds: 50_000 }, 'visibilityTimeoutSeconds', /<=43200/],
    [{ name: 'bad name!' }, 'name', /not a queue name/],
    [{ name: 'orders', fifoQueue: true }, 'name', /FIFO/],
    [{ name: 'orders', policy: '{"Statement": [' }, 'policy', /not valid JSON/],
    [{ name: 'orders', policy: '{"Version": "2012-10-17"}' }, 'policy', /without "Statement"/],
    [{ name: 'orders', redrivePolicy: { deadLetterTargetArn: 'dlq', maxReceiveCount: 5 } }, 'redrivePolicy.deadLetterTargetArn', /ARN/],
    [{ name: 'orders', visiblityTimeoutSeconds: 30 }, 'visiblityTimeoutSeconds', /not a known property/],
    [
      { name: 'orders', redrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:0:dlq', maxReceiveCount: 5, max: 1 } },
      'redrivePolicy.max',
      /not a known property/,
    ],
  ])('rejects %j at %s', async (news, property, reason) => {
    const r = await provider.check(queueUrn, {}, news);
    expect(r.failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  it('generates a name once and keeps it across later checks', async () => {
    const first = await provider.check(queueUrn, {}, {});
    expect(first.inputs.name).toMatch(/^orders-[0-9a-f]{8}$/);
    expect(first.inputs.__defaults).toEqual(['name']);
    const again = await provider.check(queueUrn, first.inputs, {});
    expect(again.inputs.name).toBe(first.inputs.name);
    const fifo = await provider.check(queueUrn, {}, { fifoQueue: true });
    expect(fifo.inputs.name).toMatch(/^orders-[0-9a-f]{8}\.fifo$/);
    const bucket = await provider.check('urn:pulumi:dev::app::driftless-aws:s3:Bucket::Data_Lake', {}, {});
    expect(bucket.inputs.name).toMatch(/^data-lake-[0-9a-f]{8}$/);
  });

  it('leaves unknown values to apply time and checks the rest', async () => {
    const ok = await provider.check(queueUrn, {}, { name: 'orders', redrivePolicy: { deadLetterTargetArn: UNKNOWN, maxReceiveCount: 5 } });
    expect(ok.failures).toBeUndefined();
    expect(ok.inputs.redrivePolicy).toEqual({ deadLetterTargetArn: UNKNOWN, maxReceiveCount: 5 });
    const bad = await provider.check(queueUrn, {}, { name: UNKNOWN, delaySeconds: -1 });
    expect(bad.failures?.map((f) => f.property)).toEqual(['delaySeconds']);
  });
});

describe('Dispatcher.diff', () => {
  const stored = async (news: Record<string, unknown>) => (await provider.check(queueUrn, {}, news)).inputs;

  it('updates in place, replaces, and deletes first only when the user fixed the name', async () => {
    const olds = { ...(await stored({ name: 'orders' })), arn: 'arn:aws:sqs:us-east-1:0:orders', url: 'u' };
    expect(await provider.diff('u', queueUrn, olds, await stored({ name: 'orders' }))).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await provider.diff('u', queueUrn, olds, await stored({ name: 'orders', visibilityTimeoutSeconds: 45 }))).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await provider.diff('u', queueUrn, olds, await stored({ name: 'orders-v2' }))).toEqual({
      changes: true,
      replaces: ['name'],
      deleteBeforeReplace: true,
    });
    const generated = await stored({});
    expect(await provider.diff('u', queueUrn, generated, { ...generated, fifoQueue: true })).toEqual({
      changes: true,
      replaces: ['fifoQueue'],
      deleteBeforeReplace: false,
    });
  });
});
