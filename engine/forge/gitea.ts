import { COMMENT_LIMITS, type CommitStatus, type Forge, ForgeError, forgeErrorOf, type MergeRequestRef, oneLine } from './forge.js';

export interface GiteaOptions {
  /** The instance, e.g. `https://gitea.example.com` (the API is under `/api/v1`). */
  baseUrl: string;
  /** `owner/name`. */
  repository: string;
  token: string;
  fetch?: typeof fetch;
}

interface GiteaPull {
  number: number;
  state: string;
  merged?: boolean;
  html_url?: string;
  head: { ref: string; sha: string };
}

function ref(p: GiteaPull): MergeRequestRef {
  return {
    number: p.number,
    branch: p.head.ref,
    headSha: p.head.sha,
    state: p.state === 'open' ? 'open' : p.merged ? 'merged' : 'closed',
    url: p.html_url,
  };
}

/**
 * Gitea on its REST API (`/api/v1`) with plain fetch: npm has no well-kept Gitea client
 * that follows 1.27's API, and the five calls driftless needs are small (see docs/daemon.md).
 */
export class GiteaForge implements Forge {
  readonly kind = 'gitea' as const;
  readonly commentLimit = COMMENT_LIMITS.gitea;
  private readonly api: string;
  private readonly fetch: typeof fetch;
  private readonly repoPath: string;

  constructor(private readonly o: GiteaOptions) {
    const [owner, repo] = o.repository.split('/');
    if (!owner || !repo) throw new Error(`forge.repository must be owner/name, not ${o.repository}`);
    this.repoPath = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
    this.api = `${o.baseUrl.replace(/\/$/, '')}/api/v1`;
    this.fetch = o.fetch ?? globalThis.fetch;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
    const what = `Gitea ${method} ${path.replace(/\?.*/, '')}`;
    let res: Response;
    try {
      res = await this.fetch(this.api + path, {
        method,
        headers: {
          authorization: `token ${this.o.token}`,
          accept: 'application/json',
          'user-agent': 'driftless',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (e) {
      throw forgeErrorOf(what, e);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 200);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {}
      throw new ForgeError(`${what}: HTTP ${res.status} ${message}`, res.status);
    }
    return { status: res.status, data: (text ? JSON.parse(text) : undefined) as T };
  }

  async setStatus(s: CommitStatus): Promise<void> {
    await this.request('POST', `${this.repoPath}/statuses/${encodeURIComponent(s.sha)}`, {
      state: s.state,
      context: s.context,
      description: oneLine(s.description),
      ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
    });
  }

  async openMergeRequests(branch: string): Promise<MergeRequestRef[]> {
    // The list has no head filter in 1.27: page through the open ones.
    const found: MergeRequestRef[] = [];
    for (let page = 1; page <= 20; page++) {
      const { data } = await this.request<GiteaPull[]>('GET', `${this.repoPath}/pulls?state=open&limit=50&page=${page}`);
      found.push(...data.map(ref).filter((p) => p.branch === branch));
      if (data.length < 50) break;
    }
    return found;
  }

  async mergeRequestsOfCommit(sha: string): Promise<MergeRequestRef[]> {
    try {
      const { data } = await this.request<GiteaPull>('GET', `${this.repoPath}/commits/${encodeURIComponent(sha)}/pull`);
      return [ref(data)];
    } catch (e) {
      if (e instanceof ForgeError && e.status === 404) return [];
      throw e;
    }
  }

  async upsertComment(mr: number, marker: string, body: string): Promise<{ id: number; created: boolean }> {
    // 1.27 lists an issue's comments unpaged.
    const { data: comments } = await this.request<{ id: number; body: string }[]>('GET', `${this.repoPath}/issues/${mr}/comments`);
    const mine = comments.find((c) => c.body.includes(marker));
    if (mine) {
      await this.request('PATCH', `${this.repoPath}/issues/comments/${mine.id}`, { body });
      return { id: mine.id, created: false };
    }
    const { data } = await this.request<{ id: number }>('POST', `${this.repoPath}/issues/${mr}/comments`, { body });
    return { id: data.id, created: true };
  }
}
