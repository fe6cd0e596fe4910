import { z } from 'zod';
import type { StackJob } from '../model/index.js';
import { isBudgetKey } from './budget.js';

/** What asks for a sync (a fetch of the environments repository and a decision on what to run). */
export type SyncTrigger = 'poll' | 'webhook' | 'retry' | 'startup';

/**
 * A forge's merge-request event for the leader to handle (the same shape as
 * engine/daemon/forge-reporter.ts's MergeRequestEvent, which this layer does not import).
 */
export interface SyncMergeRequest {
  action: string;
  branch: string;
  headSha: string | undefined;
  merged: boolean;
}

/** A request to sync, as it travels through the `driftless-sync` queue. */
export interface SyncRequest {
  trigger: SyncTrigger;
  /** The forge's webhook delivery id: the same delivery received twice becomes one job. */
  delivery?: string | undefined;
  /** A merge-request event rather than a sync: queued on its own, never collapsed into a waiting sync. */
  mergeRequest?: SyncMergeRequest | undefined;
}

const SyncMergeRequestSchema = z.object({
  action: z.string().min(1),
  branch: z.string().min(1),
  headSha: z.string().min(1).optional(),
  merged: z.boolean(),
});

export const SyncRequestSchema = z.object({
  trigger: z.enum(['poll', 'webhook', 'retry', 'startup']),
  delivery: z.string().min(1).max(200).optional(),
  mergeRequest: SyncMergeRequestSchema.optional(),
});

/** The values of engine/model's `Trigger`; test/unit/cluster checks at compile time that the two agree. */
const TRIGGERS = ['cli', 'commit', 'schedule', 'webhook', 'startup', 'retry'] as const;

const CommitSignerSchema = z.object({ principal: z.string(), fingerprint: z.string(), format: z.enum(['ssh', 'gpg']) });
const CommitAuditSchema = z.object({
  author: z.string().optional(),
  committer: z.string().optional(),
  signer: CommitSignerSchema.optional(),
});

/**
 * A stack job as read back from the queue. Checked at run time because the row may have
 * been written by another replica's (older or newer) version. Unknown keys pass through
 * (a loose object), so a field a newer replica adds survives an older one's check.
 */
export const StackJobSchema = z.looseObject({
  environment: z.string().min(1),
  stack: z.string().min(1),
  revision: z.string().min(1),
  operation: z.enum(['up', 'preview']),
  trigger: z.enum(TRIGGERS),
  budgetKey: z.string().refine(isBudgetKey, 'must be <account>/<region>'),
  audit: CommitAuditSchema.optional(),
  refresh: z.boolean().optional(),
});

/** Validates a stack job (throws a ZodError naming the bad fields). */
export function parseStackJob(data: unknown): StackJob {
  return StackJobSchema.parse(data);
}

/** Validates a sync request. */
export function parseSyncRequest(data: unknown): SyncRequest {
  const { mergeRequest, ...rest } = SyncRequestSchema.parse(data);
  // JSON drops an undefined headSha; the event's type has the key either way.
  return mergeRequest ? { ...rest, mergeRequest: { ...mergeRequest, headSha: mergeRequest.headSha } } : rest;
}
