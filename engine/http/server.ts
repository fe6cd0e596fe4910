import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../log/logger.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import type { DaemonStore } from '../store/daemon-store.js';
import type { RunStore } from '../store/run-store.js';
import { isSyncEvent, verifyGithub, verifyGitlab } from './webhook-auth.js';

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
  /** Secrets from the daemon's environment; a provider without one refuses every delivery. */
  webhookSecrets: { github: string | undefined; gitlab: string | undefined };
  /** A verified push or merge-request event: fetch now. */
  onWebhook(provider: 'github' | 'gitlab', event: string): void;
  routes?: readonly RouteRegistration[];
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

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) =>
    deps.isReady()
      ? { status: 'ready' }
      : reply.code(503).send({ status: 'starting', reason: 'the first sync with Git has not completed' }),
  );
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await deps.metrics.render();
    return reply.type(contentType).send(body);
  });
  app.get('/api/environments', async () => deps.daemonStore.listEnvironments());
  app.get<{ Querystring: { environment?: string; stack?: string; revision?: string; limit?: string } }>('/api/runs', async (req) => {
    const { environment, stack, revision } = req.query;
    const limit = Math.min(1000, Math.max(1, Number(req.query.limit ?? 100) || 100));
    return deps.runs.listRuns({
      limit,
      ...(environment ? { environment } : {}),
      ...(stack ? { stack } : {}),
      ...(revision ? { revision } : {}),
    });
  });
  app.get('/api/reports', async () => deps.daemonStore.reportBranches());
  // Branch names contain slashes (feature/x): take the rest of the path.
  app.get<{ Params: { '*': string }; Querystring: { format?: string } }>('/api/reports/*', async (req, reply) => {
    const branch = decodeURIComponent(req.params['*']);
    const report = deps.daemonStore.getReport(branch);
    if (!report) return reply.code(404).send({ error: `no preview report for branch ${branch}` });
    if (req.query.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(report.markdown);
    // The report's JSON, with its Markdown alongside for a merge-request bot.
    return { ...(report.json as object), markdown: report.markdown };
  });

  // A callback plugin: its body registers synchronously, so it completes by calling done.
  await app.register((hooks, _options, done) => {
    // Raw bytes for every content type GitHub and GitLab send, in this scope only.
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const handle =
      (provider: 'github' | 'gitlab') =>
      async (
        req: { headers: Record<string, string | string[] | undefined>; body: unknown; ip: string },
        reply: { code(n: number): { send(b: unknown): unknown } },
      ) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const event = header(provider === 'github' ? req.headers['x-github-event'] : req.headers['x-gitlab-event']);
        const valid =
          provider === 'github'
            ? verifyGithub(deps.webhookSecrets.github, raw, header(req.headers['x-hub-signature-256']))
            : verifyGitlab(deps.webhookSecrets.gitlab, header(req.headers['x-gitlab-token']));
        if (!valid) {
          deps.log.warn(
            { provider, event, remote: req.ip, configured: Boolean(deps.webhookSecrets[provider]) },
            `rejected a ${provider} webhook: bad or missing signature`,
          );
          return reply.code(401).send({ error: 'invalid signature' });
        }
        if (!isSyncEvent(provider, event))
          return reply.code(202).send({ accepted: false, reason: `event ${event ?? '(none)'} does not trigger a sync` });
        deps.log.info({ provider, event }, `${provider} ${event} webhook: fetching now`);
        deps.onWebhook(provider, event ?? '');
        return reply.code(202).send({ accepted: true });
      };
    hooks.post('/api/webhooks/github', handle('github'));
    hooks.post('/api/webhooks/gitlab', handle('gitlab'));
    done();
  });

  for (const register of deps.routes ?? []) await register(app);
  return app;
}
