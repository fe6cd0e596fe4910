import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DriftChecker } from '../engine/drift/drift-checker.js';
import { DriftPrescreen, settingsFor } from '../engine/drift/prescreen/prescreen.js';
import { fingerprintOf } from '../engine/plan/decide.js';
import { PULUMI_PROJECT, PulumiStackRunner, pulumiStackName } from '../engine/pulumi/pulumi-stack-runner.js';
import { Reconciler, type ReconcileStack } from '../engine/run/reconcile.js';
import type { StackTarget } from '../engine/run/stack-runner.js';
import { SqliteRunStore } from '../engine/store/sqlite-run-store.js';
import { inputsOf } from '../provider/src/dispatcher.js';
import { inAwsScope } from '../provider/src/in-process.js';
import { resourceHandlers } from '../provider/src/resources/index.js';
import { LogGroup, Queue, Topic } from '../provider/sdk/index.js';

/** One sweep size: both paths over the same N real stacks. */
export interface SweepResult {
  stacks: number;
  resources: number;
  prescreenMs: number;
  /** In sync per the pre-screen (the rest went to previewRefresh inside the same sweep). */
  prescreenInSync: number;
  awsRequests: number;
  /** Per-stack previewRefresh: measured over `refreshMeasured` stacks, extrapolated to `stacks` when fewer. */
  refreshMs: number;
  refreshMeasured: number;
  refreshMeasuredMs: number;
  ratio: number;
}

const handlers = new Map(resourceHandlers.map((h) => [h.token, h]));

/** Runs tasks at most `n` at a time. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

/**
 * (c) A drift sweep of N stacks (1–3 resources each: a queue; + a topic; + a log group)
 * on LocalStack, with the pre-screen vs per-stack previewRefresh, both through the
 * DriftChecker over the same stacks. Three template stacks are applied with Pulumi `up`;
 * every other stack is a clone of one of them: its resources are created in AWS by the
 * provider's own handlers (the same create code the plugin runs) and its checkpoint is
 * the template's with names, URNs, ids and outputs rewritten, written to the file
 * backend. Pulumi then sees N ordinary stacks (previewRefresh reads each one).
 */
