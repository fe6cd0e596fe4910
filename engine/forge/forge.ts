/**
 * What driftless needs of a Git forge (GitHub, GitLab, Gitea) to show previews on merge
 * requests: commit statuses, one living comment per merge request, and finding merge
 * requests by branch or by merge commit. Adapters live beside this file; nothing else
 * in the engine imports a forge client.
 */

/** A commit status as driftless sets it; adapters map it to each forge's words. */
export type StatusState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  sha: string;
  /** e.g. `driftless/dev`. */
  context: string;
  state: StatusState;
  /** One line; cut to the forge's limit (GitHub: 140 characters). */
  description: string;
  targetUrl?: string | undefined;
}

/** A merge request (pull request) as far as driftless cares. */
export interface MergeRequestRef {
  /** GitHub/Gitea: the pull request number; GitLab: the merge request iid. */
  number: number;
  /** Source branch. */
  branch: string;
  headSha: string;
  state: 'open' | 'closed' | 'merged';
  url?: string | undefined;
}

export interface Forge {
  readonly kind: 'github' | 'gitlab' | 'gitea';
  /** The longest comment body the forge accepts (characters). */
  readonly commentLimit: number;
  setStatus(status: CommitStatus): Promise<void>;
  /** Open merge requests whose source branch is `branch`. */
  openMergeRequests(branch: string): Promise<MergeRequestRef[]>;
  /** Merge requests a commit belongs to (the merge commit of a merged one included). */
  mergeRequestsOfCommit(sha: string): Promise<MergeRequestRef[]>;
  /**
   * Creates or edits THE comment of a merge request that carries `marker` (a hidden HTML
   * comment): found again on every call and edited in place, so there is exactly one.
   */
  upsertComment(mr: number, marker: string, body: string): Promise<{ id: number; created: boolean }>;
}

/** A forge request that failed; `status` is the HTTP status (0 when no answer came). Never holds the token. */
export class ForgeError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ForgeError';
  }

  /** The forge refused the token (401) or its scopes (403). */
  get unauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** Worth trying again later: no answer, rate limits, server trouble, or a token that may be fixed. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500 || this.unauthorized;
  }
}

/** The hidden marker THE driftless comment of a merge request carries. */
export const PREVIEW_MARKER = '<!-- driftless:preview -->';

/** Comment limits: GitHub's documented 65,536 characters, GitLab's 1,000,000 (notes API), Gitea none documented (see docs/daemon.md). */
export const COMMENT_LIMITS = { github: 65_536, gitlab: 1_000_000, gitea: 65_536 } as const;

/** GitHub cuts status descriptions at 140 characters; the others take more, but a status is one line. */
export const STATUS_DESCRIPTION_LIMIT = 140;

export function oneLine(text: string, limit = STATUS_DESCRIPTION_LIMIT): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? flat.slice(0, limit - 1) + '…' : flat;
}

/**
 * Fits a comment body into `limit` characters: when it is too long it is cut at a line
 * break and ends with a link to the full report (the marker stays at the start).
 */
export function fitComment(body: string, limit: number, fullReportUrl: string | undefined): string {
  if (body.length <= limit) return body;
  const tail = `\n\n</details>\n\n---\n**This report was cut to fit the forge's ${limit.toLocaleString('en-US')}-character limit.**${
    fullReportUrl ? ` [Full report](${fullReportUrl})` : ''
  }\n`;
  let cut = body.slice(0, Math.max(0, limit - tail.length));
  const nl = cut.lastIndexOf('\n');
  if (nl > cut.length / 2) cut = cut.slice(0, nl);
  // An open code fence would swallow the notice.
  if ((cut.match(/^```/gm) ?? []).length % 2 === 1) cut = cut.slice(0, Math.max(0, limit - tail.length - 5)) + '\n```';
  return (cut + tail).slice(0, limit);
}

/** Turns any thrown value of a client into a ForgeError with the status, without request headers. */
export function forgeErrorOf(what: string, e: unknown): ForgeError {
  if (e instanceof ForgeError) return e;
  const status =
    typeof (e as { status?: unknown })?.status === 'number'
      ? (e as { status: number }).status
      : typeof (e as { cause?: { response?: { status?: unknown } } })?.cause?.response?.status === 'number'
        ? (e as { cause: { response: { status: number } } }).cause.response.status
        : 0;
  const reason = e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);
  return new ForgeError(`${what}: ${status ? `HTTP ${status} ` : ''}${reason.split('\n')[0]?.slice(0, 300)}`, status);
}
