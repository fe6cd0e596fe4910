import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so equal values always serialise the
 * same way (undefined members are dropped, as JSON.stringify does).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/** Short SHA-256 of a value's canonical JSON: equal values, equal hashes. */
export function hashOf(value: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(value) ?? 'undefined')
    .digest('hex')
    .slice(0, 32);
}