export async function benchPrescreenSweep(endpoint: string, sizes: readonly number[], log: (line: string) => void): Promise<SweepResult[]> {
  const max = Math.max(...sizes);
  const root = mkdtempSync(join(tmpdir(), 'driftless-bench-sweep-'));
  const env = `benchs${Date.now().toString(36)}`;
  const backendDir = join(root, 'backend');
  const envVars = {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  const quiet = pino({ level: 'silent' });
  const runner = new PulumiStackRunner(quiet);
  const store = new SqliteRunStore(join(root, 'driftless.db'));
  const reconciler = new Reconciler({ store, runner, log: quiet });
  const target = (stack: string, program: () => Promise<Record<string, unknown>> = async () => ({})): StackTarget => ({
    environment: env,
    stack,
    program,
    backend: { url: `file://${backendDir}`, pulumiHome: join(root, 'pulumi-home') },
    envVars,
    workDir: join(root, 'work', stack),
    secretsProvider: 'passphrase',
  });
  const stackFile = (stack: string) => join(backendDir, '.pulumi', 'stacks', PULUMI_PROJECT, `${pulumiStackName(env, stack)}.json`);
  const created: { token: string; id: string; inputs: Record<string, unknown> }[] = [];
  const scope = { settings: settingsFor(envVars) };

  try {
    // The three shapes, applied for real.
    const shapes = ['t1', 't2', 't3'];
    const programFor = (shape: string, n: number) => async () => {
      const base = `${env}-${shape}`;
      const out: Record<string, unknown> = { queue: new Queue('queue', { name: `${base}-q`, tags: { team: 'bench' } }).url };
      if (n >= 2) out.topic = new Topic('topic', { name: `${base}-t`, tags: { team: 'bench' } }).arn;
      if (n >= 3) out.logs = new LogGroup('logs', { name: `/${base}/l`, retentionInDays: 7 }).id;
      return out;
    };
    for (const [i, shape] of shapes.entries()) {
      const up = await runner.up(target(shape, programFor(shape, i + 1)));
      if (!up.ok) throw new Error(`up ${shape}: ${up.message}`);
    }
    const templates = shapes.map((s) => readFileSync(stackFile(s), 'utf8'));

    // N - 3 clones, resources created by the provider's handlers in-process.
    const names = Array.from({ length: max }, (_, i) => (i < 3 ? (shapes[i] as string) : `s${String(i).padStart(4, '0')}`));
    const t0 = performance.now();
    await pool(names.slice(3), 16, async (name) => {
      const shape = Number(name.slice(1)) % 3;
      const text = (templates[shape] as string)
        .replaceAll(`${env}.${shapes[shape]}`, `${env}.${name}`)
        .replaceAll(`${env}-${shapes[shape]}`, `${env}-${name}`);
      const doc = JSON.parse(text) as {
        checkpoint: {
          latest: { resources: { type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] };
        };
      };
      for (const r of doc.checkpoint.latest.resources) {
        const h = handlers.get(r.type);
        if (!h || !r.inputs) continue;
        const inputs = inputsOf(h, r.inputs);
        const made = await inAwsScope(scope, () => h.create(inputs));
        created.push({ token: r.type, id: made.id, inputs });
        r.id = made.id;
        r.outputs = { ...r.inputs, ...made.attributes };
      }
      mkdirSync(join(backendDir, '.pulumi', 'stacks', PULUMI_PROJECT), { recursive: true });
      writeFileSync(stackFile(name), JSON.stringify(doc));
    });
    const resources = names.map((n) => (n.startsWith('t') ? Number(n.slice(1)) : (Number(n.slice(1)) % 3) + 1));
    log(
      `    setup: 3 stacks applied with up, ${max - 3} cloned (${created.length} resources created in-process) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const bound = (name: string): ReconcileStack => ({
      desired: { name, template: 'bench', templateVersion: '1', spec: {}, dependsOn: [] },
      target: () => target(name),
    });
    const all = names.map(bound);
    for (const s of all)
      await store.saveStatus({
        environment: env,
        stack: s.desired.name,
        applied: { ...fingerprintOf(s.desired, {}), revision: 'bench', outputs: {}, at: 'bench' },
        lastResult: 'succeeded',
        lastRevision: 'bench',
        lastError: undefined,
      });
    const checker = new DriftChecker({ store, runner, reconciler, notifier: { notify: async () => {} }, log: quiet });
    const sweep = (stacks: ReconcileStack[], prescreen: DriftPrescreen | undefined) =>
      checker.check({
        environment: env,
        revision: 'bench',
        trigger: 'cli',
        stacks: stacks.map((b) => ({ bound: b, mode: 'detect' as const })),
        allowRemediation: false,
        // The environment default: both paths run stacks 4 at a time.
        parallelism: 4,
        ...(prescreen ? { prescreen } : {}),
      });

    const results: SweepResult[] = [];
    let refreshPerStackMs: number | undefined;
    const budgetMs = Number(process.env.BENCH_REFRESH_BUDGET_SECONDS ?? 360) * 1000;
    for (const n of sizes) {
      const stacks = all.slice(0, n);
      const a = performance.now();
      const pre = await sweep(stacks, new DriftPrescreen());
      const prescreenMs = performance.now() - a;
      const bad = pre.stacks.filter((s) => s.status !== 'in-sync');
      if (bad.length) throw new Error(`bench stacks are not in sync: ${JSON.stringify(bad.slice(0, 3))}`);

      // Per-stack previewRefresh: all N when the estimate fits the budget, else a sample.
      const measureAll = refreshPerStackMs === undefined || refreshPerStackMs * n <= budgetMs;
      const sample = measureAll ? stacks : stacks.slice(0, Number(process.env.BENCH_REFRESH_SAMPLE ?? 50));
      const b = performance.now();
      const ref = await sweep(sample, undefined);
      const measuredMs = performance.now() - b;
      if (ref.stacks.some((s) => s.status !== 'in-sync')) throw new Error('a previewRefresh failed or found drift');
      refreshPerStackMs = measuredMs / sample.length;
      const refreshMs = refreshPerStackMs * n;
      results.push({
        stacks: n,
        resources: resources.slice(0, n).reduce((x, y) => x + y, 0),
        prescreenMs,
        prescreenInSync: pre.stacks.filter((s) => s.checkedBy === 'prescreen').length,
        awsRequests: pre.prescreen?.awsRequests ?? 0,
        refreshMs,
        refreshMeasured: sample.length,
        refreshMeasuredMs: measuredMs,
        ratio: refreshMs / prescreenMs,
      });
    }
    return results;
  } finally {
    // Clean up: clones through the handlers, the three templates through destroy.
    await pool(created, 16, async (r) => {
      await inAwsScope(scope, () => handlers.get(r.token)!.delete(r.id, r.inputs)).catch(() => undefined);
    });
    for (const s of ['t1', 't2', 't3']) await runner.destroy(target(s)).catch(() => undefined);
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}
