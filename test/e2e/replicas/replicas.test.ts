import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DeleteQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { githubSignature } from '../../../engine/http/webhook-auth.js';
import type { RunRecord } from '../../../engine/model/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { runCliInProcess } from '../../support/cli-in-process.js';
import { startDaemonProcess } from '../../support/daemon-process.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-postgres.js';
import { tempDir } from '../../support/temp.js';
import { queueYaml, TestRepo, waitFor } from '../daemon/git-repo.js';

/** The lease configured for the replicas: a dead replica's jobs must run elsewhere within it. */
const LEASE_SECONDS = 20;
const SECRET = 'replicas-webhook-secret';

interface Replica {
  name: string;
  child: ChildProcess;
  logs: () => string;
  url: string;
}

/**
 * Three daemon processes on one PostgreSQL (embedded-postgres) with their Pulumi state on
 * LocalStack S3, watching one repository: each stack applied exactly once, a replica
 * killed with kill -9 mid-up taken over within the lease, one webhook delivered to two
 * replicas synced once, and a PostgreSQL outage ridden out with no job lost.
 */
describe('replicas on one PostgreSQL', () => {
  const root = tempDir('replicas');
  const env = uniqueName('rp').replace(/-/g, '');
  const bucket = uniqueName('rp-state');
  const repo = new TestRepo(join(root, 'repo'));
  const sqs = new SQSClient(awsTestConfig());
  const s3 = new S3Client(awsTestConfig());
  const replicas: Replica[] = [];
  let postgres: TestPostgres;
  let db: pg.Pool;

  const stackNames = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
  const addStacks = (names: string[]) => {
    for (const n of names) repo.write(`environments/${env}/${n}.yaml`, queueYaml(n, '{ visibilityTimeoutSeconds: 30 }'));
  };
  const queueCount = async (): Promise<number> => {
    const urls = (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${env}-`, MaxResults: 1000 }))).QueueUrls ?? [];
    return urls.length;
  };
  /** Every run of the environment, newest first, as any replica's API shows it (they share one store). */
  const runs = async (via: Replica): Promise<RunRecord[]> => {
    const res = await fetch(`${via.url}/api/runs?environment=${env}&limit=500`);
    return (await res.json()) as RunRecord[];
  };
  const applied = (all: RunRecord[], revision: string) =>
    all.filter((r) => r.revision === revision && r.operation === 'up' && r.result === 'succeeded' && r.stack !== '*');
  const alive = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  const readyz = async (r: Replica) => {
    const res = await fetch(`${r.url}/readyz`).catch(() => undefined);
    return { status: res?.status ?? 0, body: res ? ((await res.json()) as { status: string; reason?: string }) : undefined };
  };

  const start = async (name: string) => {
    const stateDir = join(root, `state-${name}`);
    const configFile = join(root, `${name}.yaml`);
    writeFileSync(
      configFile,
      [
        'source:',
        `  repository: ${repo.dir}`,
        '  pollIntervalSeconds: 1',
        `stateDir: ${stateDir}`,
        `awsEndpoint: ${inject('awsEndpoint')}`,
        'http: { port: 0 }',
        'store:',
        '  postgres:',
        '    urlFromEnv: DRIFTLESS_TEST_POSTGRES_URL',
        `    leaseSeconds: ${LEASE_SECONDS}`,
        '    workers: 2',
        `    replicaId: ${name}`,
        '    budget: { perAccountRegion: 5 }',
        '',
      ].join('\n'),
    );
    const p = startDaemonProcess(root, configFile, {
      detached: true,
      env: {
        DRIFTLESS_TEST_POSTGRES_URL: postgres.url,
        DRIFTLESS_GITHUB_WEBHOOK_SECRET: SECRET,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
      },
    });
    const url = await waitFor(
      `${name} to listen`,
      () => /driftless daemon listening on (http:\/\/[^ ",]+)/.exec(p.logs())?.[1],
      60_000,
    ).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n${p.logs().slice(-3000)}`);
    });
    const r: Replica = { name, child: p.child, logs: p.logs, url };
    replicas.push(r);
    return r;
  };

  beforeAll(async () => {
    postgres = await startTestPostgres();
    db = new pg.Pool({ connectionString: postgres.url, max: 2 });
    db.on('error', () => undefined);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const backend = `s3://${bucket}?region=us-east-1&endpoint=${inject('awsEndpoint')}&s3ForcePathStyle=true`;
    repo.write(
      `environments/${env}/environment.yaml`,
      `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${env} }\nspec:\n  deployBranch: main\n  backend: ${backend}\n  aws: { region: us-east-1 }\n  parallelism: 32\n`,
    );
    repo.write('README.md', 'environments\n');
    repo.commit('an empty environment');
    for (const name of ['r1', 'r2', 'r3']) await start(name);
  }, 180_000);

  afterAll(async () => {
    for (const r of replicas)
      if (r.child.exitCode === null && r.child.signalCode === null && r.child.pid) process.kill(-r.child.pid, 'SIGKILL');
    await db?.end();
    await postgres?.dispose();
    for (const url of (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${env}-`, MaxResults: 1000 }))).QueueUrls ?? [])
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });

  it('applies 30 new independent stacks exactly once, shared among the replicas', async () => {
    const names = stackNames('a', 30);
    addStacks(names);
    const revision = repo.commit('30 queues');
    const [first] = replicas as [Replica];
    const done = await waitFor(
      'all 30 stacks applied',
      async () => {
        const a = applied(await runs(first), revision);
        return new Set(a.map((r) => r.stack)).size === 30 ? a : undefined;
      },
      240_000,
    );
    // Exactly once, three ways: one succeeded up per stack in the shared history ...
    expect(done.length).toBe(30);
    expect(new Set(done.map((r) => r.stack))).toEqual(new Set(names));
    // every one created its resources (the same count for each: the stacks are alike)
    expect(new Set(done.map((r) => JSON.stringify(r.changes))).size).toBe(1);
    expect(done[0]?.changes.create).toBeGreaterThanOrEqual(1);
    // ... one Pulumi update in each stack's history on the S3 backend ...
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: '.pulumi/history/', MaxKeys: 1000 }));
    const updates = new Map<string, number>();
    for (const o of listed.Contents ?? []) {
      const m = /\/([^/]+)\/[^/]+\.history\.json$/.exec(o.Key ?? '');
      if (m?.[1]) updates.set(m[1], (updates.get(m[1]) ?? 0) + 1);
    }
    expect(updates.size).toBe(30);
    expect([...updates.values()].every((n) => n === 1)).toBe(true);
    // ... and the resources themselves, counted with the AWS SDK.
    expect(await queueCount()).toBe(30);
    // The work was shared: the history names at least two replicas.
    const by = new Set(done.map((r) => r.replica));
    expect(by.size).toBeGreaterThanOrEqual(2);
    expect([...by].every((name) => ['r1', 'r2', 'r3'].includes(String(name)))).toBe(true);
    // Budget of 5 per account and region: never more than 5 of these ups overlapped, across all replicas.
    const events = done.flatMap((r) => [
      { t: Date.parse(r.startedAt), d: 1 },
      { t: Date.parse(r.finishedAt), d: -1 },
    ]);
    events.sort((a, b) => a.t - b.t || a.d - b.d);
    let running = 0;
    let peak = 0;
    for (const e of events) {
      running += e.d;
      peak = Math.max(peak, running);
    }
    expect(peak).toBeLessThanOrEqual(5);
    // The CLI reads the same shared store through a replica's configuration.
    process.env.DRIFTLESS_TEST_POSTGRES_URL = postgres.url;
    const history = await runCliInProcess(['history', '--config', join(root, 'r1.yaml'), '--env', env, '--revision', revision, '--json']);
    expect(history.code, history.stderr).toBe(0);
    expect((JSON.parse(history.stdout) as RunRecord[]).filter((r) => r.result === 'succeeded').length).toBe(30);
    const status = await waitFor('the environment status', async () => {
      const r = await runCliInProcess(['status', '--config', join(root, 'r1.yaml'), '--env', env, '--json']);
      const st = r.code === 0 ? (JSON.parse(r.stdout) as { lastAppliedRevision?: string }) : undefined;
      return st?.lastAppliedRevision === revision ? st : undefined;
    });
    expect(status.lastAppliedRevision).toBe(revision);
  }, 300_000);

  it('takes over the leased jobs of a replica killed with kill -9 mid-up within the lease, with no duplicates', async () => {
    const names = stackNames('b', 20);
    addStacks(names);
    const revision = repo.commit('20 more queues');
    // The victim: a replica holding stack locks right now, i.e. in the middle of its ups.
    const victim = await waitFor(
      'a replica in the middle of its ups',
      async () => {
        const { rows } = await db.query<{ holder: string; stack: string }>(
          'SELECT holder, stack FROM driftless.stack_locks WHERE environment = $1',
          [env],
        );
        const holder = rows.find((r) => names.includes(r.stack))?.holder;
        return holder ? { name: holder, stacks: rows.filter((r) => r.holder === holder).map((r) => r.stack) } : undefined;
      },
      120_000,
    );
    const replica = replicas.find((r) => r.name === victim.name) as Replica;
    const killedAt = Date.now();
    process.kill(-(replica.child.pid as number), 'SIGKILL');
    await new Promise((r) => replica.child.once('exit', r));
    const [survivor] = alive() as [Replica];
    const done = await waitFor(
      'the 20 stacks applied after the kill',
      async () => {
        const a = applied(await runs(survivor), revision);
        return names.every((n) => a.some((r) => r.stack === n)) ? a : undefined;
      },
      240_000,
    );
    // Its jobs were taken over by the others, within the lease.
    for (const stack of victim.stacks) {
      const takeover = done.filter((r) => r.stack === stack && r.replica !== victim.name);
      expect(takeover.length, `${stack} taken over`).toBeGreaterThanOrEqual(1);
      expect(Date.parse(takeover[takeover.length - 1]?.startedAt as string) - killedAt).toBeLessThanOrEqual(LEASE_SECONDS * 1000);
    }
    expect(alive().length).toBe(2);
    // Converged with nothing done twice: exactly one succeeded up per stack (a job that ran again after
    // the kill decided under the lock and found the stack applied), and 50 queues in AWS.
    const perStack = new Map<string, number>();
    for (const r of done) perStack.set(r.stack, (perStack.get(r.stack) ?? 0) + 1);
    expect([...perStack.values()].every((n) => n === 1)).toBe(true);
    expect(perStack.size).toBe(20);
    expect(await queueCount()).toBe(50);
  }, 300_000);

  it('syncs once when the same webhook delivery reaches two replicas', async () => {
    const [a, b] = alive() as [Replica, Replica];
    const syncs = async () => {
      let total = 0;
      for (const r of alive()) {
        const text = await (await fetch(`${r.url}/metrics`)).text();
        total += Number(/driftless_sync_requests_total\{trigger="webhook"\} (\d+)/.exec(text)?.[1] ?? 0);
      }
      return total;
    };
    const before = await syncs();
    const body = JSON.stringify({ ref: 'refs/heads/main', after: repo.head() });
    const delivery = `delivery-${Date.now()}`;
    const deliver = (r: Replica) =>
      fetch(`${r.url}/api/webhooks/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': delivery,
          'x-hub-signature-256': githubSignature(SECRET, Buffer.from(body)),
        },
        body,
      });
    // At once to both, and once more after it was handled (a forge redelivering): one sync, by the delivery id alone.
    const [ra, rb] = await Promise.all([deliver(a), deliver(b)]);
    expect([ra.status, rb.status]).toEqual([202, 202]);
    await waitFor('the sync of the delivery', async () => (await syncs()) > before, 60_000);
    expect((await deliver(b)).status).toBe(202);
    // Give a second sync every chance to happen: it must not.
    await new Promise((r) => setTimeout(r, 5000));
    expect(await syncs()).toBe(before + 1);
    expect(a.logs() + b.logs()).toMatch(/sync request duplicate/);
    const { rows } = await db.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'driftless-sync' AND data->>'delivery' = $1", [
      delivery,
    ]);
    expect(rows[0]).toEqual({ n: 1 });
  }, 120_000);

  it('is unready and takes no work while PostgreSQL is down, and loses no job when it returns', async () => {
    const names = stackNames('c', 10);
    addStacks(names);
    const revision = repo.commit('10 more queues');
    // Stop PostgreSQL once the leader has queued stack jobs of this commit and some still wait.
    const queued = await waitFor(
      'stack jobs of the commit waiting',
      async () => {
        const { rows } = await db.query<{ id: string; state: string }>(
          "SELECT id::text, state::text FROM pgboss.job WHERE name = 'driftless-stack' AND data->>'revision' = $1",
          [revision],
        );
        return rows.some((r) => r.state === 'created') ? rows.map((r) => r.id) : undefined;
      },
      120_000,
    );
    await postgres.stop();
    const stoppedAt = Date.now();
    for (const r of alive())
      await waitFor(
        `${r.name} to report unready`,
        async () => {
          const z = await readyz(r);
          return z.status === 503 && /PostgreSQL unreachable/.test(z.body?.reason ?? '') ? z : undefined;
        },
        30_000,
      );
    // Down for a while: no replica may start a stack job meanwhile.
    await new Promise((r) => setTimeout(r, 8000));
    await postgres.start();
    const backAt = Date.now();
    const [survivor] = alive() as [Replica];
    const done = await waitFor(
      'the 10 stacks applied after the outage',
      async () => {
        const z = await readyz(survivor);
        if (z.status !== 200) return undefined;
        const a = applied(await runs(survivor), revision);
        return names.every((n) => a.some((r) => r.stack === n)) ? a : undefined;
      },
      240_000,
    );
    // Nothing started while the database was away (jobs already running when it went were let finish).
    const startedDuringOutage = done.filter((r) => {
      const t = Date.parse(r.startedAt);
      return t > stoppedAt + 2000 && t < backAt;
    });
    expect(startedDuringOutage).toEqual([]);
    for (const r of alive()) expect((await readyz(r)).status).toBe(200);
    expect(await queueCount()).toBe(60);
    // No job lost: every stack job queued before the outage ran to completion after it.
    const { rows: after } = await db.query<{ id: string; state: string }>(
      'SELECT id::text, state::text FROM pgboss.job WHERE id = ANY($1::uuid[])',
      [queued],
    );
    expect(after.map((r) => r.state).sort()).toEqual(queued.map(() => 'completed'));
    // Through all of it, no replica logged the connection string's password.
    for (const r of replicas) expect(r.logs()).not.toContain(postgres.password);
  }, 300_000);
});
