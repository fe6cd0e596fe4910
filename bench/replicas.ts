import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DeleteQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startTestPostgres, type TestPostgres } from '../engine/localpg/embedded-postgres.js';
import type { RunRecord } from '../engine/model/index.js';
import { projectRoot } from '../engine/toolchain/paths.js';

/** Result of the replicas benchmark: wall time from the commit until every stack's `up` succeeded, in ms. */
export interface ReplicasResult {
  stacks: number;
  /** Stack operations each replica runs at once. */
  workers: number;
  /** Concurrent Pulumi operations allowed per account and region across all replicas. */
  budget: number;
  one: number[];
  three: number[];
  /** one / three, pair by pair. */
  ratios: number[];
  /** The replicas named in each 3-replica run's history. */
  sharedBy: string[][];
  /** `os.availableParallelism()`: the figure means little without it. */
  cores: number;
}

const WORKERS = 2;
const LEASE_SECONDS = 20;
/**
 * The budget is set to what three replicas can run at once (3 × workers), so the 3-replica
 * figure measures the replicas and not the budget: the default (4) would cap it below 6.
 */
const BUDGET = 3 * WORKERS;
/** Kept per replica so a failure can show what the daemon said last. */
const LOG_LIMIT = 256 * 1024;
const LISTEN = /driftless daemon listening on (http:\/\/[^ ",]+)/;
const LEADS = /leads: polling Git/;

interface Replica {
  name: string;
  child: ChildProcess;
  logs: () => string;
  url: string;
  exited: Promise<void>;
}

/**
 * Every replica process this module has started and not yet seen exit, and the temp
 * folders of the runs under way. On any exit of the bench (an exception, `process.exit`
 * in run.ts, Ctrl-C) their process groups are killed, so no daemon or Pulumi process
 * outlives the bench, and the folders removed.
 */
const live = new Set<ChildProcess>();
const roots = new Set<string>();
function abandon(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  for (const root of roots) rmSync(root, { recursive: true, force: true });
}
process.once('exit', abandon);
// Detached groups do not get the terminal's Ctrl-C, and a signal ends Node without 'exit':
// clean up here, then let the signal end the bench as it would have.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    abandon();
    process.kill(process.pid, signal);
  });

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Detached: the daemon leads its own process group, which holds its Pulumi processes too.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Polls `check` until it returns a value; `what` names the wait in the error, `failure` may end it early with a reason. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms: number, failure?: () => string | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const broken = failure?.();
    if (broken) throw new Error(`while waiting for ${what}: ${broken}`);
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(ms / 1000)} s waiting for ${what}`);
    await sleep(250);
  }
}

/** A fresh Git repository (git CLI) with one empty environment on the shared S3 backend. */
function createRepo(dir: string, env: string, backend: string) {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).trim();
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  mkdirSync(dir, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Bench');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'commit.gpgsign', 'false');
  write(
    `environments/${env}/environment.yaml`,
    `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${env} }\nspec:\n  deployBranch: main\n  backend: ${backend}\n  aws: { region: us-east-1 }\n  parallelism: 32\n`,
  );
  write('README.md', 'environments\n');
  commit('an empty environment');
  return { write, commit };
}

const queueYaml = (name: string) =>
  `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec:\n  template: queue\n  params: { visibilityTimeoutSeconds: 30 }\n`;

/**
 * Starts one daemon process as a replica (the built CLI, as an operator runs it), in a
 * process group of its own, and waits until it listens. A replica that exits or does
 * not listen within a minute fails with its last log lines.
 */
async function startReplica(root: string, name: string, repoDir: string, endpoint: string, postgresUrl: string): Promise<Replica> {
  const configFile = join(root, `${name}.yaml`);
  writeFileSync(
    configFile,
    [
      'source:',
      `  repository: ${repoDir}`,
      '  pollIntervalSeconds: 1',
      `stateDir: ${join(root, `state-${name}`)}`,
      `awsEndpoint: ${endpoint}`,
      'http: { port: 0 }',
      'store:',
      '  postgres:',
      '    urlFromEnv: DRIFTLESS_BENCH_POSTGRES_URL',
      `    leaseSeconds: ${LEASE_SECONDS}`,
      `    workers: ${WORKERS}`,
      `    replicaId: ${name}`,
      `    budget: { perAccountRegion: ${BUDGET} }`,
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DRIFTLESS_BENCH_POSTGRES_URL: postgresUrl,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    // At info, in JSON: the lines this bench waits for are logged at info.
    DRIFTLESS_LOG_LEVEL: 'info',
    DRIFTLESS_LOG_FORMAT: 'json',
  };
  // These would override the config file: one shared state folder for all replicas, another endpoint.
  delete env.DRIFTLESS_STATE_DIR;
  delete env.DRIFTLESS_AWS_ENDPOINT;
  let logs = '';
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'driftless-cli.js'), 'daemon', '--config', configFile], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  const append = (c: Buffer) => {
    logs += c.toString();
    if (logs.length > LOG_LIMIT) logs = logs.slice(-LOG_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  const started = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  try {
    await started;
    const url = await until(
      `replica ${name} to listen`,
      async () => LISTEN.exec(logs)?.[1],
      60_000,
      () => exitReason(child),
    );
    return { name, child, logs: () => logs, url, exited };
  } catch (e) {
    killGroup(child, 'SIGKILL');
    throw new Error(`replica ${name} did not start: ${message(e)}\n--- last lines of ${name}'s log ---\n${tail(logs)}`);
  }
}

