import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../log/logger.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import type { DaemonStore } from '../store/daemon-store.js';
import type { RunStore } from '../store/run-store.js';
import { nextPageLink, NoQuery, parseQuery, ReportQuery, RunsQuery } from './api-queries.js';
import { installAuth, type HttpCredentials } from './auth.js';
import { registerDashboard, type DashboardDeps } from './dashboard.js';
import {
  isSyncEvent,
  mergeRequestEventOf,
  verifyGitea,
  verifyGithub,
  verifyGitlab,
  type MergeRequestWebhook,
  type WebhookProvider,
} from './webhook-auth.js';

/** Adds routes to the daemon's server (e.g. `/api/drift`); called before it listens. */
export type RouteRegistration = (app: FastifyInstance) => void | Promise<void>;

/** What the server reads and calls; the daemon's main wires it. */
export interface HttpServerDeps {
  log: Logger;
  metrics: DaemonMetrics;
  runs: RunStore;
  daemonStore: DaemonStore;
  /** True once the first sync with Git has completed. */
  isReady(): boolean;
  /** Why this process must take no traffic now although it synced (e.g. PostgreSQL unreachable); undefined when nothing stops it. */
  unreadyReason?(): string | undefined;
  /** Secrets from the daemon's environment; a provider without one refuses every delivery. */
  webhookSecrets: { github: string | undefined; gitlab: string | undefined; gitea?: string | undefined };
  /**
   * A verified push or merge-request event: fetch now. `delivery` is the forge's id of the
   * delivery (X-GitHub-Delivery, X-Gitea-Delivery, X-Gitlab-Event-UUID), so replicas that
   * each receive the same delivery can sync once.
   */
  onWebhook(provider: WebhookProvider, event: string, delivery: string | undefined): void | Promise<void>;
  /** A verified merge-request event (opened, synchronize, reopened, closed…), after onWebhook; awaited before the reply. */
  onMergeRequest?(provider: WebhookProvider, e: MergeRequestWebhook, delivery: string | undefined): void | Promise<void>;
  routes?: readonly RouteRegistration[];
  /** Bearer token and/or basic credentials protecting `/` and `/api/` (webhooks and probes stay open). */
  auth?: HttpCredentials | undefined;
  /** The web dashboard at `/` (engine/http/dashboard.ts); absent: no dashboard. */
  dashboard?: Omit<DashboardDeps, 'runs' | 'daemonStore'> | undefined;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The daemon's HTTP server: probes, Prometheus metrics, a read-only API over the run
 * store, and the Git webhooks. Webhook bodies are kept as raw bytes, because the HMAC is
 * over the exact bytes GitHub sent.
 */
export async function createHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024 });
  if (deps.auth) installAuth(app, deps.auth);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const unready = deps.unreadyReason?.();
    if (unready) return reply.code(503).send({ status: 'unready', reason: unready });
    return deps.isReady()
      ? { status: 'ready' }
      : reply.code(503).send({ status: 'starting', reason: 'the first sync with Git has not completed' });
  });
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await deps.metrics.render();
    return reply.type(contentType).send(body);
  });
  app.get('/api/environments', async (req, reply) => {
    const q = parseQuery(NoQuery, req.query);
    if (!q.ok) return reply.code(400).send(q.problem);
    // Each with its persisted status (conditions, revisions, retries, drift schedule), when it has one.
    const statuses = new Map((await deps.daemonStore.listStatuses()).map((st) => [st.environment, st]));
    return (await deps.daemonStore.listEnvironments()).map((e) => {
      const status = statuses.get(e.environment);
      return status ? { ...e, status } : e;
    });
  });
  // Paged, newest first: `limit` 1..500 (default 100), `before` the last id of the previous page (Link: rel="next").
  app.get('/api/runs', async (req, reply) => {
    const q = parseQuery(RunsQuery, req.query);
    if (!q.ok) return reply.code(400).send(q.problem);
    const { environment, stack, revision, limit, before } = q.value;
    const page = await deps.runs.listRuns({
      limit,
      ...(environment ? { environment } : {}),
      ...(stack ? { stack } : {}),
      ...(revision ? { revision } : {}),
      ...(before !== undefined ? { before } : {}),
    });
    const next = nextPageLink('/api/runs', { environment, stack, revision, limit }, page, limit);
    if (next) reply.header('link', next);
    return page;
  });
  app.get('/api/reports', async () => deps.daemonStore.reportBranches());
  // Branch names contain slashes (feature/x): take the rest of the path.
  app.get<{ Params: { '*': string } }>('/api/reports/*', async (req, reply) => {
    const q = parseQuery(ReportQuery, req.query);
    if (!q.ok) return reply.code(400).send(q.problem);
    const branch = decodeURIComponent(req.params['*']);
    const report = await deps.daemonStore.getReport(branch);
    if (!report) return reply.code(404).send({ error: `no preview report for branch ${branch}` });
    if (q.value.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(report.markdown);
    // The report's JSON, with its Markdown alongside for a merge-request bot.
    return { ...(report.json as object), markdown: report.markdown };
  });

  // A callback plugin: its body registers synchronously, so it completes by calling done.
  await app.register((hooks, _options, done) => {
    // Raw bytes for every content type GitHub and GitLab send, in this scope only.
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const verify = (provider: WebhookProvider, raw: Buffer, headers: Record<string, string | string[] | undefined>): boolean => {
      switch (provider) {
        case 'github':
          return verifyGithub(deps.webhookSecrets.github, raw, header(headers['x-hub-signature-256']));
        case 'gitlab':
          return verifyGitlab(deps.webhookSecrets.gitlab, header(headers['x-gitlab-token']));
        case 'gitea':
          return verifyGitea(deps.webhookSecrets.gitea, raw, {
            giteaSignature: header(headers['x-gitea-signature']),
            hubSignature: header(headers['x-hub-signature-256']),
          });
      }
    };
    const eventOf = (provider: WebhookProvider, headers: Record<string, string | string[] | undefined>): string | undefined =>
      provider === 'gitlab'
        ? header(headers['x-gitlab-event'])
        : provider === 'gitea'
          ? (header(headers['x-gitea-event']) ?? header(headers['x-github-event']))
          : header(headers['x-github-event']);
    const handle =
      (provider: WebhookProvider) =>
      async (
        req: { headers: Record<string, string | string[] | undefined>; body: unknown; ip: string },
        reply: { code(n: number): { send(b: unknown): unknown } },
      ) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const event = eventOf(provider, req.headers);
        if (!verify(provider, raw, req.headers)) {
          deps.log.warn(
            { provider, event, remote: req.ip, configured: Boolean(deps.webhookSecrets[provider]) },
            `rejected a ${provider} webhook: bad or missing signature`,
          );
          return reply.code(401).send({ error: 'invalid signature' });
        }
        if (!isSyncEvent(provider, event))
          return reply.code(202).send({ accepted: false, reason: `event ${event ?? '(none)'} does not trigger a sync` });
        const mr = mergeRequestEventOf(provider, event, raw);
        deps.log.info(
          { provider, event, ...(mr ? { action: mr.action, branch: mr.branch } : {}) },
          `${provider} ${event}${mr ? ` ${mr.action}` : ''} webhook: fetching now`,
        );
        const delivery =
          provider === 'gitlab'
            ? header(req.headers['x-gitlab-event-uuid'])
            : provider === 'gitea'
              ? (header(req.headers['x-gitea-delivery']) ?? header(req.headers['x-github-delivery']))
              : header(req.headers['x-github-delivery']);
        try {
          await deps.onWebhook(provider, event ?? '', delivery);
          if (mr) await deps.onMergeRequest?.(provider, mr, delivery);
        } catch (e) {
          // Replicas queue syncs in PostgreSQL: when it is down the forge should deliver again later.
          deps.log.error({ provider, event, delivery, err: e instanceof Error ? e.message : String(e) }, 'the sync could not be queued');
          return reply.code(503).send({ error: 'the sync could not be queued; deliver again later' });
        }
        return reply.code(202).send({ accepted: true });
      };
    hooks.post('/api/webhooks/github', handle('github'));
    hooks.post('/api/webhooks/gitlab', handle('gitlab'));
    hooks.post('/api/webhooks/gitea', handle('gitea'));
    done();
  });

  if (deps.dashboard) registerDashboard(app, { ...deps.dashboard, runs: deps.runs, daemonStore: deps.daemonStore });
  for (const register of deps.routes ?? []) await register(app);
  return app;
}
