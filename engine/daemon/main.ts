import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { repositoryOf, type DaemonConfig } from '../config/daemon-config.js';
import { createHttpServer, type RouteRegistration } from '../http/server.js';
import type { LoadedEnvironment } from '../load/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { openEngine, type Engine } from '../main/engine.js';
import { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { NotificationHub, notifiersFrom, type Notifier } from '../notify/notifier.js';
import { GitRepositorySource } from '../source/git-source.js';
import { redactCredentials } from '../source/redact-url.js';
import { DaemonStore } from '../store/daemon-store.js';
import { defaultStateDir } from '../toolchain/paths.js';
import { Daemon } from './daemon.js';
import type { DriftCheck } from './drift-schedule.js';
import type { PreviewReport } from './preview-report.js';
import { builtinInstallation, type TemplateInstallation } from '../templates/install.js';

/** What extensions (drift detection) get from the daemon. */
export interface DaemonContext {
  config: DaemonConfig;
  engine: Engine;
  metrics: DaemonMetrics;
  log: Logger;
  /** Folder that relative `file://` backends resolve against. */
  backendBaseDir: string;
  /** The operator's template installation. */
  templates: TemplateInstallation;
  /** The environment's notifiers plus the daemon-level ones, logged and fanned out. */
  notifierFor(environment: LoadedEnvironment | undefined): Notifier;
}

/** Parts plugged into the daemon from outside its folder. */
export interface DaemonExtensions {
  /** The scheduled drift check; without it no drift checks are scheduled. */
  drift?: (ctx: DaemonContext) => DriftCheck;
  /** Extra HTTP routes (e.g. `/api/drift`), given the same context. */
  routes?: (ctx: DaemonContext) => RouteRegistration[];
}

/** A started daemon. */
export interface RunningDaemon {
  /** Base URL of the HTTP server. */
  url: string;
  daemon: Daemon;
  context: DaemonContext;
  /** Graceful stop (see Daemon.stop); resolves to whether everything stopped in time. Idempotent. */
  stop(reason: string): Promise<boolean>;
}

/** POSTs a finished preview report as JSON; failures are logged, never thrown. */
function reportPoster(url: string, log: Logger): (r: { json: PreviewReport; markdown: string }) => Promise<void> {
  return async (r) => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'driftless' },
        body: JSON.stringify({ source: 'driftless', kind: 'preview-report', markdown: r.markdown, report: r.json }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) log.warn({ target: new URL(url).origin, status: res.status }, 'posting the preview report failed');
    } catch (e) {
      log.warn({ target: new URL(url).origin, reason: e instanceof Error ? e.message : String(e) }, 'posting the preview report failed');
    }
  };
}

/**
 * The daemon's main: wires the Git source, the engine, the daemon's store, metrics,
 * notifications and the HTTP server, starts listening, runs the first sync and polls.
 * The only place (with engine/main) that chooses implementations.
 */
export async function startDaemon(
  config: DaemonConfig,
  opts: {
    log?: Logger;
    env?: NodeJS.ProcessEnv;
    extensions?: DaemonExtensions;
    /** Templates installed by the operator (installTemplates); the built-in ones when absent. */
    templates?: TemplateInstallation;
  } = {},
): Promise<RunningDaemon> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger();
  const stateDir = resolve(config.stateDir ?? defaultStateDir(env));
  const engine = openEngine({ stateDir, log });
  const daemonStore = new DaemonStore(join(stateDir, 'driftless.db'));
  const metrics = new DaemonMetrics();
  const repository = repositoryOf(config, env);
  // One cache per repository address, so pointing the daemon elsewhere never mixes refs.
  const cacheKey = createHash('sha256').update(redactCredentials(repository)).digest('hex').slice(0, 16);
  const source = new GitRepositorySource({
    repository,
    cacheDir: join(stateDir, 'git-cache', cacheKey),
    environmentsPath: config.source.environmentsPath,
    scratchDir: join(stateDir, 'tmp'),
  });

  const daemonNotifiers = notifiersFrom(config.notifications, log, env);
  for (const p of daemonNotifiers.problems) log.warn(p);
  const notifierFor = (environment: LoadedEnvironment | undefined): Notifier => {
    const own = environment ? notifiersFrom(environment.spec.notifications, log, env) : { notifiers: [], problems: [] };
    for (const p of own.problems) log.warn({ environment: environment?.name }, p);
    return new NotificationHub([...daemonNotifiers.notifiers, ...own.notifiers], log);
  };
  const backendBaseDir = resolve(config.backendBaseDir ?? process.cwd());
  const templates = opts.templates ?? builtinInstallation();
  const context: DaemonContext = { config, engine, metrics, log, backendBaseDir, notifierFor, templates };

  const postUrl = config.reports.postUrl ?? (config.reports.postUrlFromEnv ? env[config.reports.postUrlFromEnv] : undefined);
  const daemon = new Daemon({
    source,
    reconciler: engine.reconciler,
    runs: engine.store,
    daemonStore,
    metrics,
    log,
    notifierFor,
    ...(postUrl ? { postReport: reportPoster(postUrl, log) } : {}),
    ...(opts.extensions?.drift ? { drift: opts.extensions.drift(context) } : {}),
    settings: {
      environmentsPath: config.source.environmentsPath,
      defaultDeployBranch: config.source.defaultDeployBranch,
      stateDir,
      backendBaseDir,
      awsEndpointOverride: config.awsEndpoint,
      templates,
    },
  });

  const server = await createHttpServer({
    log,
    metrics,
    runs: engine.store,
    daemonStore,
    isReady: () => daemon.isReady(),
    webhookSecrets: {
      github: env[config.webhooks.githubSecretFromEnv] || undefined,
      gitlab: env[config.webhooks.gitlabTokenFromEnv] || undefined,
    },
    onWebhook: () => daemon.requestSync('webhook'),
    routes: opts.extensions?.routes?.(context) ?? [],
  });
  await server.listen({ host: config.http.host, port: config.http.port });
  const address = server.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info(
    { url, repository: source.displayUrl, pollIntervalSeconds: config.source.pollIntervalSeconds, stateDir },
    `driftless daemon listening on ${url}, watching ${source.displayUrl}`,
  );

  daemon.requestSync('startup');
  const poll = setInterval(() => daemon.requestSync('poll'), config.source.pollIntervalSeconds * 1000);

  let stopping: Promise<boolean> | undefined;
  const stop = (reason: string): Promise<boolean> =>
    (stopping ??= (async () => {
      log.info({ reason }, `stopping: ${reason}`);
      clearInterval(poll);
      // Refuse new requests (webhooks) first; in-flight ones finish.
      const closed = server.close();
      const clean = await daemon.stop({
        finishWithinMs: config.shutdown.finishWithinSeconds * 1000,
        deadlineMs: config.shutdown.deadlineSeconds * 1000,
      });
      await closed;
      daemonStore.close();
      engine.close();
      log.info({ clean }, clean ? 'stopped' : 'stopped at the deadline with work still running');
      return clean;
    })());
  return { url, daemon, context, stop };
}