function exitReason(child: ChildProcess): string | undefined {
  if (child.exitCode !== null) return `it exited with code ${child.exitCode}`;
  if (child.signalCode !== null) return `it was killed by ${child.signalCode}`;
  return undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Stops a replica as an operator would (SIGTERM, graceful); one that lingers past 30 s is killed with its group. */
async function stopReplica(r: Replica): Promise<void> {
  if (exitReason(r.child) === undefined) r.child.kill('SIGTERM');
  const gone = await Promise.race([r.exited.then(() => true), sleep(30_000).then(() => false)]);
  // Its Pulumi processes too: SIGTERM reached the daemon only.
  killGroup(r.child, 'SIGKILL');
  if (!gone) await r.exited;
}

/** Every run of the environment, newest first, as the shared store holds it (any replica's API shows them all). */
async function runsOf(r: Replica, env: string): Promise<RunRecord[]> {
  const res = await fetch(`${r.url}/api/runs?environment=${env}&limit=500`);
  if (!res.ok) throw new Error(`GET ${r.url}/api/runs answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as RunRecord[];
}

async function readyz(r: Replica): Promise<number> {
  const res = await fetch(`${r.url}/readyz`).catch(() => undefined);
  await res?.body?.cancel();
  return res?.status ?? 0;
}

/** What one measured run needs besides the replica count. */
interface RunContext {
  endpoint: string;
  bucket: string;
  stacks: number;
  sqs: SQSClient;
  s3: S3Client;
  suffix: string;
}

/**
 * One measured run on a fresh PostgreSQL and a fresh repository: start `count` replicas,
 * wait until all are ready and one leads with its first sync done, commit the stacks in one
 * commit, and time until the shared history holds a succeeded `up` of each. Cleans up
 * (replicas, PostgreSQL, queues, state objects) whatever happens.
 */
async function measure(ctx: RunContext, count: number, index: number): Promise<{ ms: number; replicas: string[] }> {
  const root = mkdtempSync(join(tmpdir(), `driftless-bench-replicas-${count}-`));
  roots.add(root);
  // Its own environment name: the queues of one run are never mistaken for another's.
  const env = `brp${ctx.suffix}r${count}i${index}`;
  const backend = `s3://${ctx.bucket}?region=us-east-1&endpoint=${ctx.endpoint}&s3ForcePathStyle=true`;
  const replicas: Replica[] = [];
  let postgres: TestPostgres | undefined;
  let failed = false;
  try {
    postgres = await startTestPostgres('driftless');
    const repo = createRepo(join(root, 'repo'), env, backend);
    for (let i = 1; i <= count; i++) replicas.push(await startReplica(root, `r${i}`, join(root, 'repo'), ctx.endpoint, postgres.url));
    const dead = () => {
      for (const r of replicas) {
        const why = exitReason(r.child);
        if (why) return `replica ${r.name} stopped (${why})\n--- last lines of ${r.name}'s log ---\n${tail(r.logs())}`;
      }
      return undefined;
    };
    // Followers are ready once they take work; the leader only after its first sync, so a
    // commit made now is seen by a poll, not folded into the start-up sync. The leader's
    // log line first: a /readyz 200 asked before it was elected would say nothing of that sync.
    await until(
      `${count} replica(s) ready with a leader that has synced`,
      async () => {
        if (!replicas.some((r) => LEADS.test(r.logs()))) return undefined;
        const statuses = await Promise.all(replicas.map(readyz));
        return statuses.every((s) => s === 200) ? true : undefined;
      },
      120_000,
      dead,
    ).catch((e: unknown) => {
      throw new Error(`${message(e)}\n${replicas.map((r) => `--- last lines of ${r.name}'s log ---\n${tail(r.logs(), 15)}`).join('\n')}`);
    });
    const names = Array.from({ length: ctx.stacks }, (_, i) => `q${String(i).padStart(2, '0')}`);
    for (const n of names) repo.write(`environments/${env}/${n}.yaml`, queueYaml(n));
    const t0 = Date.now();
    const revision = repo.commit(`${ctx.stacks} queues`);
    const [first] = replicas as [Replica];
    const done = await until(
      `all ${ctx.stacks} stacks applied by ${count} replica(s)`,
      async () => {
        const ups = (await runsOf(first, env)).filter(
          (r) => r.revision === revision && r.operation === 'up' && r.result === 'succeeded' && r.stack !== '*',
        );
        return new Set(ups.map((r) => r.stack)).size === ctx.stacks ? ups : undefined;
      },
      15 * 60_000,
      dead,
    );
    // The last `up` recorded: when the commit was fully applied (same machine, same clock).
    const end = Math.max(...done.map((r) => Date.parse(r.finishedAt)));
    return { ms: end - t0, replicas: [...new Set(done.map((r) => String(r.replica)))].sort() };
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    if (failed) for (const r of replicas) killGroup(r.child, 'SIGKILL');
    await Promise.all(replicas.map(stopReplica));
    await postgres?.dispose();
    await cleanAws(ctx, env);
    rmSync(root, { recursive: true, force: true });
    roots.delete(root);
  }
}

/** Deletes the run's queues (their names start with the environment's) and every object in the state bucket. */
async function cleanAws(ctx: RunContext, env: string): Promise<void> {
  const urls = (await ctx.sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${env}-`, MaxResults: 1000 }))).QueueUrls ?? [];
  for (const QueueUrl of urls) await ctx.sqs.send(new DeleteQueueCommand({ QueueUrl }));
  await emptyBucket(ctx.s3, ctx.bucket);
}

async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => k !== undefined);
    // One by one, a few at a time: DeleteObjects' checksum headers are not worth the trouble for ~100 objects.
    for (let i = 0; i < keys.length; i += 16)
      await Promise.all(keys.slice(i, i + 16).map((Key) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }))));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * Replicas: wall time to apply `stacks` new independent queue stacks (one commit) with ONE
 * daemon replica and with THREE on one PostgreSQL, Pulumi state on LocalStack S3. Runs are
 * A/B pairs, the order flipped every other pair so neither side always runs on a warmer
 * (or more loaded) machine; each run has its own PostgreSQL, repository and environment.
 * Fails if a 3-replica run was not shared by at least two replicas: then it measured one.
 */
export async function benchReplicas(endpoint: string, stacks: number, iterations: number): Promise<ReplicasResult> {
  const aws = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true };
  const suffix = Date.now().toString(36);
  const ctx: RunContext = {
    endpoint,
    bucket: `driftless-bench-replicas-${suffix}`,
    stacks,
    sqs: new SQSClient(aws),
    s3: new S3Client(aws),
    suffix,
  };
  await ctx.s3.send(new CreateBucketCommand({ Bucket: ctx.bucket }));
  const one: number[] = [];
  const three: number[] = [];
  const sharedBy: string[][] = [];
  try {
    for (let i = 0; i < iterations; i++) {
      const order = i % 2 === 0 ? [1, 3] : [3, 1];
      for (const count of order) {
        const r = await measure(ctx, count, i);
        if (count === 1) one.push(r.ms);
        else {
          if (r.replicas.length < 2)
            throw new Error(
              `the 3-replica run ${i + 1} was not shared: its history names only ${r.replicas.join(', ') || 'no replica'}` +
                ` (with ${stacks} stacks one replica's ${WORKERS} workers may take them all: use more)`,
            );
          three.push(r.ms);
          sharedBy.push(r.replicas);
        }
      }
    }
  } finally {
    await emptyBucket(ctx.s3, ctx.bucket).catch(() => undefined);
    await ctx.s3.send(new DeleteBucketCommand({ Bucket: ctx.bucket })).catch(() => undefined);
    ctx.sqs.destroy();
    ctx.s3.destroy();
  }
  return {
    stacks,
    workers: WORKERS,
    budget: BUDGET,
    one,
    three,
    ratios: one.map((o, i) => o / (three[i] as number)),
    sharedBy,
    cores: availableParallelism(),
  };
}

