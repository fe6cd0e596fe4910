import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in constant time. Both sides are hashed first so that inputs of
 * different lengths compare in the same time too (timingSafeEqual needs equal lengths,
 * and an early length check would leak the secret's length).
 */
export function secretsEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** GitHub's `X-Hub-Signature-256`: `sha256=` + hex HMAC-SHA256 of the raw body. */
export function githubSignature(secret: string, rawBody: Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Whether a GitHub delivery carries a valid signature of its exact bytes. */
export function verifyGithub(secret: string | undefined, rawBody: Buffer, header: string | undefined): boolean {
  if (!secret || !header) return false;
  return secretsEqual(githubSignature(secret, rawBody), header);
}

/** Whether a GitLab delivery carries the configured `X-Gitlab-Token`. */
export function verifyGitlab(token: string | undefined, header: string | undefined): boolean {
  if (!token || !header) return false;
  return secretsEqual(token, header);
}

/**
 * Whether a Gitea delivery is signed with the secret: `X-Gitea-Signature` (plain hex
 * HMAC-SHA256 of the raw body) or, as Gitea also sends, GitHub's `X-Hub-Signature-256`.
 */
export function verifyGitea(
  secret: string | undefined,
  rawBody: Buffer,
  headers: { giteaSignature: string | undefined; hubSignature: string | undefined },
): boolean {
  if (!secret) return false;
  if (headers.giteaSignature) return secretsEqual(createHmac('sha256', secret).update(rawBody).digest('hex'), headers.giteaSignature);
  return verifyGithub(secret, rawBody, headers.hubSignature);
}

export type WebhookProvider = 'github' | 'gitlab' | 'gitea';

/** Events that may change what the daemon should do; others are acknowledged and ignored. */
export function isSyncEvent(provider: WebhookProvider, event: string | undefined): boolean {
  return provider === 'gitlab'
    ? event === 'Push Hook' || event === 'Merge Request Hook'
    : event === 'push' || event === 'pull_request' || event === 'delete' || event === 'create';
}

/** A merge-request event, the same on every forge (Gitea's `synchronized` is GitHub's `synchronize`). */
export interface MergeRequestWebhook {
  action: string;
  branch: string;
  headSha: string | undefined;
  merged: boolean;
}

const GITLAB_ACTIONS: Record<string, string> = {
  open: 'opened',
  reopen: 'reopened',
  update: 'synchronize',
  close: 'closed',
  merge: 'closed',
};

/** Reads the merge-request part of a verified delivery; undefined for other events or unexpected bodies. */
export function mergeRequestEventOf(
  provider: WebhookProvider,
  event: string | undefined,
  rawBody: Buffer,
): MergeRequestWebhook | undefined {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (provider === 'gitlab') {
    if (event !== 'Merge Request Hook') return undefined;
    const a = body.object_attributes as
      | { action?: string; source_branch?: string; last_commit?: { id?: string }; state?: string }
      | undefined;
    if (!a?.source_branch || !a.action) return undefined;
    return {
      action: GITLAB_ACTIONS[a.action] ?? a.action,
      branch: a.source_branch,
      headSha: a.last_commit?.id,
      merged: a.action === 'merge' || a.state === 'merged',
    };
  }
  if (event !== 'pull_request') return undefined;
  const pr = body.pull_request as { head?: { ref?: string; sha?: string }; merged?: boolean } | undefined;
  const action = typeof body.action === 'string' ? body.action : undefined;
  if (!pr?.head?.ref || !action) return undefined;
  return {
    action: action === 'synchronized' ? 'synchronize' : action,
    branch: pr.head.ref,
    headSha: pr.head.sha,
    merged: pr.merged === true,
  };
}
