/** A JSON document (policy, filter policy): JSON text or an object; the provider stores canonical JSON text. */
export type JsonInput = string | Record<string, unknown>;

/**
 * The property bag a typed class hands to `pulumi.CustomResource`: the user's args plus
 * every output key (as `undefined`), because only keys present in the bag become
 * `Output` properties on the resource object.
 */
export function resourceProps(args: object, outputKeys: readonly string[]): Record<string, unknown> {
  const props: Record<string, unknown> = Object.fromEntries(outputKeys.map((k) => [k, undefined]));
  return { ...props, ...args };
}
