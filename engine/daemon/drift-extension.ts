import { Gauge } from 'prom-client';
import type { DaemonContext, DaemonExtensions } from './main.js';
import type { DriftCheck } from './drift-schedule.js';
import { checkEnvironmentDrift } from '../drift/check-environment-drift.js';
import { DriftChecker, driftCheckFailed, driftFound } from '../drift/drift-checker.js';

/** Drift gauges beyond the daemon's own placeholders, on its registry. */
class DriftGauges {
  readonly resources: Gauge<'environment'>;
  readonly lastCheck: Gauge<'environment'>;
  /** Drifted resource count per stack, per environment, as of each stack's last check. */
  private readonly current = new Map<string, Map<string, number>>();

  constructor(private readonly ctx: DaemonContext) {
    const registers = [ctx.metrics.registry];
    this.resources = new Gauge({
      name: 'driftless_drifted_resources',
      help: 'Resources with drift at the last check',
      labelNames: ['environment'] as const,
      registers,
    });
    this.lastCheck = new Gauge({
      name: 'driftless_drift_last_check_timestamp_seconds',
      help: 'Unix time of the last drift check',
      labelNames: ['environment'] as const,
      registers,
    });
  }

  /** Records one stack's latest count and republishes the environment's totals. */
  set(environment: string, stack: string, driftedResources: number): void {
    const stacks = this.current.get(environment) ?? new Map<string, number>();
    stacks.set(stack, driftedResources);
    this.current.set(environment, stacks);
    const counts = [...stacks.values()];
    this.ctx.metrics.driftedStacks.set({ environment }, counts.filter((n) => n > 0).length);
    this.resources.set(
      { environment },
      counts.reduce((a, b) => a + b, 0),
    );
    this.lastCheck.set({ environment }, Date.now() / 1000);
  }
}

/** The scheduled check: each run checks the stacks whose schedule fired, with their modes. */
function scheduledDriftCheck(ctx: DaemonContext, gauges: DriftGauges): DriftCheck {
  return {
    async run(environment, revision, stacks, signal, opts) {
      const checker = new DriftChecker({
        store: ctx.engine.store,
        runner: ctx.engine.runner,
        reconciler: ctx.engine.reconciler,
        notifier: ctx.notifierFor(environment),
        log: ctx.log,
      });
      const result = await checkEnvironmentDrift(checker, {
        environment,
        revision,
        trigger: 'schedule',
        stateDir: ctx.engine.stateDir,
        baseDir: ctx.backendBaseDir,
        awsEndpointOverride: ctx.config.awsEndpoint,
        only: stacks,
        allowRemediation: opts.gitStateValid,
        signal,
        plugins: { plugins: ctx.templates.plugins, acquire: ctx.templates.acquirePlugins },
      });
      for (const s of result.stacks) {
        // After a successful remediation the stack is in sync: count what remains.
        const remaining = s.status === 'remediated' ? 0 : (s.report?.resources.length ?? 0);
        if (s.report) gauges.set(environment.name, s.stack, remaining);
      }
      ctx.metrics.driftChecks.inc({
        environment: environment.name,
        result: driftCheckFailed(result) ? 'failed' : driftFound(result) ? 'drift' : 'clean',
      });
    },
  };
}

/**
 * Drift in the daemon: scheduled checks (per environment, with per-stack schedule
 * overrides, run by the daemon's queue so they never race a reconcile), drift metrics, and
 * `GET /api/drift?environment=&stack=&limit=` over the recorded checks.
 */
export function driftExtensions(): Required<Pick<DaemonExtensions, 'drift' | 'routes'>> {
  let gauges: DriftGauges | undefined;
  const gaugesFor = (ctx: DaemonContext) => (gauges ??= new DriftGauges(ctx));
  return {
    drift: (ctx) => scheduledDriftCheck(ctx, gaugesFor(ctx)),
    routes: (ctx) => [
      (app) => {
        app.get('/api/drift', async (req, reply) => {
          const q = req.query as { environment?: string; stack?: string; limit?: string };
          const limit = q.limit === undefined ? 100 : Number(q.limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
            return reply.code(400).send({ error: 'limit must be a whole number from 1 to 1000' });
          return ctx.engine.store.listDrift({
            limit,
            ...(q.environment ? { environment: q.environment } : {}),
            ...(q.stack ? { stack: q.stack } : {}),
          });
        });
      },
    ],
  };
}
