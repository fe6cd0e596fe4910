import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadEnvironment } from '../engine/load/index.js';
import { PulumiStackRunner } from '../engine/pulumi/pulumi-stack-runner.js';
import { selectInlineStack } from '../engine/pulumi/workspace.js';
import { awsEnvFor, bindEnvironment } from '../engine/run/bind-environment.js';
import { Reconciler } from '../engine/run/reconcile.js';
import { SqliteRunStore } from '../engine/store/sqlite-run-store.js';
import { fileBackendLocations } from '../engine/toolchain/pulumi-env.js';
import { queueTemplate } from '../stacks/queue/template.js';

/** Result of benchmark (b). */
export interface UpOverheadResult {
  driftless: number[];
  direct: number[];
  /** driftless / direct, pair by pair. */
  ratios: number[];
}

function writeEnvironment(dir: string, name: string, endpoint: string, timeout: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'environment.yaml'),
    `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${name} }\nspec:\n  deployBranch: main\n  backend: file://state-${name}\n  aws: { region: us-east-1, endpoint: "${endpoint}" }\n`,
  );
  writeFileSync(
    join(dir, 'queue.yaml'),
    `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: queue }\nspec:\n  template: queue\n  params: { visibilityTimeoutSeconds: ${timeout} }\n`,
  );
}

/**
 * (b) `up` of one changed one-queue stack through driftless (load, validate, plan,
 * lock, run, record) against a direct Automation API `up` of the same template program
 * with the same change. Runs alternate A B A B on the same LocalStack, so the ratio
 * holds when the machine's speed drifts; each `up` changes the visibility timeout, so
 * both do the same real work.
 */
export async function benchUpOverhead(endpoint: string, iterations: number): Promise<UpOverheadResult> {
  const root = mkdtempSync(join(tmpdir(), 'driftless-bench-up-'));
  const suffix = Date.now().toString(36);
  const envName = `benchd${suffix}`;
  const directEnv = `benchx${suffix}`;
  const envDir = join(root, 'environments', envName);
  const log = pino({ level: 'silent' });
  const store = new SqliteRunStore(join(root, 'state', 'driftless.db'));
  const reconciler = new Reconciler({ store, runner: new PulumiStackRunner(log), log });
  const bindOpts = { revision: 'bench', stateDir: join(root, 'state'), baseDir: root };

  let bound: ReturnType<typeof bindEnvironment> | undefined;
  const viaDriftless = async (timeout: number): Promise<number> => {
    const t0 = performance.now();
    writeEnvironment(envDir, envName, endpoint, timeout);
    const loaded = await loadEnvironment(envDir);
    if (!loaded.environment) throw new Error('benchmark environment is invalid');
    bound = bindEnvironment(loaded.environment, bindOpts);
    const r = await reconciler.reconcile({
      environment: envName,
      revision: `t${timeout}`,
      trigger: 'cli',
      operation: 'up',
      stacks: bound.stacks,
      removedTarget: bound.removedTarget,
      prune: false,
      parallelism: 1,
    });
    if (r.stacks[0]?.outcome !== 'applied') throw new Error(`driftless up did not apply: ${JSON.stringify(r.stacks[0])}`);
    return performance.now() - t0;
  };

  const loadedForEnv = await (async () => {
    writeEnvironment(join(root, 'environments', directEnv), directEnv, endpoint, 30);
    const l = await loadEnvironment(join(root, 'environments', directEnv));
    if (!l.environment) throw new Error('benchmark environment is invalid');
    return l.environment;
  })();
  const directStack = await selectInlineStack({
    projectName: 'driftless',
    stackName: `${directEnv}.queue`,
    program: async () => ({}),
    locations: fileBackendLocations(join(root, 'direct-state')),
    workDir: join(root, 'direct-work'),
    envVars: awsEnvFor(loadedForEnv, bindOpts),
  });
  const viaAutomationApi = async (timeout: number): Promise<number> => {
    const t0 = performance.now();
    const params = { visibilityTimeoutSeconds: timeout };
    const ctx = { environment: directEnv, stack: 'queue', region: 'us-east-1', tags: {}, revision: `t${timeout}`, dependencies: {} };
    const r = await directStack.up({ program: async () => queueTemplate.program(params, ctx) });
    if (r.summary.result !== 'succeeded') throw new Error('direct up failed');
    return performance.now() - t0;
  };

  try {
    // Warm-up: the first apply creates the queue on both sides (not counted).
    await viaDriftless(20);
    await viaAutomationApi(20);
    const result: UpOverheadResult = { driftless: [], direct: [], ratios: [] };
    for (let i = 0; i < iterations; i++) {
      const timeout = 31 + i;
      const a = await viaDriftless(timeout);
      const b = await viaAutomationApi(timeout);
      result.driftless.push(a);
      result.direct.push(b);
      result.ratios.push(a / b);
    }
    await directStack.destroy();
    if (bound)
      await reconciler.destroy({
        environment: envName,
        revision: 'bench',
        trigger: 'cli',
        stack: 'queue',
        target: bound.removedTarget('queue'),
      });
    return result;
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}
