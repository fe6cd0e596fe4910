/** What the daemon does with one environment folder at one branch head. */
export type EnvironmentAction =
  | { kind: 'reconcile' }
  /** Invalid, or not signed by a trusted key, on its deploy branch: nothing applied, recorded and notified. */
  | { kind: 'reject'; reason: 'invalid' | 'untrusted' }
  | { kind: 'preview' }
  | { kind: 'skip'; reason: string };

/** Everything the decision depends on; computed from Git and the daemon store beforehand. */
export interface EnvironmentAtHead {
  branch: string;
  revision: string;
  /** The environment's deploy branch (see {@link deployBranchOf}). */
  deployBranch: string;
  valid: boolean;
  /**
   * Whether the environment's folder differs from its base: on the deploy branch the last
   * reconciled commit, elsewhere the merge base with the deploy branch. True without a base.
   */
  changed: boolean;
  /** Last deploy commit attempted for this environment (deploy branch only). */
  lastAttempted: string | undefined;
  /** Whether the deploy branch exists: a preview is a diff against it, so none without it. */
  deployBranchExists: boolean;
  /**
   * The signature verdict on the deploy commit (and, in range mode, every commit since the
   * last applied one); undefined when trust is off. Previews are never gated by it.
   */
  trusted?: boolean | undefined;
  /** The last attempted commit failed and its retry is due (engine/daemon/environment-status.ts). */
  retryDue?: boolean | undefined;
  /** The last attempt on the deploy branch failed: a head equal to the last good one is applied again (a revert repairs). */
  failing?: boolean | undefined;
}

/**
 * The daemon's decision for one environment, a pure function (table-tested). The deploy
 * branch is reconciled when its folder changed since the last good reconcile, once per
 * commit (again when its retry is due), and only when trusted (if trust is on); other branches get a preview when they
 * change the folder.
 */
export function decideEnvironment(e: EnvironmentAtHead): EnvironmentAction {
  if (e.branch === e.deployBranch) {
    if (e.revision === e.lastAttempted && !e.retryDue) return { kind: 'skip', reason: 'this commit was already reconciled' };
    if (!e.changed && !e.failing) return { kind: 'skip', reason: 'unchanged since the last reconciled commit' };
    // Trust first: an untrusted commit is refused whatever it contains.
    if (e.trusted === false) return { kind: 'reject', reason: 'untrusted' };
    return e.valid ? { kind: 'reconcile' } : { kind: 'reject', reason: 'invalid' };
  }
  if (!e.deployBranchExists) return { kind: 'skip', reason: `its deploy branch ${e.deployBranch} does not exist` };
  return e.changed ? { kind: 'preview' } : { kind: 'skip', reason: `no changes against ${e.deployBranch}` };
}

/**
 * The deploy branch of an environment: its own spec when valid at this commit, else what
 * the last valid version said, else the configured default (an environment.yaml that was
 * never valid has no deploy branch of its own yet).
 */
export function deployBranchOf(spec: string | undefined, recorded: string | undefined, fallback: string): string {
  return spec ?? recorded ?? fallback;
}

/** Where changes are computed from, per the rules in {@link EnvironmentAtHead.changed}. */
export type ChangeBase = { kind: 'commit'; revision: string } | { kind: 'everything'; reason: string };

/**
 * The base of the deploy branch: the last reconciled commit while it still exists (a
 * force-push may have removed it upstream; the cache keeps objects until gc), else
 * everything counts as changed, which the planner's fingerprints make safe.
 */
export function deployChangeBase(lastReconciled: string | undefined, stillExists: boolean): ChangeBase {
  if (!lastReconciled) return { kind: 'everything', reason: 'never reconciled' };
  if (!stillExists) return { kind: 'everything', reason: `last reconciled commit ${lastReconciled.slice(0, 12)} is gone (force-push)` };
  return { kind: 'commit', revision: lastReconciled };
}

/** Whether any changed path lies in the environment's folder. */
export function folderChanged(changedPaths: readonly string[], environmentsPath: string, environment: string): boolean {
  const prefix = `${environmentsPath.replace(/\/+$/, '')}/${environment}/`;
  return changedPaths.some((p) => p.startsWith(prefix));
}
