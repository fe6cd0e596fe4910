import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { z } from 'zod';
import { EnvVarName } from '../../schemas/common.js';
import { Notification } from '../../schemas/environment.js';
import { compareMessages, type ValidationMessage } from '../load/messages.js';
import { locate } from '../load/positions.js';
import { parseSingleDocument } from '../load/yaml-document.js';
import { validateWith } from '../load/zod-issues.js';
import { exposureProblem, resolveHttpCredentials } from '../http/auth.js';

/** Where the daemon reads desired state from. */
export const SourceConfig = z.strictObject({
  /** Local path or https/ssh URL. Credentials belong in `repositoryFromEnv`, never in this file. */
  repository: z.string().min(1).optional(),
  /** Names an environment variable holding the repository URL (e.g. https://user:token@host/org/repo). */
  repositoryFromEnv: EnvVarName.optional(),
  environmentsPath: z
    .string()
    .regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9._/-]+$/, 'must be a folder inside the repository, e.g. environments')
    .default('environments'),
  pollIntervalSeconds: z.number().positive().max(86_400).default(60),
  /** Deploy branch assumed for an environment whose environment.yaml has never been valid. */
  defaultDeployBranch: z.string().min(1).default('main'),
});

/** Preview reports: optionally POSTed somewhere a merge request can show them. */
export const ReportsConfig = z.strictObject({
  postUrl: z.url({ protocol: /^https?$/ }).optional(),
  postUrlFromEnv: EnvVarName.optional(),
});

/**
 * The Git forge that shows previews on merge requests (commit statuses, one comment per
 * merge request). The token is only ever read from the environment variable named here.
 */
export const ForgeConfig = z.strictObject({
  type: z.enum(['github', 'gitlab', 'gitea']),
  /** API base: GitHub `https://api.github.com` (default) or GHES `https://host/api/v3`; GitLab/Gitea the instance URL. */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** `owner/name` (GitHub, Gitea) or the project's path or numeric id (GitLab). */
  repository: z.string().regex(/^([\w.-]+\/)+[\w.-]+$|^\d+$/, 'must be owner/name (or a GitLab project path or id)'),
  tokenFromEnv: EnvVarName,
  /** Where people reach the daemon's API: statuses link to `<publicUrl>/api/reports/<branch>` (default: its listen address). */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Backoff of the outbox when the forge is down or refuses the token. */
  retry: z
    .strictObject({ initialSeconds: z.number().positive().default(5), maxSeconds: z.number().positive().default(300) })
    .default({ initialSeconds: 5, maxSeconds: 300 }),
});

/**
 * Who may read the dashboard and `/api/` (`http.auth`): a bearer token and/or basic
 * credentials, always named by environment variable. Required when `http.host` is not a
 * loopback address; probes and the signed webhooks stay open, /metrics too unless
 * `protectMetrics`.
 */
export const HttpAuthConfig = z.strictObject({
  /** Holds the bearer token (at least 16 characters); DRIFTLESS_HTTP_TOKEN is read when not set. */
  tokenFromEnv: EnvVarName.optional(),
  basic: z.strictObject({ userFromEnv: EnvVarName, passwordFromEnv: EnvVarName }).optional(),
  protectMetrics: z.boolean().default(false),
});

/** The HTTP listener: address and who may read it. */
export const HttpConfig = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65_535).default(8080),
  auth: HttpAuthConfig.default({ protectMetrics: false }),
});

/** Webhook secrets, always named by environment variable. */
export const WebhookConfig = z.strictObject({
  githubSecretFromEnv: EnvVarName.default('DRIFTLESS_GITHUB_WEBHOOK_SECRET'),
  gitlabTokenFromEnv: EnvVarName.default('DRIFTLESS_GITLAB_WEBHOOK_TOKEN'),
  giteaSecretFromEnv: EnvVarName.default('DRIFTLESS_GITEA_WEBHOOK_SECRET'),
});

/**
 * Template packages the operator installed (never named by the environments repository):
 * npm package names resolved from `from`, or package folders. Relative paths resolve
 * against the configuration file's folder.
 */
export const TemplatesConfig = z.strictObject({
  packages: z.array(z.string().min(1)).default([]),
  from: z.string().min(1).optional(),
});

/** Where resource plugins templates need live, and whether Pulumi may download missing ones. */
export const PluginsConfig = z.strictObject({
  dir: z.string().min(1).optional(),
  acquire: z.boolean().default(false),
});

