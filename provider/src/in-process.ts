/**
 * The provider's own readers, callable in-process (no plugin, no Pulumi engine): for a
 * resource as a Pulumi checkpoint records it, read the live resource with the type's
 * handler and compare it with the recorded inputs exactly as the dispatcher's diff
 * does during a refresh (`diffInputs` under the handler's rules, canonical values).
 * The engine's drift pre-screen calls this inside `inAwsScope` (src/aws/clients.ts)
 * with each environment's region, endpoint and credentials.
 */
import { sameValue } from './canonical.js';
import { diffInputs } from './diff.js';
import { inputsOf } from './dispatcher.js';
import type { ResourceHandler } from './handler.js';
import { unwrapSecrets, type Props } from './property-values.js';
import { resourceHandlers } from './resources/index.js';

export { type AwsClientSettings, type AwsScope, awsClientSettings, inAwsScope } from './aws/clients.js';

/** A resource as its stack's last state records it. */
export interface RecordedResource {
  /** Type token, e.g. `driftless-aws:sqs:Queue`. */
  type: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

/** What a live read found, compared with the recorded state. */
export type LiveComparison =
  | { kind: 'same' }
  /** Input properties (or computed attributes) whose live value differs. */
  | { kind: 'differs'; properties: string[] }
  | { kind: 'deleted' }
  /** Not comparable here (secret inputs, a failed read): only a refresh can tell. */
  | { kind: 'unreadable'; reason: string };

const handlers: ReadonlyMap<string, ResourceHandler> = new Map(resourceHandlers.map((h) => [h.token, h]));

/** Type tokens that have an in-process reader. */
export const inProcessReaderTypes: ReadonlySet<string> = new Set(handlers.keys());

/** Pulumi's marker of a secret in serialized state. */
const SIG_KEY = '4dabf18193072939515e22adb298388d';

/** True when the value holds a secret that is still encrypted (state as stored: `ciphertext`, no `value`). */
function holdsEncryptedSecret(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(holdsEncryptedSecret);
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  if (SIG_KEY in r) return !('value' in r) || holdsEncryptedSecret(r.value);
  return Object.values(r).some(holdsEncryptedSecret);
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/**
 * Reads one recorded resource live and compares it with its recorded inputs (and its
 * computed attributes with the recorded outputs, so a change only the outputs show is
 * not missed). Never throws: anything that prevents an exact comparison is `unreadable`.
 * Secret inputs are compared when they arrive decrypted (`{sig, value}`), never when
 * encrypted.
 */
export async function compareWithLive(r: RecordedResource): Promise<LiveComparison> {
  const h = handlers.get(r.type);
  if (!h) return { kind: 'unreadable', reason: `no in-process reader for ${r.type}` };
  if (!r.id) return { kind: 'unreadable', reason: 'the resource has no id in the state' };
  const secret = Object.keys(h.rules).filter((k) => holdsEncryptedSecret(r.inputs[k]) || holdsEncryptedSecret(r.outputs[k]));
  if (secret.length)
    return { kind: 'unreadable', reason: `secret inputs (${secret.join(', ')}) cannot be compared without decrypting them` };
  const inputs = inputsOf(h, unwrapSecrets(r.inputs).plain);
  const outputs = unwrapSecrets(r.outputs).plain;
  let live: Awaited<ReturnType<ResourceHandler['read']>>;
  try {
    // As the dispatcher's read: the handler sees the recorded state's input properties.
    live = await h.read(r.id, inputsOf(h, Object.keys(r.outputs).length ? outputs : inputs));
  } catch (err) {
    return { kind: 'unreadable', reason: `read failed: ${message(err)}` };
  }
  if (!live) return { kind: 'deleted' };
  const changed = diffInputs(h.rules, inputs, live.inputs).changed;
  const attributes = Object.entries(live.attributes)
    .filter(([k, v]) => !sameValue(outputs[k], v))
    .map(([k]) => k);
  const properties = [...changed, ...attributes];
  return properties.length ? { kind: 'differs', properties } : { kind: 'same' };
}
