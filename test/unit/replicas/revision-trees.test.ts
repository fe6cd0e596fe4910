import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type EnvironmentsLoad, loadEnvironments, SHARED_BACKEND_MESSAGE } from '../../../engine/load/index.js';
import { RevisionTrees } from '../../../engine/replicas/revision-trees.js';
import type { BranchHeads, GitSource, SourceError } from '../../../engine/source/git-source.js';
import { builtinRegistry } from '../../../engine/templates/builtin.js';
import { tempDir } from '../../support/temp.js';
import { writeEnvironment } from './environment-tree.js';

const root = tempDir('revision-trees');

/** A commit's environments folder, written once to disk the way a checkout leaves it. */
function tree(revision: string, opts: { backend?: string } = {}): string {
  const dir = join(root, revision, 'environments');
  writeEnvironment(dir, 'alpha', { stacks: ['orders', 'payments'], ...opts });
  return dir;
}

/**
 * A Git mirror of a few commits whose trees are folders on disk. Commits in `upstream`
 * arrive in the mirror with the `arrivesAfterFetches`-th fetch (as a commit the leader saw
 * before this replica polled does). It counts its calls and the trees it disposed.
 */
class FakeSource implements GitSource {
  readonly displayUrl = 'https://git.example.com/ops/environments.git';
  readonly mirrored = new Set<string>();
  readonly upstream = new Set<string>();
  arrivesAfterFetches = 1;
  fetchFails: string | undefined;
  /** Makes the next checkouts throw (a full disk, a broken mirror). */
  checkoutFails: string | undefined;
  /** Holds every checkout until it resolves (so callers overlap while a tree loads). */
  gate: Promise<void> = Promise.resolve();
  readonly calls = { hasCommit: 0, fetch: 0, checkout: [] as string[] };
  readonly disposed: string[] = [];

  constructor(private readonly trees: Record<string, string>) {}

  async fetch(): Promise<{ ok: true; heads: BranchHeads } | SourceError> {
    this.calls.fetch++;
    if (this.fetchFails) return { ok: false, message: this.fetchFails };
    if (this.calls.fetch >= this.arrivesAfterFetches) for (const c of this.upstream) this.mirrored.add(c);
    return { ok: true, heads: new Map() };
  }

  async hasCommit(revision: string): Promise<boolean> {
    this.calls.hasCommit++;
    return this.mirrored.has(revision);
  }

  async checkoutEnvironments(revision: string): Promise<{ root: string; environmentsDir: string; dispose(): void }> {
    this.calls.checkout.push(revision);
    await this.gate;
    if (this.checkoutFails) throw new Error(this.checkoutFails);
    const environmentsDir = this.trees[revision];
    if (!environmentsDir) throw new Error(`no tree for ${revision}`);
    return { root: join(environmentsDir, '..'), environmentsDir, dispose: () => this.disposed.push(revision) };
  }

  changedPaths(): never {
    throw new Error('not used by RevisionTrees');
  }
  mergeBase(): never {
    throw new Error('not used by RevisionTrees');
  }
  commitInfo(): never {
    throw new Error('not used by RevisionTrees');
  }
  verifyCommit(): never {
    throw new Error('not used by RevisionTrees');
  }
  commitsBetween(): never {
    throw new Error('not used by RevisionTrees');
  }
}

const R1 = '1111111111111111111111111111111111111111';
const R2 = '2222222222222222222222222222222222222222';
const R3 = '3333333333333333333333333333333333333333';
const treeDirs = { [R1]: tree(R1), [R2]: tree(R2), [R3]: tree(R3) };

function mirrorOf(...revisions: string[]): FakeSource {
  const source = new FakeSource(treeDirs);
  for (const r of revisions) source.mirrored.add(r);
  return source;
}

const stackNames = (load: EnvironmentsLoad) => load.environments.flatMap((e) => e.stacks.map((s) => `${e.name}/${s.name}`));

