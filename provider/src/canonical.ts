/**
 * Canonical forms used to compare desired and live values without spurious diffs:
 * map ordering never matters, and JSON documents compare by meaning, not by spelling.
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deterministic JSON: object keys sorted, `undefined` members dropped. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v)) ?? 'undefined';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/** Deep equality on canonical forms; absent and `undefined` are equal. */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * The canonical text of an IAM-style policy document. AWS hands policies back
 * reformatted: keys reordered, one-element lists collapsed to their element. Both
 * are folded here (every list but `Statement`, which stays a list) so that what the
 * user wrote and what the API returns compare equal.
 */
export function canonicalPolicy(doc: unknown): string {
  return canonicalJson(foldPolicy(doc, undefined));
}

function foldPolicy(v: unknown, key: string | undefined): unknown {
  if (Array.isArray(v)) {
    const items = v.map((i) => foldPolicy(i, undefined));
    if (key === 'Statement') return items;
    return items.length === 1 ? items[0] : items;
  }
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) out[k] = foldPolicy(item, k);
    if (key === undefined && isRecord(out) && 'Statement' in out && !Array.isArray(out.Statement)) {
      out.Statement = [out.Statement];
    }
    return out;
  }
  return v;
}

/** Parses JSON text, as a value instead of a throw. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: e instanceof SyntaxError ? e.message : String(e) };
  }
}
