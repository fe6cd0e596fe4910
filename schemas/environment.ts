import { z } from 'zod';
import { API_VERSION, CronExpression, DriftMode, EnvVarName, Metadata, Tags } from './common.js';
import { DriftIgnore } from './drift-ignore.js';

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Why a backend URL is refused, or undefined when it is usable. */
function backendProblem(value: string): string | undefined {
  if (value.startsWith('file://')) {
    const path = value.slice('file://'.length);
    if (path === '') return 'file:// needs a path relative to the environments repository, e.g. file://.driftless/state';
    if (path.startsWith('/') || /^[A-Za-z]:/.test(path))
      return `file:// paths are relative to the environments repository, got the absolute path "${path}"`;
    if (path.split(/[/\\]/).includes('..')) return `file:// path "${path}" must stay inside the environments repository (no "..")`;
    return undefined;
  }
  if (value.startsWith('s3://')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return `"${value}" is not a valid s3:// URL`;
    }
    if (!S3_BUCKET.test(url.hostname)) return `"${url.hostname}" is not a valid S3 bucket name`;
    for (const key of url.searchParams.keys())
      if (key !== 'region' && key !== 'endpoint' && key !== 's3ForcePathStyle')
        return `unknown s3:// backend option "${key}" (allowed: region, endpoint, s3ForcePathStyle)`;
    const region = url.searchParams.get('region');
    if (region !== null && !AWS_REGION.test(region)) return `"${region}" is not an AWS region`;
    const endpoint = url.searchParams.get('endpoint');
    if (endpoint !== null && !/^https?:\/\/[^\s/]+/.test(endpoint) && !/^[^\s/:]+(:\d+)?$/.test(endpoint))
      return `endpoint "${endpoint}" must be a host[:port] or an http(s) URL`;
    return undefined;
  }
  return `backend must start with file:// or s3://, got "${value}"`;
}

/** Where Pulumi keeps the state of this environment's stacks. */
export const Backend = z.string().superRefine((value, ctx) => {
  const problem = backendProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** AWS account access: the region, and an endpoint override for LocalStack only. */
export const AwsSettings = z.strictObject({
  region: z.string().regex(AWS_REGION, 'must be an AWS region such as us-east-1'),
  endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:4566' }).optional(),
});
/** AWS settings of an environment. */
export type AwsSettings = z.infer<typeof AwsSettings>;

/** Environment-wide drift checking; stacks may override schedule and mode, and add ignore rules. */
export const EnvironmentDrift = z.strictObject({
  schedule: CronExpression.default('*/15 * * * *'),
  mode: DriftMode.default('detect'),
  /** Fields changed outside Git that are reported as ignored, never alerted or remediated (see schemas/drift-ignore.ts). */
  ignore: DriftIgnore.default([]),
});

/** A duration such as `500ms`, `30s`, `10m`, `1h` (a whole number and one unit). */
export const Duration = z
  .string()
  .regex(/^[1-9]\d{0,6}(ms|s|m|h)$/, 'must be a duration: a whole number and a unit, such as 500ms, 30s, 10m or 1h');

/** Milliseconds of a {@link Duration} (the string has already been validated). */
export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (!m) throw new Error(`not a duration: "${d}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/**
 * How the daemon retries a failed deploy of the same commit: exponential backoff with
 * jitter from `interval` up to `maxInterval`; after `stallAfter` failures in a row the
 * environment is Stalled (one alert) and retries go on every `maxInterval`.
 */
export const EnvironmentRetry = z
  .strictObject({
    interval: Duration.default('30s'),
    maxInterval: Duration.default('10m'),
    stallAfter: z.int().min(1).max(1000).default(5),
  })
  .superRefine((r, ctx) => {
    const valid = (d: string) => /^\d+(ms|s|m|h)$/.test(d);
    if (valid(r.interval) && valid(r.maxInterval) && durationMs(r.interval) > durationMs(r.maxInterval))
      ctx.addIssue({ code: 'custom', path: ['maxInterval'], message: `must not be shorter than interval (${r.interval})` });
  });
/** A validated retry policy, defaults applied. */
export type EnvironmentRetry = z.infer<typeof EnvironmentRetry>;

/**
 * Where alerts go. A URL can carry a token (Slack webhooks always do), so it is either
 * written out (`url`, for hooks without credentials) or named by an environment variable
 * of the daemon (`urlFromEnv`); Slack takes only the latter.
 */
export const Notification = z
  .strictObject({
    type: z.enum(['webhook', 'slack']),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    urlFromEnv: EnvVarName.optional(),
  })
  .superRefine((n, ctx) => {
    if (n.url !== undefined && n.urlFromEnv !== undefined)
      ctx.addIssue({ code: 'custom', path: ['urlFromEnv'], message: 'give either url or urlFromEnv, not both' });
    else if (n.type === 'slack' && n.url !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'a Slack webhook URL is a secret: name the environment variable holding it with urlFromEnv',
      });
    else if (n.url === undefined && n.urlFromEnv === undefined) ctx.addIssue({ code: 'custom', message: 'needs url or urlFromEnv' });
  });
/** One alert destination. */
export type Notification = z.infer<typeof Notification>;

/** `spec` of an Environment document. */
export const EnvironmentSpec = z.strictObject({
  /** Commits on this branch are applied; every other branch is only previewed. */
  deployBranch: z.string().regex(/^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[A-Za-z0-9._/-]+$/, 'must be a git branch name such as main'),
  backend: Backend,
  /**
   * How Pulumi encrypts secrets in state: `passphrase` (PULUMI_CONFIG_PASSPHRASE from the
   * daemon's environment) or a KMS key, e.g. `awskms://alias/driftless-state?region=us-east-1`.
   */
  secretsProvider: z
    .string()
    .regex(
      /^(passphrase|awskms:\/\/\S+)$/,
      'must be passphrase or an awskms:// key URL such as awskms://alias/driftless-state?region=us-east-1',
    )
    .default('passphrase'),
  aws: AwsSettings,
  drift: EnvironmentDrift.default({ schedule: '*/15 * * * *', mode: 'detect', ignore: [] }),
  /** Retries of a failed deploy (same commit, no new push needed). */
  retry: EnvironmentRetry.default({ interval: '30s', maxInterval: '10m', stallAfter: 5 }),
  /** Destroy stacks whose file was removed; off by default because it is the one destructive step. */
  prune: z.boolean().default(false),
  /** How many stacks of this environment run at once (independent ones only). */
  parallelism: z.int().min(1).max(32).default(4),
  notifications: z.array(Notification).default([]),
  /** Tags added to every stack of the environment; a stack's own tags win. */
  tags: Tags.default({}),
});
/** A validated Environment spec, defaults applied. */
export type EnvironmentSpec = z.infer<typeof EnvironmentSpec>;

/** `environments/<name>/environment.yaml`. */
export const Environment = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Environment'),
  metadata: Metadata,
  spec: EnvironmentSpec,
});
/** A validated Environment document. */
export type Environment = z.infer<typeof Environment>;
