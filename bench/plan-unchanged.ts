import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadEnvironment } from '../engine/load/index.js';
import { fingerprintOf } from '../engine/plan/decide.js';
import { bindEnvironment } from '../engine/run/bind-environment.js';
import { Reconciler } from '../engine/run/reconcile.js';
import type { OperationOutcome, StackRunner } from '../engine/run/stack-runner.js';
import { SqliteRunStore } from '../engine/store/sqlite-run-store.js';

/** A StackRunner that counts calls: the benchmark proves that none happen. */
class CountingRunner implements StackRunner {
  calls = 0;
  private refuse = async (): Promise<OperationOutcome> => {
    this.calls++;
    return { ok: false, kind: 'internal', message: 'the benchmark expects no Pulumi operation', durationMs: 0 };
  };
  preview = this.refuse;
  up = this.refuse;
  destroy = this.refuse;
  previewRefresh = this.refuse;
}

/** Writes an environment of `count` queue stacks, every tenth depending on the one before. */
function writeEnvironment(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'environment.yaml'),
    `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: bench }\nspec:\n  deployBranch: main\n  backend: file://state\n  aws: { region: us-east-1 }\n`,
  );
  for (let i = 0; i < count; i++) {
    const dep = i % 10 === 9 ? `\n  dependsOn: [q${i - 1}]` : '';
    writeFileSync(
      join(dir, `q${i}.yaml`),
      `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: q${i} }\nspec:\n  template: queue${dep}\n  params:\n    visibilityTimeoutSeconds: ${30 + (i % 60)}\n    deadLetter: { maxReceiveCount: 5 }\n`,
    );
  }
}

/** Result of benchmark (a). */
export interface PlanBenchResult {
  stacks: number;
  runs: number[];
  pulumiOperations: number;
}

/**
 * (a) Time to load, validate, bind and reconcile an environment of `count` stack files
 * in which nothing changed: the whole `up` path except Pulumi, which must not start.
 */
export async function benchPlanUnchanged(count: number, iterations: number): Promise<PlanBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'driftless-bench-plan-'));
  try {
    const envDir = join(root, 'environments', 'bench');
    writeEnvironment(envDir, count);
    const store = new SqliteRunStore(join(root, 'state', 'driftless.db'));
    const runner = new CountingRunner();
    const reconciler = new Reconciler({ store, runner, log: pino({ level: 'silent' }) });
    const bindOpts = { revision: 'bench', stateDir: join(root, 'state'), baseDir: root };

    // Record every stack as applied at its current fingerprint, as after a first `up`.
    const first = await loadEnvironment(envDir);
    if (!first.environment) throw new Error('benchmark environment is invalid: ' + JSON.stringify(first.messages.slice(0, 3)));
    for (const s of bindEnvironment(first.environment, bindOpts).stacks) {
      const fp = fingerprintOf(s.desired, Object.fromEntries(s.desired.dependsOn.map((d) => [d, {}])));
      await store.saveStatus({
        environment: 'bench',
        stack: s.desired.name,
        applied: { ...fp, revision: 'r0', outputs: {}, at: new Date().toISOString() },
        lastResult: 'succeeded',
        lastRevision: 'r0',
        lastError: undefined,
      });
    }

    const runs: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      const loaded = await loadEnvironment(envDir);
      if (!loaded.environment) throw new Error('benchmark environment became invalid');
      const bound = bindEnvironment(loaded.environment, bindOpts);
      const result = await reconciler.reconcile({
        environment: 'bench',
        revision: `r${i + 1}`,
        trigger: 'cli',
        operation: 'up',
        stacks: bound.stacks,
        removedTarget: bound.removedTarget,
        prune: false,
        parallelism: 4,
      });
      runs.push(performance.now() - t0);
      if (result.stacks.some((s) => s.outcome !== 'unchanged')) throw new Error('benchmark expected every stack unchanged');
    }
    await store.close();
    return { stacks: count, runs, pulumiOperations: runner.calls };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
