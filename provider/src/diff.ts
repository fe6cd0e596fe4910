import { sameValue } from './canonical.js';
import type { ChangeRule, Inputs } from './handler.js';
import { containsUnknown } from './property-values.js';

/** The outcome of comparing stored and desired inputs. */
export interface InputDiff {
  /** Properties whose values differ (or are unknown until apply). */
  changed: string[];
  /** The changed properties whose rule is replace. */
  replaces: string[];
}

/**
 * Compares normalised inputs property by property under the handler's rules. Values
 * are compared in canonical form (map order never matters; absent equals undefined);
 * a value that is unknown during preview counts as changed.
 */
export function diffInputs(rules: Readonly<Record<string, ChangeRule>>, olds: Inputs, news: Inputs): InputDiff {
  const changed: string[] = [];
  const replaces: string[] = [];
  for (const [property, rule] of Object.entries(rules)) {
    const before = olds[property];
    const after = news[property];
    if (!containsUnknown(after) && sameValue(before, after)) continue;
    changed.push(property);
    if (rule === 'replace') replaces.push(property);
  }
  return { changed, replaces };
}
