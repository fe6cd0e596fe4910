import { randomBytes } from 'node:crypto';
import type * as provider from '@pulumi/pulumi/provider/index.js';
import { z } from 'zod';
import { diffInputs } from './diff.js';
import type { ProviderFunction } from './functions/function.js';
import type { Inputs, ResourceHandler } from './handler.js';
import { PROVIDER_VERSION } from './package-name.js';
import { containsUnknown, unwrapSecrets, wrapSecrets, type Props } from './property-values.js';
import { checkFailures } from './schema-helpers.js';

/** Marks, in stored inputs, which properties the provider generated (e.g. `name`). */
const DEFAULTS_KEY = '__defaults';

/** The type token and logical name inside a URN (`urn:pulumi:stack::project::[parent$]type::name`). */
export function parseUrn(urn: string): { token: string; logicalName: string } {
  const parts = urn.split('::');
  const qualifiedType = parts[2] ?? '';
  return { token: qualifiedType.split('$').pop() ?? '', logicalName: parts.slice(3).join('::') };
}

function generatedProperties(props: Props): string[] {
  const d = props[DEFAULTS_KEY];
  return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : [];
}

/** Properties to mark secret: those that arrived secret plus those the handler always keeps secret. */
function withHandlerSecrets(h: ResourceHandler, secretKeys: ReadonlySet<string>): Set<string> {
  return new Set([...secretKeys, ...(h.secrets ?? [])]);
}

/** Only the properties a handler declares rules for (drops attributes and markers). */
export function inputsOf(h: ResourceHandler, props: Props): Inputs {
  const out: Inputs = {};
  for (const k of Object.keys(h.rules)) if (props[k] !== undefined) out[k] = props[k];
  return out;
}

/**
 * The Pulumi provider: routes every call by type token to the handler registered for
 * it and does the generic work around the handler (unknowns, secrets, naming, check
 * failures, diff from rules, outputs = inputs + attributes).
 */
export class Dispatcher implements provider.Provider {
  readonly version = PROVIDER_VERSION;
  private readonly handlers: ReadonlyMap<string, ResourceHandler>;
  private readonly functions: ReadonlyMap<string, ProviderFunction>;

  constructor(handlers: readonly ResourceHandler[], functions: readonly ProviderFunction[] = []) {
    this.handlers = new Map(handlers.map((h) => [h.token, h]));
    this.functions = new Map(functions.map((f) => [f.token, f]));
  }

  private handlerFor(urn: string): ResourceHandler {
    const { token } = parseUrn(urn);
    const h = this.handlers.get(token);
    if (!h) {
      throw new Error(`driftless-aws has no resource type ${token}; known: ${[...this.handlers.keys()].join(', ')}`);
    }
    return h;
  }

  /** Validates and normalises inputs before any API call; unknown values are checked at apply time. */
  async check(urn: string, olds: Props, news: Props): Promise<provider.CheckResult> {
    const h = this.handlerFor(urn);
    const { plain, secretKeys } = unwrapSecrets(news);
    const oldPlain = unwrapSecrets(olds).plain;
    const raw: Props = { ...plain };
    delete raw[DEFAULTS_KEY];

    const generated: string[] = [];
    if (h.naming && raw[h.naming.property] === undefined) {
      const p = h.naming.property;
      const kept = generatedProperties(oldPlain).includes(p) ? oldPlain[p] : undefined;
      raw[p] = kept ?? h.naming.generate(parseUrn(urn).logicalName, randomBytes(4).toString('hex'), raw);
      generated.push(p);
    }

    const unknownKeys = Object.keys(raw).filter((k) => containsUnknown(raw[k]) && k in h.schema.shape);
    // Values known only at apply time are checked then; the rest now. Cross-property
    // refinements need every value, so they wait too (a fresh object without them).
    const schema = unknownKeys.length
      ? z.strictObject(Object.fromEntries(Object.entries(h.schema.shape).filter(([k]) => !unknownKeys.includes(k))))
      : h.schema;
    const known = Object.fromEntries(Object.entries(raw).filter(([k]) => !unknownKeys.includes(k)));
    const parsed = schema.safeParse(known);
    if (!parsed.success) return { inputs: news, failures: checkFailures(parsed.error) };

    const inputs: Props = { ...parsed.data };
    for (const k of unknownKeys) inputs[k] = raw[k];
    if (generated.length) inputs[DEFAULTS_KEY] = generated;
    return { inputs: wrapSecrets(inputs, withHandlerSecrets(h, secretKeys)) };
  }

  /** Update or replace per property rules; names fixed by the user force delete-before-replace. */
  async diff(_id: string, urn: string, olds: Props, news: Props): Promise<provider.DiffResult> {
    const h = this.handlerFor(urn);
    const oldPlain = unwrapSecrets(olds).plain;
    const newPlain = unwrapSecrets(news).plain;
    const d = diffInputs(h.rules, oldPlain, newPlain);
    const fixedName = h.naming !== undefined && !generatedProperties(newPlain).includes(h.naming.property);
    return {
      changes: d.changed.length > 0,
      replaces: d.replaces,
      deleteBeforeReplace: d.replaces.length > 0 && (fixedName || h.deleteBeforeReplace === true),
    };
  }

  async create(urn: string, inputs: Props): Promise<provider.CreateResult> {
    const h = this.handlerFor(urn);
    const { plain, secretKeys } = unwrapSecrets(inputs);
    const { id, attributes } = await h.create(inputsOf(h, plain));
    return { id, outs: wrapSecrets({ ...plain, ...attributes }, withHandlerSecrets(h, secretKeys)) };
  }

  /** Live state in input form; an empty id tells the engine the resource is gone. */
  async read(id: string, urn: string, props: Props = {}): Promise<provider.ReadResult> {
    const h = this.handlerFor(urn);
    const { plain, secretKeys } = unwrapSecrets(props);
    const live = await h.read(id, inputsOf(h, plain));
    if (!live) return { id: '', props: {} };
    const markers = plain[DEFAULTS_KEY] !== undefined ? { [DEFAULTS_KEY]: plain[DEFAULTS_KEY] } : {};
    const inputs = { ...live.inputs, ...markers };
    return {
      id,
      inputs: wrapSecrets(inputs, withHandlerSecrets(h, secretKeys)),
      props: wrapSecrets({ ...inputs, ...live.attributes }, withHandlerSecrets(h, secretKeys)),
    };
  }

  async update(id: string, urn: string, olds: Props, news: Props): Promise<provider.UpdateResult> {
    const h = this.handlerFor(urn);
    const oldPlain = unwrapSecrets(olds).plain;
    const { plain, secretKeys } = unwrapSecrets(news);
    const oldInputs = inputsOf(h, oldPlain);
    const newInputs = inputsOf(h, plain);
    const { changed } = diffInputs(h.rules, oldInputs, newInputs);
    const attributes = await h.update(id, oldInputs, newInputs, changed);
    return { outs: wrapSecrets({ ...plain, ...attributes }, withHandlerSecrets(h, secretKeys)) };
  }

  async delete(id: string, urn: string, props: Props): Promise<void> {
    const h = this.handlerFor(urn);
    await h.delete(id, inputsOf(h, unwrapSecrets(props).plain));
  }

  /** Runs a provider function (read-only, e.g. the caller's account). */
  async invoke(token: string, inputs: Props): Promise<provider.InvokeResult> {
    const f = this.functions.get(token);
    if (!f) throw new Error(`driftless-aws has no function ${token}; known: ${[...this.functions.keys()].join(', ')}`);
    return { outputs: await f.invoke(unwrapSecrets(inputs).plain) };
  }
}
