/**
 * Field-level differences between two property bags (e.g. a resource's inputs before
 * and after a refresh). Pure: drift reports and the provider conformance tests both
 * compute what changed from the engine's old/new state with it, because a Node
 * provider's diff carries no per-field detail.
 */

/** One changed field. `path` is dotted, with `["…"]` for keys that are not identifiers and `[i]` for list items. */
export interface FieldChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function childPath(parent: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same(a[k], b[k]));
  }
  return false;
}

function walk(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (same(before, after)) return;
  if (before === undefined) {
    out.push({ path, kind: 'added', after });
  } else if (after === undefined) {
    out.push({ path, kind: 'removed', before });
  } else if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) walk(before[k], after[k], childPath(path, k), out);
  } else if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((item, i) => {
      walk(item, after[i], `${path}[${i}]`, out);
    });
  } else {
    out.push({ path, kind: 'changed', before, after });
  }
}

/**
 * The fields that differ between `before` and `after`, in key order. Objects are
 * compared member by member, lists of equal length item by item; anything else
 * (scalars, lists whose length changed, a type change) is one `changed` entry.
 * Absent and `undefined` are the same.
 */
export function fieldDiff(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): FieldChange[] {
  const out: FieldChange[] = [];
  walk(before ?? {}, after ?? {}, '', out);
  return out;
}
