import { Octokit } from '@octokit/rest';
import { COMMENT_LIMITS, type CommitStatus, type Forge, forgeErrorOf, type MergeRequestRef, oneLine } from './forge.js';

export interface GithubOptions {
  /** `https://api.github.com` or a GitHub Enterprise `https://host/api/v3`. */
  baseUrl?: string | undefined;
  /** `owner/name`. */
  repository: string;
  token: string;
  fetch?: typeof fetch;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

interface GithubPull {
  number: number;
  state: string;
  merged_at?: string | null;
  html_url?: string;
  head: { ref: string; sha: string };
}

function ref(p: GithubPull): MergeRequestRef {
  return {
    number: p.number,
    branch: p.head.ref,
    headSha: p.head.sha,
    state: p.state === 'open' ? 'open' : p.merged_at ? 'merged' : 'closed',
    url: p.html_url,
  };
}

/** GitHub through @octokit/rest (the official client; its routes are generated from GitHub's OpenAPI description). */
export class GithubForge implements Forge {
  readonly kind = 'github' as const;
  readonly commentLimit = COMMENT_LIMITS.github;
  private readonly octokit: Octokit;
  private readonly owner: string;
  private readonly repo: string;

  constructor(o: GithubOptions) {
    const [owner, repo] = o.repository.split('/');
    if (!owner || !repo) throw new Error(`forge.repository must be owner/name, not ${o.repository}`);
    this.owner = owner;
    this.repo = repo;
    this.octokit = new Octokit({
      auth: o.token,
      baseUrl: (o.baseUrl ?? 'https://api.github.com').replace(/\/$/, ''),
      userAgent: 'driftless',
      log: quiet,
      request: { ...(o.fetch ? { fetch: o.fetch } : {}), timeout: 15_000 },
    });
  }

  private async call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw forgeErrorOf(`GitHub ${what}`, e);
    }
  }

  async setStatus(s: CommitStatus): Promise<void> {
    await this.call('create commit status', () =>
      this.octokit.rest.repos.createCommitStatus({
        owner: this.owner,
        repo: this.repo,
        sha: s.sha,
        state: s.state,
        context: s.context,
        description: oneLine(s.description),
        ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
      }),
    );
  }

  async openMergeRequests(branch: string): Promise<MergeRequestRef[]> {
    const res = await this.call('list pull requests', () =>
      this.octokit.rest.pulls.list({ owner: this.owner, repo: this.repo, state: 'open', head: `${this.owner}:${branch}`, per_page: 100 }),
    );
    return (res.data as GithubPull[]).map(ref).filter((p) => p.branch === branch);
  }

  async mergeRequestsOfCommit(sha: string): Promise<MergeRequestRef[]> {
    const res = await this.call('list pull requests of a commit', () =>
      this.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: this.owner, repo: this.repo, commit_sha: sha, per_page: 100 }),
    );
    return (res.data as GithubPull[]).map(ref);
  }

  async upsertComment(mr: number, marker: string, body: string): Promise<{ id: number; created: boolean }> {
    for (let page = 1; page <= 20; page++) {
      const res = await this.call('list comments', () =>
        this.octokit.rest.issues.listComments({ owner: this.owner, repo: this.repo, issue_number: mr, per_page: 100, page }),
      );
      const mine = res.data.find((c) => c.body?.includes(marker));
      if (mine) {
        await this.call('update comment', () =>
          this.octokit.rest.issues.updateComment({ owner: this.owner, repo: this.repo, comment_id: mine.id, body }),
        );
        return { id: mine.id, created: false };
      }
      if (res.data.length < 100) break;
    }
    const created = await this.call('create comment', () =>
      this.octokit.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: mr, body }),
    );
    return { id: created.data.id, created: true };
  }
}
