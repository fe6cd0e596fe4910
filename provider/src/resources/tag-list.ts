/** The `[{ Key, Value }]` shape most AWS tag APIs (IAM, SSM, Secrets Manager, EventBridge) use. */
export interface KeyValueTag {
  Key?: string;
  Value?: string;
}

/** A tag map as a `[{ Key, Value }]` list. */
export function toTagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** A `[{ Key, Value }]` list as a tag map (the input form). */
export function fromTagList(list: readonly KeyValueTag[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
