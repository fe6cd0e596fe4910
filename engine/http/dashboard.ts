import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { formatMessage } from '../load/messages.js';
import type { DriftRecord, RunRecord, StackStatus } from '../model/index.js';
import type { DaemonStore } from '../store/daemon-store.js';
import type { DashboardStore } from '../store/dashboard-store.js';
import type { RunStore } from '../store/run-store.js';
import { projectRoot } from '../toolchain/paths.js';
import { NoQuery, parseQuery, RunId } from './api-queries.js';
import type {
  EnvironmentView,
  FleetEnvironment,
  HealthState,
  RunDetail,
  StackDriftState,
  StackState,
  StackView,
  SyncState,
} from './dashboard-types.js';
import type { DashboardEvent, DashboardEvents } from './events.js';

/** Where `ui/build.mjs` writes the bundle (shipped in the package with the rest of dist/). */
export const dashboardAssetsDir = join(projectRoot, 'dist', 'ui');

/** What the dashboard's routes read. */
export interface DashboardDeps {
  runs: RunStore;
  daemonStore: DaemonStore;
  dashboardStore: DashboardStore;
  events: DashboardEvents;
  /** Folder holding index.html, app.js and app.css (default: dist/ui). */
  assetsDir?: string;
  /** Milliseconds between SSE keep-alive comments (default 15 s). */
  heartbeatMs?: number;
}

/** Drift records of an environment, newest first, grouped per stack. */
async function driftByStack(runs: RunStore, environment: string): Promise<Map<string, DriftRecord[]>> {
  const by = new Map<string, DriftRecord[]>();
  for (const d of await runs.listDrift({ environment, limit: 5000 })) {
    const list = by.get(d.stack) ?? [];
    list.push(d);
    by.set(d.stack, list);
  }
  return by;
}

function driftState(history: readonly DriftRecord[] | undefined): StackDriftState | undefined {
  const latest = history?.[0];
  if (!history || !latest) return undefined;
  let since: string | undefined;
  if (latest.drifted && !latest.remediated)
    for (const d of history) {
      if (!d.drifted || d.remediated) break;
      since = d.checkedAt;
    }
  return {
    id: latest.id,
    drifted: latest.drifted,
    remediated: latest.remediated,
    checkedAt: latest.checkedAt,
    resourceCount: latest.resourceCount,
    since,
  };
}

function stackState(status: StackStatus | undefined, drift: StackDriftState | undefined, running: boolean): StackState {
  if (running) return 'running';
  if (status?.lastResult === 'failed') return 'failed';
  if (drift?.drifted && !drift.remediated) return 'drifted';
  if (status?.applied) return 'synced';
  return status ? 'pending' : 'unknown';
}

/** The read side of the dashboard: fleet, environment, run, computed from the stores on each request. */
export class DashboardData {
  /** Stacks whose operation is running (`environment/stack`), from the live events. */
  private readonly running = new Set<string>();
  /** Environments with a reconcile in progress. */
  private readonly reconciling = new Set<string>();

  constructor(private readonly deps: Pick<DashboardDeps, 'runs' | 'daemonStore' | 'dashboardStore' | 'events'>) {
    deps.events.subscribe((e) => this.track(e));
  }

  private track(e: DashboardEvent): void {
    if (e.type === 'run-started') this.running.add(`${e.environment}/${e.stack}`);
    else if (e.type === 'run-finished') this.running.delete(`${e.run.environment}/${e.run.stack}`);
    else if (e.type === 'drift-checked') this.running.delete(`${e.environment}/${e.stack}`);
    else if (e.type === 'reconcile-started' && e.operation === 'up') this.reconciling.add(e.environment);
    else if (e.type === 'reconcile-finished' && e.operation === 'up') {
      this.reconciling.delete(e.environment);
      for (const key of [...this.running]) if (key.startsWith(`${e.environment}/`)) this.running.delete(key);
    }
  }

