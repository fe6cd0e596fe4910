/**
 * AWS SDK v3 client settings from the environment: region from AWS_REGION /
 * AWS_DEFAULT_REGION, an endpoint override from AWS_ENDPOINT_URL (LocalStack), and
 * credentials from the SDK's standard chain. The same program therefore runs against
 * LocalStack or AWS; only the environment of the plugin process differs.
 */

/** Settings shared by every client the provider builds. */
export interface AwsClientSettings {
  region: string;
  endpoint?: string;
  /** S3 needs path-style addressing behind a custom endpoint (no per-bucket DNS there). */
  forcePathStyle?: boolean;
  /** Retries are done once, by `awsCall`, with the provider's own policy. */
  maxAttempts: number;
}

/** Resolves client settings from an environment. */
export function awsClientSettings(env: NodeJS.ProcessEnv = process.env): AwsClientSettings {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  return endpoint ? { region, endpoint, forcePathStyle: true, maxAttempts: 1 } : { region, maxAttempts: 1 };
}

/** A service's SDK module and the one client the plugin uses for it. */
export interface AwsService<M, C> {
  sdk: M;
  client: C;
}

/**
 * One client per service for the plugin's lifetime, built on first use. The SDK
 * module is imported lazily (pass `() => import('@aws-sdk/client-…')`): the plugin
 * starts for every Pulumi operation, and loading all SDKs eagerly measured ~250 ms
 * more start-up than loading only the ones a program's resource types use.
 */
export function awsService<M, C>(
  load: () => Promise<M>,
  make: (sdk: M, settings: AwsClientSettings) => C,
): () => Promise<AwsService<M, C>> {
  let service: Promise<AwsService<M, C>> | undefined;
  return () => (service ??= load().then((sdk) => ({ sdk, client: make(sdk, awsClientSettings()) })));
}
