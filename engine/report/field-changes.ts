/** One field that differs between two property bags. */
export interface FieldChange {
  /** Dotted path, with [i] for array items: `redrivePolicy.maxReceiveCount`, `tags.team`. */
  path: string;
  old: unknown;
  new: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/**
 * The fields that differ between two property bags, recursing into objects; arrays are
 * compared whole (a changed list is one change). Keys starting with `__` are Pulumi's
 * own bookkeeping and are ignored. Pure.
 */
export function fieldChanges(oldProps: unknown, newProps: unknown, prefix = ''): FieldChange[] {
  if (isObject(oldProps) && isObject(newProps)) {
    const keys = [...new Set([...Object.keys(oldProps), ...Object.keys(newProps)])].filter((k) => !k.startsWith('__')).sort();
    return keys.flatMap((k) => fieldChanges(oldProps[k], newProps[k], join(prefix, k)));
  }
  if (JSON.stringify(oldProps) === JSON.stringify(newProps)) return [];
  return [{ path: prefix, old: oldProps, new: newProps }];
}