  async fleet(): Promise<FleetEnvironment[]> {
    const { daemonStore, runs } = this.deps;
    const fleet: FleetEnvironment[] = [];
    for (const e of await daemonStore.listEnvironments()) {
      const revision = await daemonStore.getRevision(e.environment, e.deployBranch);
      const statuses = await runs.listStatuses(e.environment);
      const drift = await driftByStack(runs, e.environment);
      const driftStates = [...drift.values()].map((h) => driftState(h));
      const driftedStacks = driftStates.filter((d) => d?.drifted && !d.remediated).length;
      const failed = statuses.filter((s) => s.lastResult === 'failed');
      const running = [...this.running].filter((k) => k.startsWith(`${e.environment}/`)).length;
      const reconciled = revision?.lastReconciled;
      const appliedRun =
        (reconciled ? (await runs.listRuns({ environment: e.environment, revision: reconciled, limit: 1 }))[0] : undefined) ??
        (await runs.listRuns({ environment: e.environment, limit: 50 })).find((r) => r.operation === 'up' && r.result === 'succeeded');
      let sync: SyncState;
      let reason: string | undefined;
      if (!e.valid) {
        sync = 'rejected';
        reason = e.messages[0] ? `invalid: ${formatMessage(e.messages[0])}` : 'invalid';
      } else if (e.trust && !e.trust.trusted) {
        sync = 'rejected';
        reason = `untrusted commit ${e.trust.revision.slice(0, 12)}: ${e.trust.reason}`;
      } else if (this.reconciling.has(e.environment)) sync = 'syncing';
      else if (revision?.lastAttempted === e.revision && revision.lastResult === 'failed') {
        sync = 'failed';
        const first = failed[0];
        reason = first ? `${first.stack}: ${(first.lastError ?? 'failed').split('\n')[0]}` : 'the last reconcile failed';
      } else if (reconciled === e.revision) sync = 'synced';
      else if (revision) {
        sync = 'pending';
        reason = `the head ${e.revision.slice(0, 12)} is not applied yet (last applied ${reconciled?.slice(0, 12) ?? 'none'})`;
      } else sync = 'unknown';
      const health: HealthState =
        failed.length > 0 ? 'failing' : driftedStacks > 0 ? 'drifted' : statuses.length > 0 || drift.size > 0 ? 'healthy' : 'unknown';
      if (!reason && failed[0]) reason = `${failed[0].stack}: ${(failed[0].lastError ?? 'failed').split('\n')[0]}`;
      const checkedAt = driftStates
        .map((d) => d?.checkedAt ?? '')
        .sort()
        .pop();
      fleet.push({
        environment: e.environment,
        deployBranch: e.deployBranch,
        headRevision: e.revision,
        valid: e.valid,
        sync,
        health,
        reason,
        lastApplied:
          reconciled || appliedRun
            ? {
                revision: reconciled ?? appliedRun?.revision ?? '',
                at: appliedRun?.finishedAt ?? revision?.updatedAt ?? '',
                author: appliedRun?.author,
                committer: appliedRun?.committer,
                signer: appliedRun?.signer,
              }
            : undefined,
        drift: { driftedStacks, checkedStacks: drift.size, lastCheckedAt: checkedAt || undefined },
        stacks: { total: statuses.length, failed: failed.length, running },
        updatedAt: e.updatedAt,
      });
    }
    return fleet;
  }

  async environment(name: string): Promise<EnvironmentView | undefined> {
    const { daemonStore, runs, dashboardStore } = this.deps;
    const record = await daemonStore.getEnvironment(name);
    const graph = await dashboardStore.getGraph(name);
    const statuses = new Map((await runs.listStatuses(name)).map((s) => [s.stack, s]));
    if (!record && !graph && statuses.size === 0) return undefined;
    const drift = await driftByStack(runs, name);
    const declared = graph?.stacks ?? [];
    const names = new Set(declared.map((s) => s.name));
    // Stacks with a status but not in the graph (removed from Git, or applied before the graph was kept).
    const extra = [...statuses.keys()].filter((s) => !names.has(s)).map((s) => ({ name: s, template: '', dependsOn: [] as string[] }));
    const stacks = [...declared, ...extra].map((s): StackView => {
      const status = statuses.get(s.name);
      const d = driftState(drift.get(s.name));
      return {
        name: s.name,
        template: s.template,
        dependsOn: s.dependsOn.filter((x) => names.has(x)),
        state: stackState(status, d, this.running.has(`${name}/${s.name}`)),
        lastResult: status?.lastResult,
        appliedRevision: status?.applied?.revision,
        appliedAt: status?.applied?.at,
        lastError: status?.lastError,
        drift: d,
      };
    });
    return {
      environment: name,
      deployBranch: record?.deployBranch,
      headRevision: record?.revision,
      graphRevision: graph?.revision,
      stacks,
    };
  }