/**
 * Which commits may reach the cloud: set by the operator here, never by the environments
 * repository. Relative paths resolve against the configuration file's folder.
 */
export const TrustConfig = z.strictObject({
  /** off: no check; heads: each deploy commit must be signed by a trusted key; range: every commit since the last applied one. */
  mode: z.enum(['off', 'heads', 'range']).default('off'),
  /** SSH allowed signers file (`principal key`, see ssh-keygen(1) ALLOWED SIGNERS). */
  allowedSignersFile: z.string().min(1).optional(),
  /** GnuPG home folder whose keyring holds the trusted GPG keys (optional; SSH needs none). */
  gpgHome: z.string().min(1).optional(),
  /** Principal or fingerprint of the forge's own merge key: its signature is accepted on merge commits. */
  allowMergeCommitKey: z.string().min(1).optional(),
});

/** `<account>/<region>`: the key of a per-account budget, e.g. `123456789012/eu-west-1`. */
const AccountRegion = z
  .string()
  .regex(/^(\d{12}|[\w-]+)\/[a-z]{2}(-[a-z]+)+-\d$/, 'must be <account>/<region>, e.g. 123456789012/eu-west-1');

/**
 * Several replicas on one PostgreSQL (docs/replicas.md): run store, stack locks, the
 * daemon's state and a pg-boss work queue all live there. The connection string is only
 * ever read from the environment variable named here (it holds a password).
 */
export const PostgresStoreConfig = z.strictObject({
  urlFromEnv: EnvVarName,
  /**
   * How long a replica may go silent before its leased jobs, stack locks and leadership
   * pass to another (engine/replicas/replica-wiring.ts splits it; pg-boss's heartbeat needs ≥ 10 s of it).
   */
  leaseSeconds: z.int().min(20).max(3600).default(30),
  /** Stack operations this replica runs at once. */
  workers: z.int().min(1).max(64).default(2),
  /**
   * Concurrent Pulumi operations per AWS account and region across all replicas, so a
   * restart or a sweep cannot flood one account; `accounts` overrides it per `<account>/<region>`.
   */
  budget: z
    .strictObject({
      perAccountRegion: z.int().min(1).max(256).default(4),
      accounts: z.record(AccountRegion, z.int().min(1).max(256)).default({}),
    })
    .default({ perAccountRegion: 4, accounts: {} }),
  /** This replica's name in run history and lock holders (default: host name and pid). */
  replicaId: z
    .string()
    .regex(/^[\w.:-]{1,100}$/)
    .optional(),
  /** How long a store write waits for Postgres to come back before it fails (the work pauses meanwhile). */
  outageToleranceSeconds: z.int().min(0).max(86_400).default(300),
});

/** Where the engine keeps its state: the embedded SQLite file (default) or a shared PostgreSQL. */
export const StoreConfig = z.strictObject({
  postgres: PostgresStoreConfig.optional(),
});

/** The daemon's configuration file (`driftless daemon --config daemon.yaml`). */
export const DaemonConfig = z.strictObject({
  source: SourceConfig.default({ environmentsPath: 'environments', pollIntervalSeconds: 60, defaultDeployBranch: 'main' }),
  /** State folder (run store, Pulumi home, Git cache); DRIFTLESS_STATE_DIR overrides. */
  stateDir: z.string().optional(),
  /** Folder that relative `file://` backends resolve against (default: the working directory). */
  backendBaseDir: z.string().optional(),
  /** Replaces every environment's AWS endpoint (LocalStack); DRIFTLESS_AWS_ENDPOINT overrides. */
  awsEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  http: HttpConfig.default({ host: '127.0.0.1', port: 8080, auth: { protectMetrics: false } }),
  webhooks: WebhookConfig.default({
    githubSecretFromEnv: 'DRIFTLESS_GITHUB_WEBHOOK_SECRET',
    gitlabTokenFromEnv: 'DRIFTLESS_GITLAB_WEBHOOK_TOKEN',
    giteaSecretFromEnv: 'DRIFTLESS_GITEA_WEBHOOK_SECRET',
  }),
  /** Merge-request previews on GitHub, GitLab or Gitea (docs/daemon.md, "Merge requests"). */
  forge: ForgeConfig.optional(),
  /** Destinations for every environment, in addition to each environment's own `notifications:`. */
  notifications: z.array(Notification).default([]),
  reports: ReportsConfig.default({}),
  templates: TemplatesConfig.default({ packages: [] }),
  plugins: PluginsConfig.default({ acquire: false }),
  trust: TrustConfig.default({ mode: 'off' }),
  /** `store: { postgres: { urlFromEnv: … } }` runs this daemon as one replica of many; absent: SQLite in the state folder. */
  store: StoreConfig.default({}),
  /**
   * How much runs at once: deploys and previews of different environments (drift checks have
   * their own lane and never hold a deploy back), and drift checks.
   */
  concurrency: z
    .strictObject({ environments: z.int().min(1).max(64).default(4), driftChecks: z.int().min(1).max(64).default(1) })
    .default({ environments: 4, driftChecks: 1 }),
  shutdown: z
    .strictObject({
      /** A running Pulumi operation may finish on its own for this long, then it is cancelled. */
      finishWithinSeconds: z.number().min(0).default(20),
      /** The process exits by then, whatever is still running. */
      deadlineSeconds: z.number().positive().default(60),
    })
    .default({ finishWithinSeconds: 20, deadlineSeconds: 60 }),
});
/** Validated daemon configuration, defaults applied. */
export type DaemonConfig = z.infer<typeof DaemonConfig>;

