import { Gauge } from 'prom-client';
import type { DaemonContext, DaemonExtensions } from './main.js';
import type { DriftCheck } from './drift-schedule.js';
import { checkEnvironmentDrift } from '../drift/check-environment-drift.js';
import { DriftChecker, driftCheckFailed, driftFound } from '../drift/drift-checker.js';
import { DriftQuery, nextPageLink, parseQuery } from '../http/api-queries.js';
import { countedDrift } from '../drift/drift-report.js';

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

/** How the scheduled check runs. */
export interface DriftExtensionOptions {
  /** false: every stack gets a Pulumi previewRefresh, no pre-screen (benchmarks and tests of a heavy sweep). */
  prescreen?: false;
}

/** The scheduled check: each run checks the stacks whose schedule fired, with their modes. */
function scheduledDriftCheck(ctx: DaemonContext, gauges: DriftGauges, options: DriftExtensionOptions): DriftCheck {
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
        ...(options.prescreen === false ? { prescreen: false as const } : {}),
        allowRemediation: opts.gitStateValid,
        signal,
        ...(opts.yieldToDeploys ? { yieldBeforeStack: opts.yieldToDeploys } : {}),
        plugins: { plugins: ctx.templates.plugins, acquire: ctx.templates.acquirePlugins },
      });
      for (const s of result.stacks) {
        // After a successful remediation the stack is in sync: count what remains (ignored fields are no drift).
        const remaining = s.status === 'remediated' ? 0 : countedDrift(s.report?.resources ?? []).length;
        if (s.report) gauges.set(environment.name, s.stack, remaining);
      }
      ctx.metrics.driftChecks.inc({
        environment: environment.name,
        result: driftCheckFailed(result) ? 'failed' : driftFound(result) ? 'drift' : 'clean',
      });
      const drifted = new Set(['drifted', 'not-remediated', 'remediation-failed']);
      return {
        checked: result.stacks.map((s) => s.stack),
        drifted: result.stacks.filter((s) => drifted.has(s.status)).map((s) => s.stack),
        failed: result.stacks.filter((s) => s.status === 'error').map((s) => s.stack),
      };
    },
  };
}

/**
 * Drift in the daemon: scheduled checks (per environment, with per-stack schedule
 * overrides, run in the daemon's drift lane, which defers and cancels them for a deploy), drift metrics, and
 * `GET /api/drift?environment=&stack=&limit=` over the recorded checks.
 */
export function driftExtensions(opts: DriftExtensionOptions = {}): Required<Pick<DaemonExtensions, 'drift' | 'routes'>> {
  let gauges: DriftGauges | undefined;
  const gaugesFor = (ctx: DaemonContext) => (gauges ??= new DriftGauges(ctx));
  return {
    drift: (ctx) => scheduledDriftCheck(ctx, gaugesFor(ctx), opts),
    routes: (ctx) => [
      (app) => {
        app.get('/api/drift', async (req, reply) => {
          const parsed = parseQuery(DriftQuery, req.query);
          if (!parsed.ok) return reply.code(400).send(parsed.problem);
          const q = parsed.value;
          const page = await ctx.engine.store.listDrift({
            limit: q.limit,
            ...(q.environment ? { environment: q.environment } : {}),
            ...(q.stack ? { stack: q.stack } : {}),
            ...(q.before !== undefined ? { before: q.before } : {}),
          });
          const next = nextPageLink('/api/drift', { environment: q.environment, stack: q.stack, limit: q.limit }, page, q.limit);
          if (next) reply.header('link', next);
          return page;
        });
      },
    ],
  };
}
