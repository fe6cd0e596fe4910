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

/** Events that may change what the daemon should do; others are acknowledged and ignored. */
export function isSyncEvent(provider: 'github' | 'gitlab', event: string | undefined): boolean {
  return provider === 'github'
    ? event === 'push' || event === 'pull_request' || event === 'delete' || event === 'create'
    : event === 'Push Hook' || event === 'Merge Request Hook';
}
