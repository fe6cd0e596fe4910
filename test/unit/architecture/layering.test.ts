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
 * same paths `npm run lint` checks.
 */
function cruise(files: Record<string, string>): Promise<Cruise> {
  const root = tempDir('layering');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  copyFileSync(join(projectRoot, '.dependency-cruiser.cjs'), join(root, '.dependency-cruiser.cjs'));
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
