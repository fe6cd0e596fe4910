import { Gitlab } from '@gitbeaker/rest';
import { COMMENT_LIMITS, type CommitStatus, type Forge, ForgeError, forgeErrorOf, type MergeRequestRef, oneLine } from './forge.js';

export interface GitlabOptions {
  /** The instance, e.g. `https://gitlab.com` (the API is under `/api/v4`). */
  baseUrl?: string | undefined;
  /** The project's path (`group/project`) or numeric id. */
  repository: string;
  token: string;
  fetch?: typeof fetch;
}

/** What gitbeaker's option handler hands the request handler (see @gitbeaker/requester-utils). */
interface PreparedRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | FormData;
  prefixUrl?: string;
  searchParams?: string;
  signal?: AbortSignal;
}

/**
 * gitbeaker's requester, with the fetch driftless chooses (tests capture requests with it)
 * and without its built-in retry loop: the daemon's outbox retries with backoff itself.
 */
function requesterWith(fetchImpl: typeof fetch) {
  const send = async (endpoint: string, o: PreparedRequest) => {
    const base = o.prefixUrl ? (o.prefixUrl.endsWith('/') ? o.prefixUrl : `${o.prefixUrl}/`) : undefined;
    const url = new URL(endpoint, base);
    url.search = o.searchParams ?? '';
    const what = `GitLab ${o.method ?? 'GET'} ${url.pathname}`;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: o.method ?? 'GET',
        headers: o.headers ?? {},
        ...(o.body !== undefined ? { body: o.body } : {}),
        signal: o.signal ?? AbortSignal.timeout(15_000),
      });
    } catch (e) {
      throw forgeErrorOf(what, e);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 200);
      try {
        const j = JSON.parse(text) as { message?: unknown; error?: unknown };
        message = String(j.message ?? j.error ?? message);
      } catch {}
      throw new ForgeError(`${what}: HTTP ${res.status} ${message}`, res.status);
    }
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { body: json && text ? JSON.parse(text) : text, headers: Object.fromEntries(res.headers.entries()), status: res.status };
  };
  // The shape gitbeaker's BaseResource expects of requesterFn: one function per HTTP method.
  return (serviceOptions: { headers: Record<string, string>; authHeaders: Record<string, () => Promise<string>>; url: string }) => {
    const make =
      (method: string) =>
      async (endpoint: string, options: { body?: Record<string, unknown>; searchParams?: Record<string, unknown> } = {}) => {
        const headers: Record<string, string> = { ...serviceOptions.headers };
        for (const [k, f] of Object.entries(serviceOptions.authHeaders)) headers[k] = await f();
        let body: string | undefined;
        if (options.body) {
          body = JSON.stringify(snakeKeys(options.body));
          headers['content-type'] = 'application/json';
        }
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(snakeKeys(options.searchParams ?? {}))) if (v !== undefined) q.set(k, String(v));
        return send(endpoint, { method, headers, ...(body ? { body } : {}), prefixUrl: serviceOptions.url, searchParams: q.toString() });
      };
    return { get: make('GET'), post: make('POST'), put: make('PUT'), patch: make('PATCH'), delete: make('DELETE') };
  };
}

function snakeKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

interface GitlabMr {
  iid: number;
  state: string;
  source_branch: string;
  sha: string;
  web_url?: string;
}

function ref(m: GitlabMr): MergeRequestRef {
  return {
    number: m.iid,
    branch: m.source_branch,
    headSha: m.sha,
    state: m.state === 'opened' ? 'open' : m.state === 'merged' ? 'merged' : 'closed',
    url: m.web_url,
  };
}

const STATE = { pending: 'running', success: 'success', failure: 'failed', error: 'failed' } as const;

/** GitLab through @gitbeaker/rest (the maintained GitLab client for Node). */
export class GitlabForge implements Forge {
  readonly kind = 'gitlab' as const;
  readonly commentLimit = COMMENT_LIMITS.gitlab;
  private readonly api: InstanceType<typeof Gitlab>;
  private readonly project: string | number;

  constructor(o: GitlabOptions) {
    this.project = /^\d+$/.test(o.repository) ? Number(o.repository) : o.repository;
    this.api = new Gitlab({
      host: (o.baseUrl ?? 'https://gitlab.com').replace(/\/$/, ''),
      token: o.token,
      requesterFn: requesterWith(o.fetch ?? globalThis.fetch) as never,
    });
  }

  private async call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw forgeErrorOf(`GitLab ${what}`, e);
    }
  }

  async setStatus(s: CommitStatus): Promise<void> {
    await this.call('set commit status', () =>
      this.api.Commits.editStatus(this.project, s.sha, STATE[s.state], {
        name: s.context,
        description: oneLine(s.description, 255),
        ...(s.targetUrl ? { targetUrl: s.targetUrl } : {}),
      }),
    );
  }

  async openMergeRequests(branch: string): Promise<MergeRequestRef[]> {
    const mrs = (await this.call('list merge requests', () =>
      this.api.MergeRequests.all({ projectId: this.project, state: 'opened', sourceBranch: branch, perPage: 100, maxPages: 1 }),
    )) as unknown as GitlabMr[];
    return mrs.map(ref).filter((m) => m.branch === branch);
  }

  async mergeRequestsOfCommit(sha: string): Promise<MergeRequestRef[]> {
    const mrs = (await this.call('list merge requests of a commit', () =>
      this.api.Commits.allMergeRequests(this.project, sha),
    )) as unknown as GitlabMr[];
    return mrs.map(ref);
  }

  async upsertComment(mr: number, marker: string, body: string): Promise<{ id: number; created: boolean }> {
    const notes = (await this.call('list notes', () =>
      this.api.MergeRequestNotes.all(this.project, mr, { perPage: 100, maxPages: 20 }),
    )) as unknown as { id: number; body: string }[];
    const mine = notes.find((n) => n.body.includes(marker));
    if (mine) {
      await this.call('edit note', () => this.api.MergeRequestNotes.edit(this.project, mr, mine.id, { body }));
      return { id: mine.id, created: false };
    }
    const created = (await this.call('create note', () => this.api.MergeRequestNotes.create(this.project, mr, body))) as unknown as {
      id: number;
    };
    return { id: created.id, created: true };
  }
}
