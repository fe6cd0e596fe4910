import type { Forge, MergeRequestRef } from '../forge/forge.js';
import { ForgeError, fitComment, PREVIEW_MARKER } from '../forge/forge.js';
import type { Logger } from '../log/logger.js';
import type { Notifier } from '../notify/notifier.js';
import { reconcileReport, type ReconcileReport } from '../report/format-reconcile.js';
import type { ReconcileResult } from '../run/reconcile.js';
import type { CommitInfo } from '../source/git-source.js';
import type { DaemonStore } from '../store/daemon-store.js';
import type { ForgeOutbox, OutboxEntry } from '../store/forge-outbox.js';
import { deployComment, deployOrPreviewStatus, previewComment, previewStatuses, type PreviewBase } from './merge-request-report.js';
import type { PreviewReport } from './preview-report.js';

/** What waits in the outbox. Keys: `preview:<branch>:status:<env>`, `preview:<branch>:comment`, `deploy:<sha>:…` (a branch name never holds `:`). */
type Wish =
  | {
      type: 'preview-status';
      branch: string;
      sha: string;
      context: string;
      state: 'pending' | 'success' | 'failure';
      description: string;
      targetUrl?: string;
    }
  | { type: 'preview-comment'; branch: string; sha: string; body: string; reportUrl?: string }
  | { type: 'deploy-status'; sha: string; context: string; state: 'success' | 'failure'; description: string; targetUrl?: string }
  | { type: 'deploy-comment'; sha: string; environments: { environment: string; report: ReconcileReport }[]; runsUrl?: string };

/** A pull/merge-request webhook, normalised across forges. */
export interface MergeRequestEvent {
  action: string;
  branch: string;
  headSha: string | undefined;
  merged: boolean;
}

export interface ForgeReporterOptions {
  forge: Forge;
  outbox: ForgeOutbox;
  daemonStore: DaemonStore;
  log: Logger;
  /** The daemon-level notifier: a refused token is alerted there, once. */
  notifier: Notifier;
  /** Public base URL of the daemon: status links and the full report point there (known once it listens). */
  publicUrl(): string | undefined;
  /** Backoff between attempts: doubles from `initialMs` up to `maxMs`. */
  retry: { initialMs: number; maxMs: number };
  /** Asks the daemon to handle a branch again (a merge request opened on a branch it saw before). */
  rehandle(branch: string): void;
  clock?: () => Date;
}

/** Attempts after which a request the forge rejects for good (4xx other than auth or rate limits) is dropped. */
const GIVE_UP_AFTER = 5;

/**
 * Shows previews and deploys on the forge: a commit status per environment
 * (`driftless/<env>`) and THE driftless comment of each merge request. Everything goes
 * through the persisted outbox first and is delivered in order, with backoff, so a forge
 * that is down or refuses the token never loses a preview; the newest wish for a status
 * or a comment replaces an older one still waiting.
 */
export class ForgeReporter {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private alerted = false;
  private readonly now: () => Date;

  constructor(private readonly o: ForgeReporterOptions) {
    this.now = o.clock ?? (() => new Date());
  }

  /** Picks up what a previous process left in the outbox. */
  start(): void {
    this.kick();
  }

  private reportUrl(branch: string): string | undefined {
    const base = this.o.publicUrl();
    return base ? `${base.replace(/\/$/, '')}/api/reports/${branch.split('/').map(encodeURIComponent).join('/')}` : undefined;
  }

  private runsUrl(sha: string): string | undefined {
    const base = this.o.publicUrl();
    return base ? `${base.replace(/\/$/, '')}/api/runs?revision=${sha}` : undefined;
  }

  private async put(key: string, wish: Wish): Promise<void> {
    await this.o.outbox.put(key, wish, this.now());
    this.kick();
  }

  /** A preview of one environment of a branch starts: its status is pending. */
  async previewStarted(p: { branch: string; revision: string; environment: string }): Promise<void> {
    await this.put(`preview:${p.branch}:status:${p.environment}`, {
      type: 'preview-status',
      branch: p.branch,
      sha: p.revision,
      context: `driftless/${p.environment}`,
      state: 'pending',
      description: 'previewing…',
      ...(this.reportUrl(p.branch) ? { targetUrl: this.reportUrl(p.branch) as string } : {}),
    });
  }

