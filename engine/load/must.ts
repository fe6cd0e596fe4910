/**
 * A value the surrounding code guarantees is there (a lookup of a key it just listed, the
 * first element of a list it knows is non-empty). Throws an error naming the broken
 * guarantee instead of letting `undefined` travel on; reaching it is a bug in driftless.
 */
export function must<T>(value: T | undefined, guarantee: string): T {
  if (value === undefined) throw new Error(`invariant broken: ${guarantee}`);
  return value;
}
