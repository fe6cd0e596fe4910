import type { Logger } from '../log/logger.js';
import type { CommitSigner } from '../model/index.js';

/** What happened, in the words alerts use. */
export type NotificationKind =
  | 'change-applied'
  | 'reconcile-failed'
  | 'reconcile-failing-repeatedly'
  | 'reconcile-recovered'
  | 'drift-detected'
  | 'drift-resolved'
  | 'remediation-failed'
  | 'preview-ready'
  | 'forge-unauthorized';

/** One event worth telling people about. Never carries secret values. */
export interface Notification {
  kind: NotificationKind;
  environment: string;
  stack?: string;
  revision?: string;
  author?: string;
  /** `Name <email>` of the commit's committer. */
  committer?: string;
  /** Who signed the commit, when the daemon verified it against the operator's keys. */
  signer?: CommitSigner;
  /** One readable line, e.g. "orders-queue: update 1 (visibilityTimeoutSeconds 30 => 45)". */
  summary: string;
  /** Structured details for machines (change counts, drift report, error kind). */
  details?: unknown;
  at: string;
}

/** A destination for notifications. Implementations never throw: delivery failures are logged. */
export interface Notifier {
  notify(n: Notification): Promise<void>;
}

/** POSTs JSON with a timeout; returns an error value instead of throwing. */
async function postJson(url: string, body: unknown, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'driftless' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.ok ? { ok: true } : { ok: false, reason: `HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Where a URL points, without its path and query (which may hold tokens), for logs. */
function safeTarget(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

/** Generic webhook: the notification as JSON. */
export class WebhookNotifier implements Notifier {
  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly timeoutMs = 10_000,
  ) {}

  async notify(n: Notification): Promise<void> {
    const r = await postJson(this.url, { source: 'driftless', ...n }, this.timeoutMs);
    if (!r.ok) this.log.warn({ target: safeTarget(this.url), kind: n.kind, reason: r.reason }, 'webhook notification failed');
  }
}

const SLACK_ICON: Record<NotificationKind, string> = {
  'change-applied': ':white_check_mark:',
  'reconcile-failed': ':x:',
  'reconcile-failing-repeatedly': ':rotating_light:',
  'reconcile-recovered': ':large_green_circle:',
  'drift-detected': ':warning:',
  'drift-resolved': ':large_green_circle:',
  'remediation-failed': ':x:',
  'preview-ready': ':mag:',
  'forge-unauthorized': ':lock:',
};

/** The Slack incoming-webhook payload of a notification (also what Slack-compatible chat tools take). */
export function slackPayload(n: Notification): { text: string; blocks: unknown[] } {
  const where = [n.environment, n.stack].filter(Boolean).join('/');
  const meta = [n.revision ? `commit ${n.revision.slice(0, 12)}` : '', n.author ? `by ${n.author}` : ''].filter(Boolean).join(' ');
  const text = `${SLACK_ICON[n.kind]} *${n.kind}* ${where}${meta ? ` (${meta})` : ''}: ${n.summary}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** Slack-compatible incoming webhook. */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly timeoutMs = 10_000,
  ) {}

  async notify(n: Notification): Promise<void> {
    const r = await postJson(this.url, slackPayload(n), this.timeoutMs);
    if (!r.ok) this.log.warn({ target: safeTarget(this.url), kind: n.kind, reason: r.reason }, 'slack notification failed');
  }
}

/** Logs every notification and fans it out to the configured destinations. */
export class NotificationHub implements Notifier {
  constructor(
    private readonly targets: readonly Notifier[],
    private readonly log: Logger,
  ) {}

  async notify(n: Notification): Promise<void> {
    const level = ['change-applied', 'drift-resolved', 'preview-ready', 'reconcile-recovered'].includes(n.kind) ? 'info' : 'warn';
    this.log[level]({ notification: n.kind, environment: n.environment, stack: n.stack, revision: n.revision }, n.summary);
    await Promise.all(this.targets.map((t) => t.notify(n)));
  }
}

/** A notification destination as configured in an Environment (`notifications:`). */
export interface NotificationTarget {
  type: 'webhook' | 'slack';
  url?: string | undefined;
  urlFromEnv?: string | undefined;
}

/**
 * Builds notifiers from configuration. A `urlFromEnv` that is not set is reported as an
 * error value, so start-up can refuse it with a clear message.
 */
export function notifiersFrom(
  targets: readonly NotificationTarget[],
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): { notifiers: Notifier[]; problems: string[] } {
  const notifiers: Notifier[] = [];
  const problems: string[] = [];
  for (const t of targets) {
    const url = t.url ?? (t.urlFromEnv ? env[t.urlFromEnv] : undefined);
    if (!url) {
      problems.push(`notification ${t.type}: environment variable ${t.urlFromEnv ?? '(none)'} is not set`);
      continue;
    }
    notifiers.push(t.type === 'slack' ? new SlackNotifier(url, log) : new WebhookNotifier(url, log));
  }
  return { notifiers, problems };
}