  /** A branch's preview report was saved: its statuses and its comment. */
  async previewReported(report: { json: PreviewReport; markdown: string }): Promise<void> {
    const r = report.json;
    const url = this.reportUrl(r.branch);
    for (const s of previewStatuses(r))
      await this.put(`preview:${r.branch}:status:${s.environment}`, {
        type: 'preview-status',
        branch: r.branch,
        sha: r.revision,
        context: `driftless/${s.environment}`,
        state: s.state,
        description: s.description,
        ...(url ? { targetUrl: url } : {}),
      });
    const bases: PreviewBase[] = [];
    for (const e of r.environments) {
      const deployBranch = (await this.o.daemonStore.getEnvironment(e.environment))?.deployBranch ?? 'main';
      bases.push({
        environment: e.environment,
        deployBranch,
        revision: (await this.o.daemonStore.getRevision(e.environment, deployBranch))?.lastReconciled,
      });
    }
    await this.put(`preview:${r.branch}:comment`, {
      type: 'preview-comment',
      branch: r.branch,
      sha: r.revision,
      body: previewComment(r, bases, url),
      ...(url ? { reportUrl: url } : {}),
    });
  }

  /** A deploy commit was applied (or failed): its status, and the comment of the merge request it came from. */
  async deployed(p: { environment: string; commit: CommitInfo; result: ReconcileResult }): Promise<void> {
    const sha = p.commit.revision;
    const report = reconcileReport(p.result);
    const status = deployOrPreviewStatus(p.environment, report, 'done');
    const runsUrl = this.runsUrl(sha);
    await this.put(`deploy:${sha}:status:${p.environment}`, {
      type: 'deploy-status',
      sha,
      context: `driftless/${p.environment}`,
      state: status.state,
      description: status.state === 'success' ? `applied: ${status.description}` : status.description,
      ...(runsUrl ? { targetUrl: runsUrl } : {}),
    });
    const key = `deploy:${sha}:comment`;
    const before = (await this.o.outbox.get(key))?.payload as Extract<Wish, { type: 'deploy-comment' }> | undefined;
    const environments = [
      ...(before?.environments ?? []).filter((e) => e.environment !== p.environment),
      { environment: p.environment, report },
    ];
    await this.put(key, { type: 'deploy-comment', sha, environments, ...(runsUrl ? { runsUrl } : {}) });
  }

  /** A merge-request webhook: opened/synchronize/reopened republish (or recompute) the preview; closed without merge drops it. */
  async mergeRequestEvent(e: MergeRequestEvent): Promise<void> {
    if (e.action === 'closed') {
      if (e.merged) return;
      await this.o.outbox.dropPrefix(`preview:${e.branch}:`);
      if (await this.o.daemonStore.getReport(e.branch)) {
        await this.o.daemonStore.deleteReport(e.branch);
        this.o.log.info({ branch: e.branch }, `merge request of ${e.branch} closed without merge: its preview is dropped`);
      }
      return;
    }
    if (!['opened', 'synchronize', 'reopened', 'edited', 'ready_for_review'].includes(e.action)) return;
    const stored = await this.o.daemonStore.getReport(e.branch);
    if (stored && (!e.headSha || stored.revision === e.headSha)) {
      await this.previewReported({ json: stored.json as PreviewReport, markdown: stored.markdown });
      return;
    }
    // No report at this head yet: the push is on its way, or the branch was seen before the merge request existed.
    this.o.rehandle(e.branch);
  }