/**
 * Environment variables that override the file (12-factor style); each maps to a path.
 * Numbers are converted before validation so that Zod reports a wrong value by its variable.
 */
const ENV_OVERRIDES: readonly { name: string; path: readonly string[]; numeric?: boolean; list?: boolean; boolean?: boolean }[] = [
  { name: 'DRIFTLESS_REPOSITORY', path: ['source', 'repository'] },
  { name: 'DRIFTLESS_POLL_INTERVAL_SECONDS', path: ['source', 'pollIntervalSeconds'], numeric: true },
  { name: 'DRIFTLESS_STATE_DIR', path: ['stateDir'] },
  { name: 'DRIFTLESS_BACKEND_BASE_DIR', path: ['backendBaseDir'] },
  { name: 'DRIFTLESS_AWS_ENDPOINT', path: ['awsEndpoint'] },
  { name: 'DRIFTLESS_HTTP_HOST', path: ['http', 'host'] },
  { name: 'DRIFTLESS_HTTP_PORT', path: ['http', 'port'], numeric: true },
  { name: 'DRIFTLESS_TEMPLATES', path: ['templates', 'packages'], list: true },
  { name: 'DRIFTLESS_TEMPLATES_FROM', path: ['templates', 'from'] },
  { name: 'DRIFTLESS_PLUGINS_DIR', path: ['plugins', 'dir'] },
  { name: 'DRIFTLESS_ACQUIRE_PLUGINS', path: ['plugins', 'acquire'], boolean: true },
];

