import { describe, expect, it } from 'vitest';
import {
  decideEnvironment,
  deployBranchOf,
  deployChangeBase,
  folderChanged,
  type EnvironmentAtHead,
} from '../../../engine/daemon/decide-environment.js';

const at = (over: Partial<EnvironmentAtHead>): EnvironmentAtHead => ({
  branch: 'main',
  revision: 'c2',
  deployBranch: 'main',
  valid: true,
  changed: true,
  lastAttempted: 'c1',
  deployBranchExists: true,
  ...over,
});

describe('decideEnvironment', () => {
  it.each([
    ['a changed valid deploy commit is reconciled', at({}), 'reconcile'],
    ['a changed invalid deploy commit is rejected', at({ valid: false }), 'reject'],
    ['an unchanged deploy commit is skipped', at({ changed: false }), 'skip'],
    ['a deploy commit already attempted is not retried', at({ revision: 'c1', lastAttempted: 'c1' }), 'skip'],
    ['a feature branch that changes the folder is previewed', at({ branch: 'feature/x', lastAttempted: undefined }), 'preview'],
    ['an invalid feature branch is previewed (its report shows the errors)', at({ branch: 'feature/x', valid: false }), 'preview'],
    ['a feature branch that leaves the folder alone is skipped', at({ branch: 'feature/x', changed: false }), 'skip'],
    ['the deploy branch of another environment is only previewed', at({ branch: 'main', deployBranch: 'release' }), 'preview'],
    [
      'no preview without the deploy branch to compare against',
      at({ branch: 'main', deployBranch: 'release', deployBranchExists: false }),
      'skip',
    ],
    ['an untrusted deploy commit is rejected', at({ trusted: false }), 'reject'],
    ['a trusted deploy commit is reconciled', at({ trusted: true }), 'reconcile'],
    ['an untrusted commit already attempted is not rejected again', at({ revision: 'c1', trusted: false }), 'skip'],
    ['an untrusted commit that changes nothing is skipped', at({ changed: false, trusted: false }), 'skip'],
    ['an untrusted feature branch is still previewed (it never changes the cloud)', at({ branch: 'feature/x', trusted: false }), 'preview'],
  ] as const)('%s', (_name, input, kind) => {
    expect(decideEnvironment(input).kind).toBe(kind);
  });

  it('says why a deploy commit is rejected; trust comes first', () => {
    expect(decideEnvironment(at({ valid: false }))).toEqual({ kind: 'reject', reason: 'invalid' });
    expect(decideEnvironment(at({ trusted: false }))).toEqual({ kind: 'reject', reason: 'untrusted' });
    expect(decideEnvironment(at({ valid: false, trusted: false }))).toEqual({ kind: 'reject', reason: 'untrusted' });
  });
});

describe('change bases and deploy branches', () => {
  it('diffs against the last reconciled commit while it exists, else treats everything as changed', () => {
    expect(deployChangeBase('abc', true)).toEqual({ kind: 'commit', revision: 'abc' });
    expect(deployChangeBase('abc', false)).toMatchObject({ kind: 'everything', reason: expect.stringMatching(/force-push/) });
    expect(deployChangeBase(undefined, false)).toEqual({ kind: 'everything', reason: 'never reconciled' });
  });

  it('takes the deploy branch from the spec, else the record, else the default', () => {
    expect(deployBranchOf('release', 'main', 'main')).toBe('release');
    expect(deployBranchOf(undefined, 'release', 'main')).toBe('release');
    expect(deployBranchOf(undefined, undefined, 'main')).toBe('main');
  });

  it('matches changed paths by environment folder, not by name prefix', () => {
    expect(folderChanged(['environments/dev/q.yaml'], 'environments', 'dev')).toBe(true);
    expect(folderChanged(['environments/dev2/q.yaml', 'README.md'], 'environments', 'dev')).toBe(false);
    expect(folderChanged(['infra/envs/dev/q.yaml'], 'infra/envs/', 'dev')).toBe(true);
  });
});

describe('decideEnvironment: retries', () => {
  it.each([
    ['a failed commit whose retry is due is reconciled again', at({ lastAttempted: 'c2', retryDue: true }), 'reconcile'],
    ['a failed commit before its retry is due is skipped', at({ lastAttempted: 'c2', retryDue: false, failing: true }), 'skip'],
    [
      'an invalid commit is never retried (it is rejected again only if due, which it never is)',
      at({ lastAttempted: 'c2', valid: false }),
      'skip',
    ],
    ['a due retry of an untrusted head is refused', at({ lastAttempted: 'c2', retryDue: true, trusted: false }), 'reject'],
    ['a head equal to the last good one while failing (a revert) is applied', at({ changed: false, failing: true }), 'reconcile'],
  ])('%s', (_name, input, kind) => {
    expect(decideEnvironment(input).kind).toBe(kind);
  });
});