/**
 * Runs {@link benchReplicas} and prints its figures: BENCH_REPLICA_STACKS stacks (default 30),
 * at most 3 pairs (one pair takes a minute or two), rows formatted by `row`.
 */
export async function printReplicas(
  endpoint: string,
  iterations: number,
  row: (label: string, xs: number[], unit: string, digits?: number) => string,
): Promise<void> {
  const stacks = Number(process.env.BENCH_REPLICA_STACKS ?? 30);
  const r = await benchReplicas(endpoint, stacks, Math.min(iterations, 3));
  const s = (xs: number[]) => xs.map((ms) => ms / 1000);
  console.log(
    `(f) apply ${r.stacks} new independent queue stacks (one commit), replicas on one PostgreSQL, state on LocalStack S3 ${endpoint}, A/B alternated`,
  );
  console.log(`    workers ${r.workers} per replica, budget ${r.budget} per account/region, cores: ${r.cores}`);
  console.log(row('    1 replica  (commit → last up succeeded)', s(r.one), 's', 1));
  console.log(row('    3 replicas (commit → last up succeeded)', s(r.three), 's', 1));
  console.log(row('    ratio one / three (pair by pair)', r.ratios, 'x', 2));
  const all = [...new Set(r.sharedBy.flat())].sort();
  console.log(`    replicas in the 3-replica runs' history: ${all.join(', ')} (per run: ${r.sharedBy.map((x) => x.join('+')).join(', ')})`);
}
