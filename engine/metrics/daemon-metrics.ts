import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The daemon's Prometheus metrics, on a registry of their own (one per daemon, so tests
 * can run several daemons in one process). Other parts add theirs to `registry`: drift
 * sets the drift gauges here and may register more.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  /** Reconciles of one environment at one commit, by operation (up, preview) and result (succeeded, failed, rejected). */
  readonly reconciles = new Counter({
    name: 'driftless_reconciles_total',
    help: 'Reconciles by operation and result',
    labelNames: ['operation', 'result'] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'driftless_reconcile_duration_seconds',
    help: 'Duration of one environment reconcile',
    labelNames: ['operation'] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
    registers: [this.registry],
  });
  /** Failed stacks and rejected commits, by error kind (invalid, provider, transient, ...). */
  readonly failures = new Counter({
    name: 'driftless_failures_total',
    help: 'Failures by kind',
    labelNames: ['environment', 'kind'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'driftless_queue_depth',
    help: 'Environment jobs waiting in the current sync',
    registers: [this.registry],
  });
  readonly gitFetchFailures = new Counter({
    name: 'driftless_git_fetch_failures_total',
    help: 'Failed fetches of the Git source',
    registers: [this.registry],
  });
  /** Syncs with Git this process ran, by trigger (replicas: only the leader syncs). */
  readonly syncs = new Counter({
    name: 'driftless_syncs_total',
    help: 'Syncs with Git run by this process, by trigger',
    labelNames: ['trigger'],
    registers: [this.registry],
  });
  /** Replicas: sync requests (polls, webhooks) this replica took from the shared queue while it led. */
  readonly syncRequests = new Counter({
    name: 'driftless_sync_requests_total',
    help: 'Sync requests taken from the shared queue by this replica while leading, by trigger',
    labelNames: ['trigger'],
    registers: [this.registry],
  });
  readonly lastSync = new Gauge({
    name: 'driftless_last_sync_timestamp_seconds',
    help: 'Unix time of the last completed sync with Git',
    registers: [this.registry],
  });
  /** Set by the drift checker: stacks currently drifted, per environment. */
  readonly driftedStacks = new Gauge({
    name: 'driftless_drifted_stacks',
    help: 'Stacks with drift at the last check',
    labelNames: ['environment'] as const,
    registers: [this.registry],
  });
  /** Set by the drift checker: checks run, by result (clean, drift, failed). */
  readonly driftChecks = new Counter({
    name: 'driftless_drift_checks_total',
    help: 'Drift checks by result',
    labelNames: ['environment', 'result'] as const,
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'driftless_' });
  }

  /** The text exposition format Prometheus scrapes. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
