/**
 * The wire encodings the Pulumi engine uses inside provider property bags: unknown
 * values (during preview) and secrets (the Node provider server accepts secrets, so
 * they arrive wrapped). Handlers never see either; the dispatcher deals with them here.
 */

/** The engine's sentinel for a value that is not known until apply. */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/** A property bag as it crosses the gRPC boundary. */
export type Props = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when the value is a secret wrapper. */
function isSecret(v: unknown): v is { value: unknown } {
  return isRecord(v) && v[SIG_KEY] === SECRET_SIG;
}

/** True when the value is, or contains, an unknown. */
export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isRecord(v)) return Object.values(v).some(containsUnknown);
  return false;
}

function unwrapDeep(v: unknown): { value: unknown; secret: boolean } {
  if (isSecret(v)) return { value: unwrapDeep(v.value).value, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(unwrapDeep);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (isRecord(v)) {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      const u = unwrapDeep(item);
      out[k] = u.value;
      secret ||= u.secret;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}

/**
 * Removes secret wrappers and reports which top-level properties held a secret, so
 * the dispatcher can mark the same properties secret in the outputs it returns.
 */
export function unwrapSecrets(props: Props | undefined): { plain: Props; secretKeys: Set<string> } {
  const plain: Props = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(props ?? {})) {
    const u = unwrapDeep(v);
    plain[k] = u.value;
    if (u.secret) secretKeys.add(k);
  }
  return { plain, secretKeys };
}

/**
 * A copy without `undefined` members, deeply: protobuf structs cannot carry
 * `undefined`, and absent is what an unset optional property means anyway.
 */
export function withoutUndefined(props: Props): Props {
  return dropUndefined(props) as Props;
}

function dropUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropUndefined);
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) if (item !== undefined) out[k] = dropUndefined(item);
    return out;
  }
  return v;
}

/** Wraps the named top-level properties as secrets and drops `undefined` members (see `withoutUndefined`). */
export function wrapSecrets(props: Props, secretKeys: ReadonlySet<string>): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(withoutUndefined(props))) {
    out[k] = secretKeys.has(k) ? { [SIG_KEY]: SECRET_SIG, value: v } : v;
  }
  return out;
}
