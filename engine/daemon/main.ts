import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { repositoryOf, resolveTrust, type DaemonConfig } from '../config/daemon-config.js';
import { createHttpServer, type RouteRegistration } from '../http/server.js';
import { exposureProblem, resolveHttpCredentials } from '../http/auth.js';
import { DashboardEvents, ObservedRunStore, observeReconciler } from '../http/events.js';
import type { LoadedEnvironment } from '../load/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { openEngine, type Engine } from '../main/engine.js';
import { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { NotificationHub, notifiersFrom, type Notifier } from '../notify/notifier.js';
import { GitRepositorySource } from '../source/git-source.js';
import { redactCredentials } from '../source/redact-url.js';
import { defaultStateDir } from '../toolchain/paths.js';
import { Daemon } from './daemon.js';
import { createForge } from '../forge/create-forge.js';
import type { ForgeOutbox } from '../store/forge-outbox.js';
import { ForgeReporter, type MergeRequestEvent } from './forge-reporter.js';
import { openDaemonStores, type DaemonStores } from './daemon-stores.js';
import { BudgetKeys } from '../replicas/budget-key.js';
import type { LeaderTerm, ReplicaRole } from '../replicas/replica-role.js';
import { createReplicaRole, startWorkQueue } from '../replicas/replica-wiring.js';
import { StackDispatcher } from '../replicas/stack-dispatcher.js';
import { StackWorker } from '../replicas/stack-worker.js';
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
  /** The daemon (with replicas: of the current leadership term, or the next one's while this replica does not lead). */
  readonly daemon: Daemon;
  context: DaemonContext;
  /** Merge-request reporting, when `forge:` is configured (the reporter of the current leadership term). */
  forge?: { reporter: () => ForgeReporter | undefined; outbox: ForgeOutbox };
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

/** The forge adapter and the reporter that feeds its outbox, from the `forge:` section (token from the environment only). */
function forgeReporter(
  cfg: NonNullable<DaemonConfig['forge']>,
  env: NodeJS.ProcessEnv,
  stores: DaemonStores,
  log: Logger,
  notifierFor: (environment: LoadedEnvironment | undefined) => Notifier,
  publicUrl: () => string | undefined,
  rehandle: (branch: string) => void,
): ForgeReporter {
  const token = env[cfg.tokenFromEnv];
  if (!token) throw new Error(`forge: environment variable ${cfg.tokenFromEnv} (the forge token) is not set`);
  const forge = createForge({ type: cfg.type, baseUrl: cfg.baseUrl, repository: cfg.repository, token });
  return new ForgeReporter({
    forge,
    outbox: stores.outbox,
    daemonStore: stores.daemon,
    log: log.child({ forge: cfg.type }),
    notifier: notifierFor(undefined),
    publicUrl,
    retry: { initialMs: cfg.retry.initialSeconds * 1000, maxMs: cfg.retry.maxSeconds * 1000 },
    rehandle,
  });
}

/**
 * The daemon's main: wires the Git source, the engine, the stores, metrics, notifications
 * and the HTTP server, starts listening, runs the first sync and polls. With
 * `store.postgres` it is one replica of many (engine/replicas/replica-role.ts): it runs
 * stack jobs from the shared queue, and syncs and decides only while it holds the
 * leader lease. The only place (with engine/main) that chooses implementations.
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
  const stores = await openDaemonStores(config.store.postgres, env, stateDir, log);
  // What a failed start must close again, last opened first (a pg-boss left running would keep the process alive).
  const undo: (() => Promise<unknown>)[] = [() => stores.close()];
  try {
    const replicaName = stores.shared?.identity.replica;
    const rootLog = replicaName ? log.child({ replica: replicaName }) : log;
    // Every run, lock and drift check recorded through the engine's store is also a live event for the dashboard.
    const events = new DashboardEvents();
    let observedStore: ObservedRunStore | undefined;
    const engine = openEngine({
      stateDir,
      log: rootLog,
      store: stores.runs,
      wrapStore: (inner) => (observedStore = new ObservedRunStore(inner, events)),
    });
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

    const daemonNotifiers = notifiersFrom(config.notifications, rootLog, env);
    for (const p of daemonNotifiers.problems) rootLog.warn(p);
    const notifierFor = (environment: LoadedEnvironment | undefined): Notifier => {
      const own = environment ? notifiersFrom(environment.spec.notifications, rootLog, env) : { notifiers: [], problems: [] };
      for (const p of own.problems) rootLog.warn({ environment: environment?.name }, p);
      return new NotificationHub([...daemonNotifiers.notifiers, ...own.notifiers], rootLog);
    };
    const backendBaseDir = resolve(config.backendBaseDir ?? process.cwd());
    const templates = opts.templates ?? builtinInstallation();
    const context: DaemonContext = { config, engine, metrics, log: rootLog, backendBaseDir, notifierFor, templates };
    const reconciler = observedStore
      ? observeReconciler(engine.reconciler, {
          store: observedStore,
          dashboard: stores.dashboard,
          events,
          onError: (e) => rootLog.warn({ err: e instanceof Error ? e.message : String(e) }, 'recording for the dashboard failed'),
        })
      : engine.reconciler;

    const postUrl = config.reports.postUrl ?? (config.reports.postUrlFromEnv ? env[config.reports.postUrlFromEnv] : undefined);
    const poster = postUrl ? reportPoster(postUrl, rootLog) : undefined;
    let listenUrl: string | undefined;
    let replica: ReplicaRole | undefined;
    let solo: LeaderTerm | undefined;
    const current = (): LeaderTerm | undefined => solo ?? replica?.current();
    const queue = stores.shared ? await startWorkQueue(stores.shared, rootLog) : undefined;
    if (queue) undo.push(() => queue.stop({ graceful: false }));
    const dispatcher = queue ? new StackDispatcher(queue, new BudgetKeys(rootLog, config.awsEndpoint), rootLog) : undefined;

    /** A Daemon (and its forge reporter): the whole process's in SQLite mode, one leadership term's with replicas. */
    const newTerm = (): LeaderTerm => {
      // The reporter's rehandle goes to this term's own daemon: never to a later term's, which may not lead.
      let own: Daemon | undefined;
      const reporter = config.forge
        ? forgeReporter(
            config.forge,
            env,
            stores,
            rootLog,
            notifierFor,
            () => listenUrl,
            (b) => own?.rehandle(b),
          )
        : undefined;
      const postReport =
        poster || reporter
          ? async (r: { json: PreviewReport; markdown: string }) => {
              await reporter?.previewReported(r);
              await poster?.(r);
            }
          : undefined;
      const daemon = new Daemon({
        source,
        reconciler,
        runs: engine.store,
        daemonStore: stores.daemon,
        metrics,
        log: rootLog,
        notifierFor,
        ...(postReport ? { postReport } : {}),
        ...(reporter ? { reporting: reporter } : {}),
        ...(opts.extensions?.drift ? { drift: opts.extensions.drift(context) } : {}),
        ...(dispatcher ? { dispatch: (op) => dispatcher.forEnvironment(op) } : {}),
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
      own = daemon;
      return {
        daemon,
        ...(reporter ? { reporter } : {}),
        start: async () => {
          // Retries survive restarts (and leaders): armed from the persisted statuses before anything syncs.
          await daemon.restore();
          reporter?.start();
        },
        ...(reporter ? { mergeRequest: (e: MergeRequestEvent) => reporter.mergeRequestEvent(e) } : {}),
        stop: async (o) => {
          const clean = await daemon.stop(o);
          await reporter?.stop();
          return clean;
        },
      };
    };

    if (!stores.shared) {
      // Retries are armed from the persisted statuses before any request (a webhook) can sync.
      solo = newTerm();
      const term = solo;
      await term.start();
      undo.push(() => term.stop({ finishWithinMs: 0, deadlineMs: 5000 }));
    }

    const server = await createHttpServer({
      log: rootLog,
      metrics,
      runs: engine.store,
      daemonStore: stores.daemon,
      isReady: () => (replica ? replica.isReady() : (solo?.daemon.isReady() ?? false)),
      unreadyReason: () => replica?.unreadyReason(),
      webhookSecrets: {
        github: env[config.webhooks.githubSecretFromEnv] || undefined,
        gitlab: env[config.webhooks.gitlabTokenFromEnv] || undefined,
        gitea: env[config.webhooks.giteaSecretFromEnv] || undefined,
      },
      onWebhook: (_provider, _event, delivery) =>
        replica ? replica.requestSync('webhook', delivery) : solo?.daemon.requestSync('webhook'),
      onMergeRequest: (_provider, e, delivery) =>
        replica ? replica.requestSync('webhook', delivery && `${delivery}/merge-request`, e) : solo?.mergeRequest?.(e),
      routes: opts.extensions?.routes?.(context) ?? [],
      auth: http.credentials,
      dashboard: { dashboardStore: stores.dashboard, events },
    });
    undo.push(() => server.close());
    await server.listen({ host: config.http.host, port: config.http.port });
    const address = server.server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    listenUrl = config.forge?.publicUrl ?? url;
    rootLog.info(
      { url, repository: source.displayUrl, pollIntervalSeconds: config.source.pollIntervalSeconds, stateDir },
      `driftless daemon listening on ${url}, watching ${source.displayUrl}`,
    );

    let poll: NodeJS.Timeout | undefined;
    let closeRole: () => Promise<void> = async () => {};
    if (stores.shared && queue) {
      const wired = createReplicaRole(stores.shared, queue, {
        newTerm,
        worker: new StackWorker({
          replica: stores.shared.identity.replica,
          source,
          reconciler: engine.reconciler,
          runs: engine.store,
          templates,
          settings: { stateDir, backendBaseDir, awsEndpointOverride: config.awsEndpoint },
          log: rootLog,
        }),
        pollIntervalMs: config.source.pollIntervalSeconds * 1000,
        metrics,
        log: rootLog,
      });
      const role = wired.role;
      replica = role;
      closeRole = wired.close;
      undo.push(wired.close, () => role.stop({ finishWithinMs: 0, deadlineMs: 5000 }));
      await role.start();
    } else if (solo) {
      const term = solo;
      term.daemon.requestSync('startup');
      poll = setInterval(() => term.daemon.requestSync('poll'), config.source.pollIntervalSeconds * 1000);
    }

    let stopping: Promise<boolean> | undefined;
    const shutdown = {
      finishWithinMs: config.shutdown.finishWithinSeconds * 1000,
      deadlineMs: config.shutdown.deadlineSeconds * 1000,
    };
    const stop = (reason: string): Promise<boolean> =>
      (stopping ??= (async () => {
        rootLog.info({ reason }, `stopping: ${reason}`);
        clearInterval(poll);
        // Refuse new requests (webhooks) first; in-flight ones finish.
        const closed = server.close();
        try {
          const clean = replica ? await replica.stop(shutdown) : await (solo?.stop(shutdown) ?? Promise.resolve(true));
          await closed;
          rootLog.info({ clean }, clean ? 'stopped' : 'stopped at the deadline with work still running');
          return clean;
        } finally {
          // Whatever failed above, the connections are closed, so the process can exit.
          await closeRole();
          await stores.close();
        }
      })());
    const running: RunningDaemon = {
      url,
      get daemon() {
        return (current() as LeaderTerm).daemon;
      },
      context,
      stop,
      ...(config.forge ? { forge: { reporter: () => current()?.reporter, outbox: stores.outbox } } : {}),
    };
    return running;
  } catch (e) {
    for (const close of undo.reverse()) await close().catch(() => undefined);
    throw e;
  }
}