describe('RevisionTrees: the environments of recent revisions, loaded once per revision', () => {
  it('checks a revision out and loads it once for concurrent jobs at that revision', async () => {
    const source = mirrorOf(R1);
    let open!: () => void;
    source.gate = new Promise((r) => {
      open = r;
    });
    const trees = new RevisionTrees(source, builtinRegistry());
    const seen: EnvironmentsLoad[] = [];
    const job = () =>
      trees.with(R1, async (load) => {
        seen.push(load);
        return stackNames(load);
      });
    const running = [job(), job(), job()];
    // All three are waiting on the one checkout.
    await expect.poll(() => source.calls.checkout.length).toBe(1);
    open();
    expect(await Promise.all(running)).toEqual([
      ['alpha/orders', 'alpha/payments'],
      ['alpha/orders', 'alpha/payments'],
      ['alpha/orders', 'alpha/payments'],
    ]);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
    // A later job at the same revision still finds it loaded.
    await trees.with(R1, async (load) => expect(load).toBe(seen[0]));
    expect(source.calls.checkout).toEqual([R1]);
    expect(source.calls.fetch).toBe(0);
    expect(source.disposed).toEqual([]);
  });

  it('fetches when the mirror does not have the commit yet', async () => {
    const source = mirrorOf();
    source.upstream.add(R2);
    source.arrivesAfterFetches = 2; // a fetch under way when the job arrived predates the commit
    const trees = new RevisionTrees(source, builtinRegistry());
    expect(await trees.with(R2, async (load) => stackNames(load))).toEqual(['alpha/orders', 'alpha/payments']);
    expect(source.calls.fetch).toBe(2);
    expect(source.calls.checkout).toEqual([R2]);
  });

  it('fetches twice at most and rejects, naming the commit and the repository, when the commit is still missing', async () => {
    const source = mirrorOf();
    const trees = new RevisionTrees(source, builtinRegistry());
    let ran = false;
    await expect(
      trees.with(R3, async () => {
        ran = true;
      }),
    ).rejects.toThrow(`commit ${R3} is not in https://git.example.com/ops/environments.git`);
    expect(source.calls.fetch).toBe(2);
    expect(source.calls.checkout).toEqual([]);
    expect(ran).toBe(false);
  });

  it('rejects with the fetch error when the mirror cannot fetch', async () => {
    const source = mirrorOf();
    source.fetchFails = 'connection refused';
    const trees = new RevisionTrees(source, builtinRegistry());
    await expect(trees.with(R1, async () => undefined)).rejects.toThrow(
      'fetching https://git.example.com/ops/environments.git failed: connection refused',
    );
    expect(source.calls.fetch).toBe(1);
  });

  it('does not keep a failed load: the next job at that revision tries again', async () => {
    const source = mirrorOf(R1);
    source.checkoutFails = 'No space left on device';
    const trees = new RevisionTrees(source, builtinRegistry());
    await expect(trees.with(R1, async () => undefined)).rejects.toThrow('No space left on device');
    source.checkoutFails = undefined;
    expect(await trees.with(R1, async (load) => stackNames(load))).toEqual(['alpha/orders', 'alpha/payments']);
    expect(source.calls.checkout).toEqual([R1, R1]);
  });

  it('does not keep a revision whose commit was missing: it is fetched again for the next job', async () => {
    const source = mirrorOf();
    const trees = new RevisionTrees(source, builtinRegistry());
    await expect(trees.with(R2, async () => undefined)).rejects.toThrow(`commit ${R2}`);
    source.upstream.add(R2);
    expect(await trees.with(R2, async (load) => load.environments.map((e) => e.name))).toEqual(['alpha']);
    expect(source.calls.fetch).toBe(3);
  });

  it('keeps at most `keep` idle revisions, disposing the least recently used first', async () => {
    const source = mirrorOf(R1, R2, R3);
    const trees = new RevisionTrees(source, builtinRegistry(), 2);
    const use = (r: string) => trees.with(r, async () => undefined);
    await use(R1);
    await use(R2);
    expect(source.disposed).toEqual([]);
    await use(R3);
    expect(source.disposed).toEqual([R1]);
    await use(R2); // still loaded, and now the most recently used
    expect(source.calls.checkout).toEqual([R1, R2, R3]);
    await use(R1); // checked out again; R3 is now the least recently used
    expect(source.calls.checkout).toEqual([R1, R2, R3, R1]);
    expect(source.disposed).toEqual([R1, R3]);
    trees.close();
    expect([...source.disposed].sort()).toEqual([R1, R1, R2, R3]);
  });

  it('never disposes a revision a job still uses, even beyond `keep`', async () => {
    const source = mirrorOf(R1, R2);
    const trees = new RevisionTrees(source, builtinRegistry(), 1);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const long = trees.with(R1, () => held);
    await expect.poll(() => source.calls.checkout.length).toBe(1);
    await trees.with(R2, async () => undefined);
    // Two loaded, one allowed: the idle one goes, the busy one stays.
    expect(source.disposed).toEqual([R2]);
    release();
    await long;
    expect(source.disposed).toEqual([R2]);
    await trees.with(R1, async () => undefined);
    expect(source.calls.checkout).toEqual([R1, R2]);
  });

  it('refuses an environment on a file:// backend (requireSharedBackend)', async () => {
    const local = '4444444444444444444444444444444444444444';
    const dir = tree(local, { backend: 'file://state/alpha' });
    // The same tree is valid where local state is allowed: only the backend is refused.
    expect((await loadEnvironments(dir, builtinRegistry())).environments.map((e) => e.name)).toEqual(['alpha']);
    const source = new FakeSource({ [local]: dir });
    source.mirrored.add(local);
    const trees = new RevisionTrees(source, builtinRegistry());
    const load = await trees.with(local, async (l) => l);
    expect(load.environments).toEqual([]);
    expect(load.messages).toEqual([
      expect.objectContaining({
        file: expect.stringContaining('alpha/environment.yaml'),
        path: 'spec.backend',
        message: SHARED_BACKEND_MESSAGE,
        severity: 'error',
      }),
    ]);
  });
});
