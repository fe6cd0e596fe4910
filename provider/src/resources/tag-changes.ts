/** What to send to a tag API to get from one tag map to another. */
export interface TagChanges {
  /** Keys to remove. */
  remove: string[];
  /** Keys to add or change, with their new values. */
  set: Record<string, string>;
}

/** The tag calls that turn `before` into `after` (pure; every resource type shares it). */
export function tagChanges(before: Record<string, string>, after: Record<string, string>): TagChanges {
  const remove = Object.keys(before).filter((k) => !(k in after));
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) set[k] = v;
  return { remove, set };
}
