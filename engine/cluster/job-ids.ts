import { createHash } from 'node:crypto';

/**
 * The namespace of driftless's name-based job ids (a random UUID, fixed forever: changing
 * it would give a webhook delivery already queued by an older replica a second job).
 */
export const DRIFTLESS_JOB_NAMESPACE = '67c5622a-ecc8-4196-86e6-7376e700f3b2';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * RFC 9562 UUID version 5 (SHA-1, name-based) of `name` in `namespace`: the same name
 * always yields the same id, on every replica, with no coordination.
 */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new Error(`not a UUID namespace: ${namespace}`);
  const digest = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The job id of the sync request a webhook delivery asks for. Every replica that receives
 * the same delivery (a forge retrying it, a load balancer sending it twice) computes the
 * same id, and pg-boss refuses a second job with an id it already holds.
 */
export function syncJobIdOf(delivery: string): string {
  if (delivery.length === 0) throw new Error('a webhook delivery id cannot be empty');
  return uuidV5(`sync-delivery:${delivery}`, DRIFTLESS_JOB_NAMESPACE);
}

/** The job id of a stack job enqueued with a caller's deduplication key (see WorkQueue.enqueueStack). */
export function stackJobIdOf(dedupeKey: string): string {
  if (dedupeKey.length === 0) throw new Error('a stack job deduplication key cannot be empty');
  return uuidV5(`stack:${dedupeKey}`, DRIFTLESS_JOB_NAMESPACE);
}
