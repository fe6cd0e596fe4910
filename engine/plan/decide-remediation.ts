/**
 * Whether a drifted stack is put back (`up --refresh`), or why not. Pure: the checker
 * gathers the facts under the stack's lock and acts on the answer, so every refusal is
 * table-tested here (test/unit/plan/decide-remediation.test.ts).
 */

/**
 * Who asked for remediation:
 * - `by-mode`: the daemon's scheduled checks — stacks whose drift mode is `remediate`;
 * - `all`: `driftless drift --remediate` — every drifted stack, whatever its mode;
 * - `none`: `driftless drift` — a read-only check, nothing is put back.
 */
export type RemediationPolicy = 'by-mode' | 'all' | 'none';

/** What is known about one drifted stack when remediation is decided. */
export interface RemediationFacts {
  policy: RemediationPolicy;
  /** The stack's drift mode (its own, else its environment's). */
  mode: 'detect' | 'remediate';
  /** False while Git's current state of the environment is invalid. */
  gitStateValid: boolean;
  /** How the stack's last `up` ended. */
  lastResult: 'succeeded' | 'failed' | undefined;
  /** Git wants something not applied yet (the reconcile decides to apply the stack). */
  gitChangesPending: boolean;
}

/** The decision: remediate, or keep the drift reported (`drifted`: not asked; `not-remediated`: asked but unsafe). */
export type RemediationDecision = { remediate: true } | { remediate: false; status: 'drifted' | 'not-remediated'; reason: string };

/** The reason a read-only `driftless drift` gives for a drifted stack. */
export const READ_ONLY_REASON = 'read-only check: run driftless drift --remediate to put it back';

/** Decides remediation of one drifted stack; the first refusal that applies wins. */
export function decideRemediation(f: RemediationFacts): RemediationDecision {
  if (f.policy === 'none') return { remediate: false, status: 'drifted', reason: READ_ONLY_REASON };
  if (f.policy === 'by-mode' && f.mode !== 'remediate') return { remediate: false, status: 'drifted', reason: 'drift mode is detect' };
  if (!f.gitStateValid) return { remediate: false, status: 'not-remediated', reason: "Git's current state of the environment is invalid" };
  if (f.lastResult === 'failed') return { remediate: false, status: 'not-remediated', reason: 'its last up failed' };
  if (f.gitChangesPending)
    return { remediate: false, status: 'not-remediated', reason: 'Git has changes that are not applied yet; up will reconcile them' };
  return { remediate: true };
}