  async run(id: number): Promise<RunDetail<RunRecord> | undefined> {
    const run = (await this.deps.runs.listRuns({ before: id + 1, limit: 1 }))[0];
    if (!run || run.id !== id) return undefined;
    return { run, steps: await this.deps.dashboardStore.getSteps(id) };
  }
}

/** The bundle's files, read once (they do not change while the daemon runs). */
function assets(dir: string): { get(file: string): Buffer | undefined } {
  const cache = new Map<string, Buffer>();
  return {
    get(file) {
      const hit = cache.get(file);
      if (hit) return hit;
      try {
        const body = readFileSync(join(dir, file));
        cache.set(file, body);
        return body;
      } catch {
        return undefined;
      }
    },
  };
}

/** Nothing but the daemon itself: no CDN, no inline script, no other host. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const ASSET_TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * The read-only web dashboard: the page at `/`, its bundle under `/assets/`, the views'
 * JSON (`/api/fleet`, `/api/environments/<name>/stacks`, `/api/runs/<id>`) and the live
 * events (`/api/events`, server-sent events). Authentication, when configured, runs before
 * these routes (engine/http/auth.ts).
 */
export function registerDashboard(app: FastifyInstance, deps: DashboardDeps): DashboardData {
  const data = new DashboardData(deps);
  const files = assets(deps.assetsDir ?? dashboardAssetsDir);
  const streams = new Set<{ end(): void }>();
  app.addHook('preClose', async () => {
    // An open event stream would keep the server from closing.
    for (const s of streams) s.end();
  });

  app.get('/', async (_req, reply) => {
    const page = files.get('index.html');
    if (!page)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build` (or `node ui/build.mjs`).\n');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(page);
  });
  app.get<{ Params: { file: string } }>('/assets/:file', async (req, reply) => {
    const type = ASSET_TYPES[req.params.file];
    const body = type ? files.get(req.params.file) : undefined;
    if (!type || !body) return reply.code(404).send({ error: `no asset ${req.params.file}` });
    return reply.type(type).header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send(body);
  });

  app.get('/api/fleet', async (req, reply) => {
    const q = parseQuery(NoQuery, req.query);
    if (!q.ok) return reply.code(400).send(q.problem);
    return data.fleet();
  });
  app.get<{ Params: { name: string } }>('/api/environments/:name/stacks', async (req, reply) => {
    const q = parseQuery(NoQuery, req.query);
    if (!q.ok) return reply.code(400).send(q.problem);
    const view = await data.environment(req.params.name);
    return view ?? reply.code(404).send({ error: `no environment ${req.params.name}` });
  });
  app.get<{ Params: { id: string } }>('/api/runs/:id', async (req, reply) => {
    const id = RunId.safeParse(req.params.id);
    if (!id.success) return reply.code(400).send({ error: `id: must be a run id (a whole number), got ${JSON.stringify(req.params.id)}` });
    const run = await data.run(id.data);
    return run ?? reply.code(404).send({ error: `no run ${id.data}` });
  });

  app.get('/api/events', (req, reply) => {
    const q = parseQuery(NoQuery, req.query);
    if (!q.ok) {
      void reply.code(400).send(q.problem);
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    const unsubscribe = deps.events.subscribe((e) => {
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs ?? 15_000);
    heartbeat.unref();
    const stream = {
      end: () => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(stream);
        res.end();
      },
    };
    streams.add(stream);
    req.raw.on('close', stream.end);
  });
  return data;
}
