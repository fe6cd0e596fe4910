import type { z } from 'zod';

/** What a change to one input property does to the live resource. */
export type ChangeRule = 'update' | 'replace';

/** Input properties of a resource after check: validated, normalised, defaults filled. */
export type Inputs = Record<string, unknown>;

/**
 * How a resource type names itself when the program gives no name: the property
 * holding the name and how to make one from the logical name and a random suffix.
 * A generated name is kept across updates and regenerated on replacement, so the
 * replacement can be created before the old resource is deleted.
 */
export interface NamingRule {
  property: string;
  /** `raw` are the unvalidated inputs (e.g. a FIFO flag decides a `.fifo` suffix). */
  generate(logicalName: string, randomSuffix: string, raw: Inputs): string;
}

/** A live resource as read back: its inputs in input form and the computed attributes. */
export interface LiveState<I extends Inputs, A extends Inputs> {
  inputs: I;
  attributes: A;
}

/**
 * Everything the dispatcher needs to manage one resource type. Handlers talk to AWS
 * and nothing else: unknowns, secrets, defaults, diffs and naming are done generically.
 *
 * Methods use method syntax on purpose: it makes handlers of different input types
 * assignable to the registry's list (method parameters are bivariant).
 */
export interface ResourceHandler<S extends z.ZodObject = z.ZodObject, A extends Inputs = Inputs> {
  /** Type token, `driftless-aws:<module>:<Type>`. */
  readonly token: string;
  /**
   * Check schema: validates, normalises (canonical policies, defaults the API would
   * fill in) and produces exactly the input form that `read` returns.
   */
  readonly schema: S;
  /** For every input property: update in place or replace. */
  readonly rules: { readonly [K in keyof z.output<S>]-?: ChangeRule };
  /** Present when the name may be generated. */
  readonly naming?: NamingRule;
  /**
   * Delete the old resource before creating its replacement. Resources whose name the
   * user fixed are always deleted first (two cannot share the name); this is for
   * types whose identity is not a name (e.g. an SNS subscription is its topic+endpoint).
   */
  readonly deleteBeforeReplace?: boolean;
  /**
   * Properties that are always secret (a secret's value), even when the program passed
   * them in plain text: check stores them as secrets and every output marks them so.
   */
  readonly secrets?: ReadonlyArray<keyof z.output<S> & string>;
  /** Creates the resource; must leave nothing behind when it fails. */
  create(inputs: z.output<S>): Promise<{ id: string; attributes: A }>;
  /** Live state, or `undefined` when the resource is gone. */
  read(id: string, current: z.output<S>): Promise<LiveState<z.output<S>, A> | undefined>;
  /** Applies the changed update-in-place properties; returns the attributes afterwards. */
  update(id: string, olds: z.output<S>, news: z.output<S>, changed: ReadonlyArray<keyof z.output<S> & string>): Promise<A>;
  /** Deletes the resource; a resource that is already gone counts as deleted. */
  delete(id: string, current: z.output<S>): Promise<void>;
}

/** Declares a handler with its types inferred from the schema (identity at run time). */
export function defineHandler<S extends z.ZodObject, A extends Inputs>(h: ResourceHandler<S, A>): ResourceHandler<S, A> {
  return h;
}