  /** Delivers what is due; runs one drain at a time. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining !== undefined) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((err) => this.o.log.error({ err: err instanceof Error ? err.message : String(err) }, 'forge outbox drain failed'))
      // Scheduling reads the outbox too: it is part of the drain, so idle() and stop() wait for it.
      .then(() => (this.again ? undefined : this.schedule()))
      .catch((err) => this.o.log.error({ err: err instanceof Error ? err.message : String(err) }, 'scheduling the forge outbox failed'))
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async schedule(): Promise<void> {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const next = await this.o.outbox.nextDue();
    if (!next || this.stopped) return;
    this.timer = setTimeout(() => this.kick(), Math.max(50, next.getTime() - this.now().getTime()));
    this.timer.unref();
  }

  /** Resolves once nothing is being delivered (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.idle();
  }

  private async drain(): Promise<void> {
    const open = new Map<string, MergeRequestRef[]>();
    const openOf = async (branch: string) => {
      let mrs = open.get(branch);
      if (!mrs) {
        mrs = await this.o.forge.openMergeRequests(branch);
        open.set(branch, mrs);
      }
      return mrs;
    };
    for (const entry of await this.o.outbox.due(this.now())) {
      if (this.stopped) return;
      try {
        await this.deliver(entry.payload as Wish, openOf);
        await this.o.outbox.delivered(entry.key, entry.seq);
        if (this.alerted) this.o.log.info('the forge accepts the token again');
        this.alerted = false;
      } catch (e) {
        await this.failed(entry, e);
        // The forge is down or refuses us: later entries would fail the same way, and must stay in order.
        if (e instanceof ForgeError && e.retryable) return;
      }
    }
  }

  private async deliver(w: Wish, openOf: (branch: string) => Promise<MergeRequestRef[]>): Promise<void> {
    const forge = this.o.forge;
    switch (w.type) {
      case 'preview-status':
      case 'deploy-status': {
        if (w.type === 'preview-status' && (await openOf(w.branch)).length === 0) return;
        await forge.setStatus({ sha: w.sha, context: w.context, state: w.state, description: w.description, targetUrl: w.targetUrl });
        return;
      }
      case 'preview-comment': {
        for (const mr of await openOf(w.branch)) {
          const { created } = await forge.upsertComment(mr.number, PREVIEW_MARKER, this.body(w.body, w.reportUrl));
          this.o.log.info(
            { branch: w.branch, mergeRequest: mr.number, revision: w.sha },
            `${created ? 'created' : 'updated'} the preview comment of !${mr.number}`,
          );
        }
        return;
      }
      case 'deploy-comment': {
        const body = this.body(deployComment(w.sha, w.environments, w.runsUrl), w.runsUrl);
        for (const mr of await forge.mergeRequestsOfCommit(w.sha)) {
          if (mr.state === 'open') continue;
          await forge.upsertComment(mr.number, PREVIEW_MARKER, body);
          this.o.log.info(
            { mergeRequest: mr.number, revision: w.sha },
            `the comment of !${mr.number} shows the deploy of ${w.sha.slice(0, 12)}`,
          );
        }
        return;
      }
    }
  }

  private body(markdown: string, fullUrl: string | undefined): string {
    return fitComment(`${PREVIEW_MARKER}\n${markdown}`, this.o.forge.commentLimit, fullUrl);
  }

  private async failed(entry: OutboxEntry, e: unknown): Promise<void> {
    const err = e instanceof ForgeError ? e : new ForgeError(e instanceof Error ? e.message : String(e), 0);
    const attempts = entry.attempts + 1;
    if (!err.retryable && attempts >= GIVE_UP_AFTER) {
      await this.o.outbox.delivered(entry.key, entry.seq);
      this.o.log.error(
        { key: entry.key, status: err.status, reason: err.message, attempts },
        'the forge keeps rejecting a request: dropped',
      );
      return;
    }
    const delay = Math.min(this.o.retry.maxMs, this.o.retry.initialMs * 2 ** entry.attempts);
    await this.o.outbox.failed(entry.key, entry.seq, new Date(this.now().getTime() + delay), err.message);
    this.o.log.warn(
      { key: entry.key, status: err.status, reason: err.message, attempts, retryInMs: delay },
      `delivering to the ${this.o.forge.kind} forge failed; retrying`,
    );
    if (err.unauthorized && !this.alerted) {
      this.alerted = true;
      await this.o.notifier.notify({
        kind: 'forge-unauthorized',
        environment: '*',
        summary: `the ${this.o.forge.kind} forge refuses driftless's token (HTTP ${err.status}); statuses and comments wait in the outbox until it is fixed`,
        at: this.now().toISOString(),
      });
    }
  }
}
