import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gitClient } from './git-client.js';
import { redactCredentials } from './redact-url.js';
import { commitsBetweenIn, verifyCommitIn, type CommitVerification, type TrustSettings } from './verify-commit.js';

const exec = promisify(execFile);

/** Branch name → head commit, as the last fetch saw them. */
export type BranchHeads = ReadonlyMap<string, string>;

/** One commit as the daemon reports it. */
export interface CommitInfo {
  revision: string;
  /** `Name <email>` of the commit's author. */
  author: string;
  /** `Name <email>` of its committer. */
  committer: string;
  subject: string;
}

/** A fetch failure, classified once here; never carries credentials. */
export interface SourceError {
  ok: false;
  message: string;
}

/**
 * Where the desired state comes from. The daemon sees only this interface: branch heads,
 * what changed between two commits, and a commit's environments tree as plain files.
 */
export interface GitSource {
  /** Address as it may be logged (credentials redacted). */
  readonly displayUrl: string;
  /** Fetches every branch (force-pushes accepted, deleted branches pruned) and lists heads. */
  fetch(): Promise<{ ok: true; heads: BranchHeads } | SourceError>;
  /** Whether the commit is still in the cache (a force-push may have dropped it upstream). */
  hasCommit(revision: string): Promise<boolean>;
  /** Paths under the environments folder that differ between two commits. */
  changedPaths(from: string, to: string): Promise<string[]>;
  /** The common ancestor of two commits, when there is one. */
  mergeBase(a: string, b: string): Promise<string | undefined>;
  commitInfo(revision: string): Promise<CommitInfo>;
  /** Verifies the commit's signature against the operator's trusted keys (never the repository's). */
  verifyCommit(revision: string): Promise<CommitVerification>;
  /** Commits reachable from `to` but not from `from`. */
  commitsBetween(from: string, to: string): Promise<string[]>;
  /**
   * Writes the environments folder of a commit into a new temporary folder (never runs
   * anything from it) and returns the folder that corresponds to the repository root.
   */
  checkoutEnvironments(revision: string): Promise<{ root: string; environmentsDir: string; dispose(): void }>;
}

/** Options of {@link GitRepositorySource}. */
export interface GitSourceOptions {
  /** Local path, or an https/ssh URL (https credentials may be in the URL; they are never logged). */
  repository: string;
  /** Folder the daemon owns for its bare mirror. */
  cacheDir: string;
  /** Folder inside the repository holding one folder per environment. */
  environmentsPath: string;
  /** Parent folder for commit checkouts. */
  scratchDir: string;
  /** The operator's trusted keys; without them every signed commit verifies as untrusted. */
  trust?: TrustSettings | undefined;
}

/**
 * GitSource over simple-git: a bare mirror in a cache folder. Fetching uses forced
 * refspecs into refs/heads with pruning, so a force-push replaces a head and a deleted
 * branch disappears; objects of replaced commits stay until git's own gc, which is what
 * lets the daemon diff against a last reconciled commit that is no longer on any branch.
 */
export class GitRepositorySource implements GitSource {
  readonly displayUrl: string;
  private readonly url: string;

  constructor(private readonly opts: GitSourceOptions) {
    const looksLikeUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(opts.repository) || /^[^/]+@[^/:]+:/.test(opts.repository);
    this.url = looksLikeUrl || isAbsolute(opts.repository) ? opts.repository : resolve(opts.repository);
    this.displayUrl = redactCredentials(this.url);
  }

  private git() {
    return gitClient(this.opts.cacheDir);
  }

  /** The fetch under way: concurrent callers (the poller and a replica's stack workers) share it, so git never races itself on one mirror. */
  private inflight: Promise<{ ok: true; heads: BranchHeads } | SourceError> | undefined;

  fetch(): Promise<{ ok: true; heads: BranchHeads } | SourceError> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(): Promise<{ ok: true; heads: BranchHeads } | SourceError> {
    try {
      if (!existsSync(join(this.opts.cacheDir, 'HEAD'))) {
        mkdirSync(this.opts.cacheDir, { recursive: true });
        await this.git().raw(['init', '--bare', '--quiet']);
      }
      // The URL is passed per fetch and never stored as a remote, so credentials in it
      // are not written into the cache's config.
      await this.git().raw(['fetch', '--prune', '--no-tags', '--quiet', this.url, '+refs/heads/*:refs/heads/*']);
      const refs = await this.git().raw(['for-each-ref', '--format=%(refname:strip=2) %(objectname)', 'refs/heads']);
      const heads = new Map<string, string>();
      for (const line of refs.split('\n')) {
        const [branch, sha] = line.trim().split(' ');
        if (branch && sha) heads.set(branch, sha);
      }
      return { ok: true, heads };
    } catch (e) {
      return { ok: false, message: redactCredentials(e instanceof Error ? e.message : String(e)).trim() };
    }
  }

  async hasCommit(revision: string): Promise<boolean> {
    try {
      await this.git().raw(['cat-file', '-e', `${revision}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  async changedPaths(from: string, to: string): Promise<string[]> {
    const out = await this.git().raw(['diff', '--name-only', '--no-renames', from, to, '--', this.opts.environmentsPath]);
    return out.split('\n').filter((l) => l !== '');
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    try {
      return (await this.git().raw(['merge-base', a, b])).trim() || undefined;
    } catch {
      // Unrelated histories have no merge base; git says so with exit status 1.
      return undefined;
    }
  }

  async commitInfo(revision: string): Promise<CommitInfo> {
    const out = await this.git().raw(['log', '-1', '--format=%an <%ae>%x00%cn <%ce>%x00%s', revision]);
    const [author = '', committer = '', subject = ''] = out.trim().split('\0');
    return { revision, author, committer, subject };
  }

  verifyCommit(revision: string): Promise<CommitVerification> {
    return verifyCommitIn(this.opts.cacheDir, revision, this.opts.trust ?? { mode: 'off' });
  }

  commitsBetween(from: string, to: string): Promise<string[]> {
    return commitsBetweenIn(this.opts.cacheDir, from, to);
  }

  async checkoutEnvironments(revision: string): Promise<{ root: string; environmentsDir: string; dispose(): void }> {
    mkdirSync(this.opts.scratchDir, { recursive: true });
    const root = mkdtempSync(join(this.opts.scratchDir, 'tree-'));
    const dispose = () => rmSync(root, { recursive: true, force: true });
    const environmentsDir = join(root, this.opts.environmentsPath);
    try {
      const listed = await this.git().raw(['ls-tree', '--name-only', revision, '--', this.opts.environmentsPath]);
      if (listed.trim() !== '') {
        // git archive writes plain files only (no hooks, no filters run), and tar
        // extracts them below root: paths in a git tree cannot climb out of it.
        const tarball = join(root, '.tree.tar');
        await this.git().raw(['archive', '--format=tar', '-o', tarball, revision, '--', this.opts.environmentsPath]);
        await exec('tar', ['-xf', tarball, '-C', root, '--no-same-owner']);
        rmSync(tarball);
      }
      return { root, environmentsDir, dispose };
    } catch (e) {
      dispose();
      throw e;
    }
  }
}
