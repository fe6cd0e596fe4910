import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { LeaderLease } from '../../../engine/cluster/leader-lease.js';
import type { HealthState, PostgresHealth } from '../../../engine/cluster/postgres-health.js';
import type { WorkQueue } from '../../../engine/cluster/work-queue.js';
import type { Daemon, SyncTrigger } from '../../../engine/daemon/daemon.js';
import type { DaemonMetrics } from '../../../engine/metrics/daemon-metrics.js';
import { type LeaderTerm, ReplicaRole, runnerStates } from '../../../engine/replicas/replica-role.js';
import type { StackWorker } from '../../../engine/replicas/stack-worker.js';

describe('runnerStates: which queue runners a replica runs', () => {
  it.each([
    { healthy: true, leading: true, stacks: true, sync: true },
    { healthy: true, leading: false, stacks: true, sync: false },
    { healthy: false, leading: true, stacks: false, sync: false },
    { healthy: false, leading: false, stacks: false, sync: false },
  ])('postgres healthy $healthy, leading $leading → stack jobs $stacks, sync requests $sync', ({ healthy, leading, stacks, sync }) => {
    expect(runnerStates(healthy, leading)).toEqual({ stacks, sync });
  });
});

/** The queue's pause state, as pauseX/resumeX leave it (the real queue's semantics). */
class FakeQueue {
  stacksPaused = false;
  syncPaused = false;
  async pauseStacks(): Promise<void> {
    this.stacksPaused = true;
  }
  resumeStacks(): void {
    this.stacksPaused = false;
  }
  async pauseSync(): Promise<void> {
    this.syncPaused = true;
  }
  resumeSync(): void {
    this.syncPaused = false;
  }
  workStacks(): void {}
  workSync(): void {}
  async stop(): Promise<void> {}
  activeJobs(): { sync: number; stacks: number } {
    return { sync: 0, stacks: 0 };
  }
  /** Which runners take work now. */
  running(): { stacks: boolean; sync: boolean } {
    return { stacks: !this.stacksPaused, sync: !this.syncPaused };
  }
}

/** A health check whose state the test sets. */
class FakeHealth {
  private state: HealthState = { healthy: true, reason: 'ok', failures: 0, since: new Date() };
  private readonly listeners: ((s: HealthState) => void)[] = [];
  subscribe(listener: (s: HealthState) => void): () => void {
    this.listeners.push(listener);
    return () => {};
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  healthy(): boolean {
    return this.state.healthy;
  }
  reason(): string {
    return this.state.reason;
  }
  set(healthy: boolean): void {
    this.state = { healthy, reason: healthy ? 'ok' : 'connect ECONNREFUSED 127.0.0.1:5432', failures: healthy ? 0 : 3, since: new Date() };
    for (const l of this.listeners) l(this.state);
  }
}

function replica(opts: { startTerm?: () => Promise<void> } = {}) {
  const queue = new FakeQueue();
  const terms = { started: 0, stopped: 0, released: 0 };
  const health = new FakeHealth();
  const hooks: { onElected?: () => Promise<void>; onDeposed?: () => Promise<void> } = {};
  const syncs: SyncTrigger[] = [];
  const newTerm = (): LeaderTerm => ({
    daemon: { requestSync: (t: SyncTrigger) => syncs.push(t), isReady: () => true } as unknown as Daemon,
    start: async () => {
      terms.started++;
      await opts.startTerm?.();
    },
    stop: async () => {
      terms.stopped++;
      return true;
    },
  });
  const role = new ReplicaRole({
    replica: 'replica-a',
    queue: queue as unknown as WorkQueue,
    lease: (h) => {
      Object.assign(hooks, h);
      const release = async () => {
        terms.released++;
      };
      return { start: async () => {}, release, isLeader: () => leads } as unknown as LeaderLease;
    },
    health: health as unknown as PostgresHealth,
    worker: { run: async () => ({}), close: () => {} } as unknown as StackWorker,
    workers: 2,
    budget: { default: 2, overrides: {} },
    pollIntervalMs: 3_600_000,
    newTerm,
    metrics: { syncRequests: { inc: () => {} } } as unknown as DaemonMetrics,
    log: pino({ level: 'silent' }),
  });
  let leads = false;
  const elected = () => {
    leads = true;
    return hooks.onElected?.() ?? Promise.reject(new Error('no lease hooks'));
  };
  const deposed = () => {
    leads = false;
    return hooks.onDeposed?.() ?? Promise.reject(new Error('no lease hooks'));
  };
  return { role, queue, health, elected, deposed, syncs, terms };
}

describe('ReplicaRole: its queue runners follow Postgres health and leadership', () => {
  it('runs stack jobs while Postgres answers, and sync requests only while it also leads', async () => {
    const { role, queue, health, elected, deposed, syncs } = replica();
    await role.start();
    expect(queue.running()).toEqual({ stacks: true, sync: false });
    expect(role.isReady()).toBe(true);

    health.set(false);
    await expect.poll(() => queue.running()).toEqual({ stacks: false, sync: false });
    expect(role.isReady()).toBe(false);
    expect(role.unreadyReason()).toContain('PostgreSQL unreachable: connect ECONNREFUSED');

    health.set(true);
    await expect.poll(() => queue.running()).toEqual({ stacks: true, sync: false });

    await elected();
    expect(role.isLeader()).toBe(true);
    expect(queue.running()).toEqual({ stacks: true, sync: true });
    expect(syncs).toEqual(['startup']);

    health.set(false);
    await expect.poll(() => queue.running()).toEqual({ stacks: false, sync: false });
    health.set(true);
    await expect.poll(() => queue.running()).toEqual({ stacks: true, sync: true });

    await deposed();
    expect(role.isLeader()).toBe(false);
    expect(queue.running()).toEqual({ stacks: true, sync: false });
    // Nothing left running: a clean stop.
    expect(await role.stop({ finishWithinMs: 0, deadlineMs: 1000 })).toBe(true);
  });

  it('starts one term when elected twice in a row, and none of a term it was deposed from while starting', async () => {
    let finishStart = () => {};
    const { role, elected, deposed, syncs, terms } = replica({
      startTerm: () => new Promise<void>((r) => (finishStart = r)),
    });
    await role.start();
    const first = elected();
    const second = elected();
    await expect.poll(() => terms.started).toBe(1);
    // Deposed while the term starts: the step-down is immediate, not queued behind the start.
    const out = deposed();
    expect(role.isLeader()).toBe(false);
    finishStart();
    await Promise.all([first, second, out]);
    expect(terms.started).toBe(1);
    expect(terms.stopped).toBe(1);
    expect(syncs).toEqual([]);
    await role.stop({ finishWithinMs: 0, deadlineMs: 1000 });
  });

  it('gives the lease up when its term cannot start, instead of leading without deciding', async () => {
    const { role, queue, elected, syncs, terms } = replica({
      startTerm: async () => {
        throw new Error('the environment statuses could not be read');
      },
    });
    await role.start();
    await elected();
    expect(role.isLeader()).toBe(false);
    expect(terms.released).toBe(1);
    expect(syncs).toEqual([]);
    expect(queue.running()).toEqual({ stacks: true, sync: false });
    await role.stop({ finishWithinMs: 0, deadlineMs: 1000 });
  });
});
