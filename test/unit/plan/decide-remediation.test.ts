import { describe, expect, it } from 'vitest';
import { decideRemediation, READ_ONLY_REASON, type RemediationFacts } from '../../../engine/plan/decide-remediation.js';

const safe: RemediationFacts = {
  policy: 'by-mode',
  mode: 'remediate',
  gitStateValid: true,
  lastResult: 'succeeded',
  gitChangesPending: false,
};
const invalid = "Git's current state of the environment is invalid";
const failed = 'its last up failed';
const pending = 'Git has changes that are not applied yet; up will reconcile them';

/** Every combination that matters: who asked, the stack's mode, and each refusal (the first that applies wins). */
const table: [string, Partial<RemediationFacts>, ReturnType<typeof decideRemediation>][] = [
  ['daemon, remediate mode, safe', {}, { remediate: true }],
  ['daemon, detect mode', { mode: 'detect' }, { remediate: false, status: 'drifted', reason: 'drift mode is detect' }],
  [
    'daemon, detect mode wins over a refusal',
    { mode: 'detect', lastResult: 'failed' },
    { remediate: false, status: 'drifted', reason: 'drift mode is detect' },
  ],
  ['CLI read-only, remediate mode', { policy: 'none' }, { remediate: false, status: 'drifted', reason: READ_ONLY_REASON }],
  ['CLI read-only, detect mode', { policy: 'none', mode: 'detect' }, { remediate: false, status: 'drifted', reason: READ_ONLY_REASON }],
  ['CLI --remediate, detect mode, safe', { policy: 'all', mode: 'detect' }, { remediate: true }],
  ['CLI --remediate, remediate mode, safe', { policy: 'all' }, { remediate: true }],
  ['Git state invalid', { gitStateValid: false }, { remediate: false, status: 'not-remediated', reason: invalid }],
  [
    'forced, Git state invalid',
    { policy: 'all', mode: 'detect', gitStateValid: false },
    { remediate: false, status: 'not-remediated', reason: invalid },
  ],
  ['last up failed', { lastResult: 'failed' }, { remediate: false, status: 'not-remediated', reason: failed }],
  ['forced, last up failed', { policy: 'all', lastResult: 'failed' }, { remediate: false, status: 'not-remediated', reason: failed }],
  ['never a recorded result', { lastResult: undefined }, { remediate: true }],
  ['Git holds unapplied changes', { gitChangesPending: true }, { remediate: false, status: 'not-remediated', reason: pending }],
  [
    'forced, Git holds unapplied changes',
    { policy: 'all', gitChangesPending: true },
    { remediate: false, status: 'not-remediated', reason: pending },
  ],
  [
    'invalid Git wins over a failed up',
    { gitStateValid: false, lastResult: 'failed' },
    { remediate: false, status: 'not-remediated', reason: invalid },
  ],
  [
    'a failed up wins over pending changes',
    { lastResult: 'failed', gitChangesPending: true },
    { remediate: false, status: 'not-remediated', reason: failed },
  ],
];

describe('decideRemediation', () => {
  for (const [why, facts, expected] of table)
    it(why, () => {
      expect(decideRemediation({ ...safe, ...facts })).toEqual(expected);
    });
});
