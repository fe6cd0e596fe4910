import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitRepositorySource } from '../../engine/source/git-source.js';
import { tempDir } from '../support/temp.js';
import { TestRepo } from '../e2e/daemon/git-repo.js';

describe('GitRepositorySource on real repositories', () => {
  const root = tempDir('git-source');
  const repo = new TestRepo(join(root, 'upstream'));
  const source = new GitRepositorySource({
    repository: repo.dir,
    cacheDir: join(root, 'cache'),
    environmentsPath: 'environments',
    scratchDir: join(root, 'scratch'),
  });

  it('lists heads, diffs only the environments folder, and checks a commit out as plain files', async () => {
    repo.write('environments/dev/environment.yaml', 'a: 1\n');
    repo.write('README.md', 'not an environment\n');
    const first = repo.commit('first');
    repo.write('environments/dev/q.yaml', 'b: 2\n');
    repo.write('stacks/evil/program.ts', 'branch code, never run\n');
    const second = repo.commit('second');

    const fetched = await source.fetch();
    expect(fetched.ok && Object.fromEntries(fetched.heads)).toEqual({ main: second });
    expect(await source.changedPaths(first, second)).toEqual(['environments/dev/q.yaml']);
    expect(await source.commitInfo(second)).toEqual({
      revision: second,
      author: 'Ada Ops <ada@example.com>',
      committer: 'Ada Ops <ada@example.com>',
      subject: 'second',
    });

    const tree = await source.checkoutEnvironments(second);
    expect(readFileSync(join(tree.environmentsDir, 'dev', 'q.yaml'), 'utf8')).toBe('b: 2\n');
    // only the environments folder is taken from the commit
    expect(existsSync(join(tree.root, 'stacks'))).toBe(false);
    tree.dispose();
    expect(existsSync(tree.root)).toBe(false);
  });

  it('follows a force-push without losing the replaced commit, and prunes a deleted branch', async () => {
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('environments/dev/q.yaml', 'b: 3\n');
    const feature = repo.commit('feature');
    repo.git('checkout', '-q', 'main');
    const replaced = repo.head();
    expect((await source.fetch()).ok).toBe(true);

    // rewrite main: the last fetched head is no longer on any branch upstream
    repo.git('reset', '-q', '--hard', 'HEAD~1');
    repo.write('environments/dev/other.yaml', 'c: 1\n');
    const rewritten = repo.commit('rewritten');
    repo.git('branch', '-q', '-D', 'feature');
    repo.git('gc', '-q', '--prune=now');

    const fetched = await source.fetch();
    expect(fetched.ok && Object.fromEntries(fetched.heads)).toEqual({ main: rewritten });
    // the cache still has the replaced commit, so changes can be computed against it
    expect(await source.hasCommit(replaced)).toBe(true);
    expect((await source.changedPaths(replaced, rewritten)).sort()).toEqual(['environments/dev/other.yaml', 'environments/dev/q.yaml']);
    expect(await source.hasCommit('0'.repeat(40))).toBe(false);
    expect(await source.mergeBase(feature, rewritten)).toBe(repo.git('rev-parse', 'HEAD~1'));
  });

  it('reports an unreachable remote as a value, with the credentials in its URL redacted', async () => {
    const remote = new GitRepositorySource({
      repository: 'https://deploy-bot:s3cr3t-token@127.0.0.1:9/org/envs.git',
      cacheDir: join(root, 'cache-remote'),
      environmentsPath: 'environments',
      scratchDir: join(root, 'scratch'),
    });
    expect(remote.displayUrl).toBe('https://[redacted]@127.0.0.1:9/org/envs.git');
    const fetched = await remote.fetch();
    expect(fetched.ok).toBe(false);
    expect(JSON.stringify(fetched)).not.toContain('s3cr3t-token');
  });
});
