import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { repositoryOf, resolveTrust, type DaemonConfig } from '../config/daemon-config.js';
import { createHttpServer, type RouteRegistration } from '../http/server.js';
import { exposureProblem, resolveHttpCredentials } from '../http/auth.js';
import { DashboardEvents, ObservedRunStore, observeReconciler } from '../http/events.js';
import { SqliteDashboardStore } from '../store/sqlite-dashboard-store.js';
import type { LoadedEnvironment } from '../load/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { openEngine, type Engine } from '../main/engine.js';
import { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { NotificationHub, notifiersFrom, type Notifier } from '../notify/notifier.js';
import { GitRepositorySource } from '../source/git-source.js';
import { redactCredentials } from '../source/redact-url.js';
import type { DaemonStore } from '../store/daemon-store.js';
import { SqliteDaemonStore } from '../store/sqlite-daemon-store.js';
import { defaultStateDir } from '../toolchain/paths.js';
import { Daemon } from './daemon.js';
import { createForge } from '../forge/create-forge.js';
import type { ForgeOutbox } from '../store/forge-outbox.js';
import { SqliteForgeOutbox } from '../store/sqlite-forge-outbox.js';
import { ForgeReporter } from './forge-reporter.js';
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
  /** Merge-request reporting, when `forge:` is configured. */
  forge?: { reporter: ForgeReporter; outbox: ForgeOutbox };
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

/** The forge adapter, its outbox and the reporter that feeds it, from the `forge:` section (token from the environment only). */
function forgeReporting(
  cfg: NonNullable<DaemonConfig['forge']>,
  env: NodeJS.ProcessEnv,
  stateDir: string,
  daemonStore: DaemonStore,
  log: Logger,
  notifierFor: (environment: LoadedEnvironment | undefined) => Notifier,
  publicUrl: () => string | undefined,
  rehandle: (branch: string) => void,
): { reporter: ForgeReporter; outbox: ForgeOutbox } {
  const token = env[cfg.tokenFromEnv];
  if (!token) throw new Error(`forge: environment variable ${cfg.tokenFromEnv} (the forge token) is not set`);
  const forge = createForge({ type: cfg.type, baseUrl: cfg.baseUrl, repository: cfg.repository, token });
  const outbox = new SqliteForgeOutbox(join(stateDir, 'driftless.db'));
  const reporter = new ForgeReporter({
    forge,
    outbox,
    daemonStore,
    log: log.child({ forge: cfg.type }),
    notifier: notifierFor(undefined),
    publicUrl,
    retry: { initialMs: cfg.retry.initialSeconds * 1000, maxMs: cfg.retry.maxSeconds * 1000 },
    rehandle,
  });
  return { reporter, outbox };
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
  // Refuse to listen beyond loopback without credentials (loadDaemonConfig says so first; this covers direct callers).
  const http = resolveHttpCredentials(config.http.auth ?? { protectMetrics: false }, env);
  const exposed = http.problems[0] ?? exposureProblem(config.http.host, http.credentials);
  if (exposed) throw new Error(`driftless daemon: ${exposed}; not started`);
  // Every run, lock and drift check recorded through the engine's store is also a live event for the dashboard.
  const events = new DashboardEvents();
  let observedStore: ObservedRunStore | undefined;
  const engine = openEngine({ stateDir, log, wrapStore: (inner) => (observedStore = new ObservedRunStore(inner, events)) });
  const dashboardStore = new SqliteDashboardStore(join(stateDir, 'driftless.db'));
  const daemonStore = new SqliteDaemonStore(join(stateDir, 'driftless.db'));
  const metrics = new DaemonMetrics();
  const repository = repositoryOf(config, env);
  // One cache per repository address, so pointing the daemon elsewhere never mixes refs.
  const cacheKey = createHash('sha256').update(redactCredentials(repository)).digest('hex').slice(0, 16);
  // `driftless daemon` resolves relative paths against the configuration file; here against the working directory.
  const trust = resolveTrust(config.trust, process.cwd());
  const source = new GitRepositorySource({
    trust,
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
  let listenUrl: string | undefined;
  let daemon: Daemon | undefined;
  const forge = config.forge
    ? forgeReporting(
        config.forge,
        env,
        stateDir,
        daemonStore,
        log,
        notifierFor,
        () => listenUrl,
        (b) => daemon?.rehandle(b),
      )
    : undefined;
  const poster = postUrl ? reportPoster(postUrl, log) : undefined;
  const postReport =
    poster || forge
      ? async (r: { json: PreviewReport; markdown: string }) => {
          await forge?.reporter.previewReported(r);
          await poster?.(r);
        }
      : undefined;
  daemon = new Daemon({
    source,
    reconciler: observedStore
      ? observeReconciler(engine.reconciler, {
          store: observedStore,
          dashboard: dashboardStore,
          events,
          onError: (e) => log.warn({ err: e instanceof Error ? e.message : String(e) }, 'recording for the dashboard failed'),
        })
      : engine.reconciler,
    runs: engine.store,
    daemonStore,
    metrics,
    log,
    notifierFor,
    ...(postReport ? { postReport } : {}),
    ...(forge ? { reporting: forge.reporter } : {}),
    ...(opts.extensions?.drift ? { drift: opts.extensions.drift(context) } : {}),
    settings: {
      environmentsPath: config.source.environmentsPath,
      defaultDeployBranch: config.source.defaultDeployBranch,
      stateDir,
      backendBaseDir,
      awsEndpointOverride: config.awsEndpoint,
      templates,
      trustMode: trust.mode,
      verifySignatures: Boolean(trust.allowedSignersFile ?? trust.gpgHome),
      concurrency: config.concurrency,
    },
  });
  // Retries survive restarts: armed from the persisted statuses before anything syncs.
  await daemon.restore();

  const server = await createHttpServer({
    log,
    metrics,
    runs: engine.store,
    daemonStore,
    isReady: () => daemon?.isReady() ?? false,
    webhookSecrets: {
      github: env[config.webhooks.githubSecretFromEnv] || undefined,
      gitlab: env[config.webhooks.gitlabTokenFromEnv] || undefined,
      gitea: env[config.webhooks.giteaSecretFromEnv] || undefined,
    },
    onWebhook: () => daemon?.requestSync('webhook'),
    onMergeRequest: (_provider, e) => forge?.reporter.mergeRequestEvent(e),
    routes: opts.extensions?.routes?.(context) ?? [],
    auth: http.credentials,
    dashboard: { dashboardStore, events },
  });
  await server.listen({ host: config.http.host, port: config.http.port });
  const address = server.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  listenUrl = config.forge?.publicUrl ?? url;
  forge?.reporter.start();
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
      await forge?.reporter.stop();
      await forge?.outbox.close();
      await daemonStore.close();
      await dashboardStore.close();
      await engine.close();
      log.info({ clean }, clean ? 'stopped' : 'stopped at the deadline with work still running');
      return clean;
    })());
  const running = daemon;
  return { url, daemon: running, context, stop, ...(forge ? { forge } : {}) };
}
