import { type DriftIgnoreRule, type FieldPathSegment, parseFieldPath } from '../../schemas/drift-ignore.js';
import type { DriftedResource } from './drift-report.js';

/** One ignore rule, normalised: a field path pattern, optionally limited to a resource type and/or name. */
export interface IgnoreRule {
  path: string;
  type?: string;
  name?: string;
}

/**
 * The ignore rules of one stack: its environment's `spec.drift.ignore`, then its own, as
 * one list (duplicates dropped). A stack adds rules; it cannot take its environment's away.
 */
export function mergeIgnoreRules(environment: readonly DriftIgnoreRule[], stack: readonly DriftIgnoreRule[] | undefined): IgnoreRule[] {
  const out: IgnoreRule[] = [];
  const seen = new Set<string>();
  for (const r of [...environment, ...(stack ?? [])]) {
    const rule: IgnoreRule =
      typeof r === 'string' ? { path: r } : { path: r.path, ...(r.type ? { type: r.type } : {}), ...(r.name ? { name: r.name } : {}) };
    const key = JSON.stringify([rule.path, rule.type ?? null, rule.name ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(rule);
  }
  return out;
}

function segmentMatches(pattern: FieldPathSegment, actual: FieldPathSegment): boolean {
  if ('anyKey' in pattern) return 'key' in actual;
  if ('anyIndex' in pattern) return 'index' in actual;
  if ('key' in pattern) return 'key' in actual && actual.key === pattern.key;
  return 'index' in actual && actual.index === pattern.index;
}

/**
 * Whether a pattern covers a field path: its segments match the path's first segments
 * (`tags` covers `tags.team`; `tags.*` covers `tags.team` but not `tags` itself). A change
 * reported at a coarser path (a whole `tags` map added) is not covered by a finer pattern
 * (`tags.revision`). Unparseable paths never match.
 */
export function pathCovers(pattern: string, path: string): boolean {
  const p = parseFieldPath(pattern);
  const a = parseFieldPath(path);
  if (!p.ok || !a.ok || p.segments.length > a.segments.length) return false;
  return p.segments.every((seg, i) => {
    const actual = a.segments[i];
    return actual !== undefined && segmentMatches(seg, actual);
  });
}

/** Whether a rule applies to a field of a resource. */
export function ruleMatches(rule: IgnoreRule, resource: Pick<DriftedResource, 'type' | 'name'>, path: string): boolean {
  if (rule.type !== undefined && rule.type !== resource.type) return false;
  if (rule.name !== undefined && rule.name !== resource.name) return false;
  return pathCovers(rule.path, path);
}

/**
 * Marks the drifted fields the rules cover as `ignored`, and a modified resource whose every
 * field is ignored as `ignored` too. Deleted resources, and modified ones whose changed
 * values are secret (no visible fields), are never ignored. Pure: returns new objects.
 */
export function applyIgnoreRules(resources: readonly DriftedResource[], rules: readonly IgnoreRule[]): DriftedResource[] {
  if (rules.length === 0) return [...resources];
  return resources.map((r) => {
    if (r.kind !== 'modified' || r.fields.length === 0) return r;
    const fields = r.fields.map((f) => (rules.some((rule) => ruleMatches(rule, r, f.path)) ? { ...f, ignored: true as const } : f));
    return fields.every((f) => f.ignored) ? { ...r, fields, ignored: true as const } : { ...r, fields };
  });
}

/** Counts of a filtered drift: resources that count as drifted, and fields ignored. */
export function ignoreCounts(resources: readonly DriftedResource[]): { drifted: number; ignoredFields: number } {
  return {
    drifted: resources.filter((r) => !r.ignored).length,
    ignoredFields: resources.reduce((n, r) => n + r.fields.filter((f) => f.ignored).length, 0),
  };
}
