import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * AWS SDK v3 client settings from the environment: region from AWS_REGION /
 * AWS_DEFAULT_REGION, an endpoint override from AWS_ENDPOINT_URL (LocalStack), and
 * credentials from the SDK's standard chain. The same program therefore runs against
 * LocalStack or AWS; only the environment of the plugin process differs.
 *
 * In-process callers (the engine's drift pre-screen) run handlers inside an
 * `inAwsScope`: its settings replace the environment's, and every request made in it is
 * counted.
 */

/** Static credentials, when the caller has them (else the SDK's standard chain). */
export interface AwsStaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Settings shared by every client the provider builds. */
export interface AwsClientSettings {
  region: string;
  endpoint?: string;
  /** S3 needs path-style addressing behind a custom endpoint (no per-bucket DNS there). */
  forcePathStyle?: boolean;
  /** Retries are done once, by `awsCall`, with the provider's own policy. */
  maxAttempts: number;
  credentials?: AwsStaticCredentials;
}

/** Resolves client settings from an environment. */
export function awsClientSettings(env: NodeJS.ProcessEnv = process.env): AwsClientSettings {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  return endpoint ? { region, endpoint, forcePathStyle: true, maxAttempts: 1 } : { region, maxAttempts: 1 };
}

/** Where handlers run in-process: the clients' settings and who hears of each request. */
export interface AwsScope {
  settings: AwsClientSettings;
  /** Called once per HTTP request sent to AWS (`<Service> <Command>`), retries included. */
  onRequest?: (service: string, command: string) => void;
}

const scopes = new AsyncLocalStorage<AwsScope>();

/**
 * Runs `fn` with handlers' clients built from `scope.settings` (one client per service
 * and distinct settings, shared by every call in any scope with those settings) instead
 * of the process environment.
 */
export function inAwsScope<T>(scope: AwsScope, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scope, fn);
}

/** A service's SDK module and the one client the plugin uses for it. */
export interface AwsService<M, C> {
  sdk: M;
  client: C;
}

/** The middleware stack every SDK v3 client has; typed here so `make` may return any client. */
interface WithMiddleware {
  middlewareStack?: {
    add(
      mw: (
        next: (args: unknown) => Promise<unknown>,
        ctx: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      opts: { step: 'finalizeRequest'; name: string },
    ): void;
  };
}

/** Counts each request sent by a scoped client, for the scope it is sent in. */
function counted<C>(client: C): C {
  (client as WithMiddleware).middlewareStack?.add(
    (next, ctx) => (args) => {
      scopes.getStore()?.onRequest?.((ctx.clientName ?? '').replace(/Client$/, ''), (ctx.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'driftlessRequestCounter' },
  );
  return client;
}

function settingsKey(s: AwsClientSettings): string {
  return JSON.stringify([
    s.region,
    s.endpoint,
    s.forcePathStyle,
    s.credentials?.accessKeyId,
    s.credentials?.secretAccessKey,
    s.credentials?.sessionToken,
  ]);
}

/**
 * One client per service for the plugin's lifetime, built on first use. The SDK
 * module is imported lazily (pass `() => import('@aws-sdk/client-…')`): the plugin
 * starts for every Pulumi operation, and loading all SDKs eagerly measured ~250 ms
 * more start-up than loading only the ones a program's resource types use. Inside an
 * `inAwsScope`, the client of the scope's settings instead.
 */
export function awsService<M, C>(
  load: () => Promise<M>,
  make: (sdk: M, settings: AwsClientSettings) => C,
): () => Promise<AwsService<M, C>> {
  let service: Promise<AwsService<M, C>> | undefined;
  const scoped = new Map<string, Promise<AwsService<M, C>>>();
  return () => {
    const scope = scopes.getStore();
    if (!scope) {
      service ??= load().then((sdk) => ({ sdk, client: make(sdk, awsClientSettings()) }));
      return service;
    }
    const key = settingsKey(scope.settings);
    let s = scoped.get(key);
    if (!s) {
      s = load().then((sdk) => ({ sdk, client: counted(make(sdk, scope.settings)) }));
      scoped.set(key, s);
    }
    return s;
  };
}
