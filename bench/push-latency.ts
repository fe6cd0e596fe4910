import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DaemonConfig } from '../engine/config/daemon-config.js';
import { driftExtensions } from '../engine/daemon/drift-extension.js';
import { startDaemon } from '../engine/daemon/main.js';
import { githubSignature } from '../engine/http/webhook-auth.js';
import { createLogger } from '../engine/log/logger.js';
import type { RunRecord } from '../engine/model/index.js';

/** Result of the push-latency benchmark: webhook → `up` recorded as succeeded, in ms. */
export interface PushLatencyResult {
  sweepStacks: number;
  idle: number[];
  duringSweep: number[];
}

const SECRET = 'bench secret, not a real one';

/**
 * Push → applied latency of the daemon: a signed GitHub push webhook for a commit that
 * changes one queue, until its `up` is recorded, when the daemon is idle and while a drift
 * sweep of `sweepStacks` stacks of another environment runs (lanes: it must not wait).
 */
export async function benchPushLatency(endpoint: string, sweepStacks: number, iterations: number): Promise<PushLatencyResult> {
  const root = mkdtempSync(join(tmpdir(), 'driftless-bench-push-'));
  const repo = join(root, 'repo');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  const suffix = Date.now().toString(36);
  const sweep = `benchs${suffix}`;
  const hot = `benchh${suffix}`;
  const envYaml = (name: string, extra: string) =>
    `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${name} }\nspec:\n  deployBranch: main\n  backend: file://state/${name}\n  aws: { region: us-east-1 }\n${extra}`;
  const queue = (name: string, timeout: number) =>
    `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec:\n  template: queue\n  params: { visibilityTimeoutSeconds: ${timeout} }\n`;
  mkdirSync(repo, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Bench');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'commit.gpgsign', 'false');
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  write(`environments/${sweep}/environment.yaml`, envYaml(sweep, '  parallelism: 8\n  drift: { schedule: "@yearly" }\n'));
  for (let i = 0; i < sweepStacks; i++) write(`environments/${sweep}/q${i}.yaml`, queue(`q${i}`, 30));
  write(`environments/${hot}/environment.yaml`, envYaml(hot, '  drift: { schedule: "@yearly" }\n'));
  write(`environments/${hot}/api.yaml`, queue('api', 30));
  commit('bench environments');

  const daemon = await startDaemon(
    DaemonConfig.parse({
      source: { repository: repo, pollIntervalSeconds: 3600 },
      stateDir: join(root, 'state'),
      backendBaseDir: root,
      awsEndpoint: endpoint,
      http: { port: 0 },
    }),
    {
      log: createLogger({ level: 'error', pretty: false }),
      extensions: driftExtensions({ prescreen: false }),
      env: { ...process.env, DRIFTLESS_GITHUB_WEBHOOK_SECRET: SECRET },
    },
  );
  const runs = async (q: string): Promise<RunRecord[]> => {
    const res = await fetch(`${daemon.url}/api/runs?${q}`);
    if (!res.ok) throw new Error(`GET /api/runs?${q} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as RunRecord[];
  };
  const until = async <T>(check: () => Promise<T | undefined>, ms: number): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error('benchmark timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let timeout = 30;
  const pushOnce = async (): Promise<number> => {
    timeout += 1;
    write(`environments/${hot}/api.yaml`, queue('api', timeout));
    const revision = commit(`visibility ${timeout}`);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: revision });
    const t0 = Date.now();
    await fetch(`${daemon.url}/api/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': githubSignature(SECRET, Buffer.from(body)),
      },
      body,
    });
    const run = await until(
      async () => (await runs(`revision=${revision}&stack=api`)).find((r) => r.operation === 'up' && r.result !== 'skipped'),
      120_000,
    );
    return Date.parse(run.finishedAt) - t0;
  };
  try {
    await until(
      async () =>
        (await runs(`environment=${sweep}&limit=500`)).filter((r) => r.result === 'succeeded').length >= sweepStacks ? true : undefined,
      600_000,
    );
    await daemon.daemon.idle();
    const idle: number[] = [];
    for (let i = 0; i < iterations; i++) idle.push(await pushOnce());
    const duringSweep: number[] = [];
    for (let i = 0; i < iterations; i++) {
      daemon.daemon.checkDriftNow(sweep);
      await until(async () => (daemon.daemon.work().running.some((k) => k.startsWith(`drift ${sweep}`)) ? true : undefined), 30_000);
      // let the sweep get going before the push
      await new Promise((r) => setTimeout(r, 1500));
      duringSweep.push(await pushOnce());
      await daemon.daemon.idle();
    }
    return { sweepStacks, idle, duringSweep };
  } finally {
    await daemon.stop('benchmark done');
    rmSync(root, { recursive: true, force: true });
  }
}

/** Runs {@link benchPushLatency} and prints its figures (BENCH_PUSH_STACKS, default 40), rows formatted by `row`. */
export async function printPushLatency(
  endpoint: string,
  iterations: number,
  row: (label: string, xs: number[], unit: string) => string,
): Promise<void> {
  const stacks = Number(process.env.BENCH_PUSH_STACKS ?? 40);
  const r = await benchPushLatency(endpoint, stacks, iterations);
  console.log(`(d) push → applied (signed webhook → up recorded) of a one-queue change, LocalStack ${endpoint}`);
  console.log(row('    daemon idle', r.idle, 'ms'));
  console.log(row(`    during a drift sweep of ${r.sweepStacks} stacks (previewRefresh each)`, r.duringSweep, 'ms'));
}