/** A variable's text as the type its setting takes, so Zod reports a wrong value by the variable's name. */
function convert(o: { numeric?: boolean; list?: boolean; boolean?: boolean }, v: string): unknown {
  if (o.numeric && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  if (o.list)
    return v
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  if (o.boolean && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

/** Result of reading the configuration: the value, or every problem with a place. */
export type ConfigLoad = { ok: true; config: DaemonConfig } | { ok: false; messages: ValidationMessage[] };

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node[key] = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/**
 * Reads the YAML file (when given), applies environment overrides, validates with Zod.
 * Problems in the file come back as file:line:col messages; problems in a variable name
 * the variable.
 */
export async function loadDaemonConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ConfigLoad> {
  let raw: Record<string, unknown> = {};
  const shown = file ? relative(process.cwd(), file) || file : '(environment)';
  let locateIssue = (_path: PropertyKey[]) => ({ line: 1, col: 1 });
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      return {
        ok: false,
        messages: [
          {
            file: shown,
            line: 1,
            col: 1,
            path: '',
            message: `cannot read the configuration file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
            severity: 'error',
          },
        ],
      };
    }
    const parsed = parseSingleDocument(text);
    if (!parsed.ok)
      return {
        ok: false,
        messages: parsed.problems.map((p) => ({
          file: shown,
          line: p.line,
          col: p.col,
          path: '',
          message: p.message,
          severity: 'error' as const,
        })),
      };
    const value = parsed.value.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return {
        ok: false,
        messages: [
          { file: shown, line: 1, col: 1, path: '', message: 'expected a mapping (source:, http:, notifications: ...)', severity: 'error' },
        ],
      };
    raw = value as Record<string, unknown>;
    locateIssue = (path) => locate(parsed.value.doc, parsed.value.lineCounter, path);
  }
  const fromEnv = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const v = env[o.name];
    if (v === undefined || v === '') continue;
    setIn(raw, o.path, convert(o, v));
    fromEnv.set(o.path.join('.'), o.name);
  }
  const r = validateWith(DaemonConfig, raw);
  const messages: ValidationMessage[] = [];
  if (!r.ok) {
    for (const issue of r.issues) {
      const dotted = issue.path.map(String).join('.');
      const variable = [...fromEnv].find(([p]) => dotted === p || dotted.startsWith(p + '.'))?.[1];
      if (variable) messages.push({ file: `$${variable}`, line: 1, col: 1, path: '', message: issue.message, severity: 'error' });
      else messages.push({ file: shown, ...locateIssue(issue.path), path: dotted, message: issue.message, severity: 'error' });
    }
    return { ok: false, messages: messages.sort(compareMessages) };
  }
  const config = r.value;
  if (!config.source.repository && !config.source.repositoryFromEnv)
    messages.push({
      file: shown,
      line: 1,
      col: 1,
      path: 'source.repository',
      message: 'no Git repository: set source.repository (or DRIFTLESS_REPOSITORY, or source.repositoryFromEnv)',
      severity: 'error',
    });
  if (config.source.repositoryFromEnv && !env[config.source.repositoryFromEnv])
    messages.push({
      file: shown,
      line: 1,
      col: 1,
      path: 'source.repositoryFromEnv',
      message: `environment variable ${config.source.repositoryFromEnv} is not set`,
      severity: 'error',
    });
  if (config.forge && !env[config.forge.tokenFromEnv])
    messages.push({
      file: shown,
      ...locateIssue(['forge', 'tokenFromEnv']),
      path: 'forge.tokenFromEnv',
      message: `environment variable ${config.forge.tokenFromEnv} (the forge token) is not set`,
      severity: 'error',
    });
  if (config.forge?.type === 'gitea' && !config.forge.baseUrl)
    messages.push({
      file: shown,
      ...locateIssue(['forge', 'type']),
      path: 'forge.baseUrl',
      message: 'a gitea forge needs forge.baseUrl (the instance, e.g. https://gitea.example.com)',
      severity: 'error',
    });
  const http = resolveHttpCredentials(config.http.auth, env);
  for (const problem of http.problems)
    messages.push({ file: shown, ...locateIssue(['http', 'auth']), path: 'http.auth', message: problem, severity: 'error' });
  const exposed = http.problems.length === 0 ? exposureProblem(config.http.host, http.credentials) : undefined;
  if (exposed) messages.push({ file: shown, ...locateIssue(['http', 'host']), path: 'http.host', message: exposed, severity: 'error' });
  const postgres = config.store.postgres;
  if (postgres && !env[postgres.urlFromEnv])
    messages.push({
      file: shown,
      ...locateIssue(['store', 'postgres', 'urlFromEnv']),
      path: 'store.postgres.urlFromEnv',
      message: `environment variable ${postgres.urlFromEnv} (the PostgreSQL connection string) is not set`,
      severity: 'error',
    });
  if (config.trust.mode !== 'off' && !config.trust.allowedSignersFile && !config.trust.gpgHome)
    messages.push({
      file: shown,
      ...locateIssue(['trust', 'mode']),
      path: 'trust.mode',
      message: `trust mode ${config.trust.mode} needs trusted keys: set trust.allowedSignersFile (SSH) or trust.gpgHome (GPG)`,
      severity: 'error',
    });
  return messages.length > 0 ? { ok: false, messages } : { ok: true, config };
}

/** The repository address the configuration names (may hold credentials: never log it). */
export function repositoryOf(config: DaemonConfig, env: NodeJS.ProcessEnv = process.env): string {
  return (config.source.repositoryFromEnv ? env[config.source.repositoryFromEnv] : undefined) ?? config.source.repository ?? '';
}

/**
 * The trust settings with their paths resolved against `baseDir` (the configuration
 * file's folder). A configured file that does not exist is a problem: fail closed.
 */
export function resolveTrust(
  trust: z.infer<typeof TrustConfig>,
  baseDir: string,
): { mode: 'off' | 'heads' | 'range'; allowedSignersFile?: string; gpgHome?: string; allowMergeCommitKey?: string } {
  return {
    mode: trust.mode,
    ...(trust.allowedSignersFile ? { allowedSignersFile: resolve(baseDir, trust.allowedSignersFile) } : {}),
    ...(trust.gpgHome ? { gpgHome: resolve(baseDir, trust.gpgHome) } : {}),
    ...(trust.allowMergeCommitKey ? { allowMergeCommitKey: trust.allowMergeCommitKey } : {}),
  };
}
