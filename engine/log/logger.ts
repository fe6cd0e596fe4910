import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors wherever they occur in a log object. Redaction is configured
 * here once, so no call site can forget it.
 */
export const REDACT_PATHS: readonly string[] = [
  'secret',
  '*.secret',
  'password',
  '*.password',
  'token',
  '*.token',
  'passphrase',
  '*.passphrase',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["private-token"]',
  '*.headers["private-token"]',
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-gitlab-token"]',
  'secretValue',
  '*.secretValue',
  '*.*.secretValue',
  'secretString',
  '*.secretString',
  'AWS_SECRET_ACCESS_KEY',
  '*.AWS_SECRET_ACCESS_KEY',
  // PostgreSQL connection strings hold a password (store.postgres; never logged on purpose).
  'connectionString',
  '*.connectionString',
  'databaseUrl',
  '*.databaseUrl',
  'AWS_SESSION_TOKEN',
  '*.AWS_SESSION_TOKEN',
  'PULUMI_CONFIG_PASSPHRASE',
  '*.PULUMI_CONFIG_PASSPHRASE',
  'envVars',
  '*.envVars',
];

/** Options for the root logger: JSON by default, pretty when stdout is a TTY. */
export function loggerOptions(opts: { level?: string; pretty?: boolean } = {}): LoggerOptions {
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && process.env.DRIFTLESS_LOG_FORMAT !== 'json');
  return {
    name: 'driftless',
    level: opts.level ?? process.env.DRIFTLESS_LOG_LEVEL ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { destination: 2 } } } : {}),
  };
}

/**
 * The root logger. Logs go to stderr so that stdout stays for command output
 * (`--json` results, reports).
 */
export function createLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  const options = loggerOptions(opts);
  return options.transport ? pino(options) : pino(options, pino.destination(2));
}
