import type { CommandEntry } from './command.js';

/** Every `driftless` subcommand, in the order `--help` lists them. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'validate',
    summary: 'check environments YAML against the schemas and templates (nothing is run)',
    load: async () => (await import('./commands/validate.js')).validateCommand,
  },
  {
    name: 'preview',
    summary: 'show what up would change, field by field (exit 2 when it would change something)',
    load: async () => (await import('./commands/reconcile-commands.js')).previewCommand,
  },
  {
    name: 'up',
    summary: 'apply an environment: changed stacks and their dependents, in dependency order',
    load: async () => (await import('./commands/reconcile-commands.js')).upCommand,
  },
  {
    name: 'destroy',
    summary: "destroy one stack's resources (asks for --yes)",
    load: async () => (await import('./commands/reconcile-commands.js')).destroyCommand,
  },
  {
    name: 'drift',
    summary: "find what changed behind Git's back, field by field; --remediate puts it back (exit 2 = drift)",
    load: async () => (await import('./commands/drift.js')).driftCommand,
  },
  {
    name: 'history',
    summary: 'list recorded runs (environment, stack, revision, operation, result)',
    load: async () => (await import('./commands/history.js')).historyCommand,
  },
  {
    name: 'dev-postgres',
    summary: 'run a local PostgreSQL to try several replicas on one machine (development only)',
    load: async () => (await import('./commands/dev-postgres.js')).devPostgresCommand,
  },
  {
    name: 'verify',
    summary: "say whether the daemon would accept a deploy commit: its signature against the operator's trusted keys",
    load: async () => (await import('./commands/verify.js')).verifyCommand,
  },
  {
    name: 'daemon',
    summary: 'watch Git: apply deploy branches, preview other branches, serve metrics and the API',
    load: async () => (await import('./commands/daemon.js')).daemonCommand,
  },
  {
    name: 'status',
    summary: "print each environment's status as the daemon keeps it: Ready, Reconciling, Stalled, Drifted, next retry and drift check",
    load: async () => (await import('./commands/status.js')).statusCommand,
  },
  {
    name: 'report',
    summary: "print the daemon's preview report of a branch (Markdown or --json)",
    load: async () => (await import('./commands/report.js')).reportCommand,
  },
  {
    name: 'schema',
    summary: 'print the JSON Schema of Environment and Stack documents (for editor completion)',
    load: async () => (await import('./commands/schema.js')).schemaCommand,
  },
  {
    name: 'templates',
    summary: 'list the installed templates (built-in and operator packages), or print their reference',
    load: async () => (await import('./commands/templates.js')).templatesCommand,
  },
  {
    name: 'version',
    summary: 'print the driftless, Node, Pulumi CLI and SDK, provider and LocalStack versions',
    load: async () => (await import('./commands/version.js')).versionCommand,
  },
  {
    name: 'localstack',
    summary: 'start, stop or inspect the local LocalStack (host mode)',
    load: async () => (await import('./commands/localstack.js')).localstackCommand,
  },
];
