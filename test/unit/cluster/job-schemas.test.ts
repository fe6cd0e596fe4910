import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseStackJob, parseSyncRequest, StackJobSchema, type SyncMergeRequest } from '../../../engine/cluster/job-schemas.js';
import type { MergeRequestEvent } from '../../../engine/daemon/forge-reporter.js';
import type { StackJob } from '../../../engine/model/index.js';

/** A type without its index signature (the schema is a loose object: unknown keys pass). */
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

const job: StackJob = {
  environment: 'prod',
  stack: 'network',
  revision: 'a'.repeat(40),
  operation: 'up',
  trigger: 'webhook',
  budgetKey: '123456789012/eu-west-1',
  audit: { author: 'A <a@example.com>', signer: { principal: 'a', fingerprint: 'SHA256:x', format: 'ssh' } },
  refresh: true,
};

describe('parseStackJob', () => {
  it('agrees with engine/model (a compile-time check: tsc fails here when the two drift apart)', () => {
    // Every StackJob the engine builds passes the schema, and what the schema lets through is a StackJob.
    const accepted = (j: StackJob): Known<z.input<typeof StackJobSchema>> => j;
    const returned = (j: z.output<typeof StackJobSchema>): StackJob => j;
    expect(returned(StackJobSchema.parse(accepted(job)))).toEqual(job);
  });

  it('accepts a stack job as JSON brings it back', () => {
    expect(parseStackJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
  });

  it('keeps fields it does not know (a newer replica’s), so a round trip through an older one loses nothing', () => {
    expect(parseStackJob({ ...job, branch: 'main' })).toEqual({ ...job, branch: 'main' });
  });

  it.each([
    [{ ...job, operation: 'destroy' }, 'operation'],
    [{ ...job, trigger: 'poll' }, 'trigger'],
    [{ ...job, budgetKey: 'eu-west-1' }, 'budgetKey'],
    [{ ...job, stack: '' }, 'stack'],
    [{ ...job, revision: undefined }, 'revision'],
  ])('refuses %j (%s)', (data, field) => {
    expect(() => parseStackJob(data)).toThrow(field);
  });
});

describe('parseSyncRequest', () => {
  it('carries a merge-request event of the forge reporter’s shape, headSha or not', () => {
    const both = (e: MergeRequestEvent): SyncMergeRequest => e;
    const back = (e: SyncMergeRequest): MergeRequestEvent => e;
    const event = back(both({ action: 'opened', branch: 'feature', headSha: undefined, merged: false }));
    expect(parseSyncRequest(JSON.parse(JSON.stringify({ trigger: 'webhook', delivery: 'd/merge-request', mergeRequest: event })))).toEqual({
      trigger: 'webhook',
      delivery: 'd/merge-request',
      mergeRequest: { action: 'opened', branch: 'feature', headSha: undefined, merged: false },
    });
  });

  it.each([[{ trigger: 'poll' }], [{ trigger: 'webhook', delivery: 'abc' }], [{ trigger: 'startup' }], [{ trigger: 'retry' }]])(
    'accepts %j',
    (request) => {
      expect(parseSyncRequest(request)).toEqual(request);
    },
  );

  it.each([[{ trigger: 'commit' }], [{ trigger: 'webhook', delivery: '' }], [{}]])('refuses %j', (request) => {
    expect(() => parseSyncRequest(request)).toThrow();
  });
});
