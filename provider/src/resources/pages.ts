/**
 * Collects every page of an AWS SDK v3 paginator. Used inside one `awsCall`, so a
 * throttled page restarts the listing instead of returning half of it.
 */
export async function allPages<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}
