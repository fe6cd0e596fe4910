import { describe, expect, it } from 'vitest';
import { LaneScheduler, type Lane, type LaneEvent, type LaneJob } from '../../../engine/daemon/lanes.js';

/** A job that runs until released; records its signal. */
function gate(lane: Lane, key: string, environments: string[]) {
  let release: () => void = () => {};
  const done = new Promise<void>((r) => (release = r));
  const job = {
    lane,
    key,
    environments,
    signal: undefined as AbortSignal | undefined,
    dropped: false,
    run(signal: AbortSignal) {
      job.signal = signal;
      // A pre-empted job ends as soon as it sees the signal, like a cancelled Pulumi operation.
      return new Promise<void>((r) => {
        signal.addEventListener('abort', () => r());
        void done.then(r);
      });
    },
  };
  const entry: LaneJob = { ...job, run: (s) => job.run(s), dropped: () => (job.dropped = true) };
  return { job, entry, release };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('LaneScheduler', () => {
  it.each<
    [
      string,
      { limits: { sync: number; work: number; drift: number }; jobs: [Lane, string, string[]][]; running: string[]; waiting: string[] },
    ]
  >([
    [
      'deploys of different environments run together up to the bound',
      {
        limits: { sync: 1, work: 2, drift: 1 },
        jobs: [
          ['deploy', 'd1', ['a']],
          ['deploy', 'd2', ['b']],
          ['deploy', 'd3', ['c']],
        ],
        running: ['d1', 'd2'],
        waiting: ['d3'],
      },
    ],
    [
      'a deploy never waits for a slot behind a drift sweep',
      {
        limits: { sync: 1, work: 1, drift: 1 },
        jobs: [
          ['drift', 'x', ['big']],
          ['deploy', 'd', ['hot']],
        ],
        running: ['x', 'd'],
        waiting: [],
      },
    ],
    [
      'two jobs never share an environment',
      {
        limits: { sync: 1, work: 4, drift: 1 },
        jobs: [
          ['deploy', 'd', ['a']],
          ['preview', 'p', ['a', 'b']],
          ['preview', 'q', ['b']],
        ],
        running: ['d', 'q'],
        waiting: ['p'],
      },
    ],
    [
      'a drift check defers to a waiting or running deploy of its environment',
      {
        limits: { sync: 1, work: 4, drift: 4 },
        jobs: [
          ['deploy', 'd', ['a']],
          ['drift', 'x', ['a']],
          ['drift', 'y', ['b']],
        ],
        running: ['d', 'y'],
        waiting: ['x'],
      },
    ],
    [
      'syncs run one at a time, beside everything else',
      {
        limits: { sync: 1, work: 1, drift: 1 },
        jobs: [
          ['sync', 's', []],
          ['deploy', 'd', ['a']],
          ['sync', 't', []],
        ],
        running: ['s', 'd'],
        waiting: ['t'],
      },
    ],
    [
      'drift checks have their own bound',
      {
        limits: { sync: 1, work: 4, drift: 1 },
        jobs: [
          ['drift', 'x', ['a']],
          ['drift', 'y', ['b']],
        ],
        running: ['x'],
        waiting: ['y'],
      },
    ],
  ])('%s', async (_name, c) => {
    const lanes = new LaneScheduler(c.limits);
    for (const [lane, key, envs] of c.jobs) lanes.push(gate(lane, key, envs).entry);
    await tick();
    expect(lanes.snapshot()).toEqual({ running: c.running, waiting: c.waiting });
  });

  it('a deploy pre-empts the running drift check of its environment, then runs', async () => {
    const events: LaneEvent[] = [];
    const lanes = new LaneScheduler({ sync: 1, work: 2, drift: 2 }, { onEvent: (e) => events.push(e) });
    const drift = gate('drift', 'drift a', ['a']);
    const other = gate('drift', 'drift b', ['b']);
    lanes.push(drift.entry);
    lanes.push(other.entry);
    await tick();
    const deploy = gate('deploy', 'deploy a', ['a']);
    lanes.push(deploy.entry);
    expect(drift.job.signal?.aborted).toBe(true);
    expect(other.job.signal?.aborted).toBe(false);
    await tick();
    await tick();
    expect(lanes.snapshot()).toEqual({ running: ['drift b', 'deploy a'], waiting: [] });
    expect(events.filter((e) => e.kind === 'preempted').map((e) => e.job.key)).toEqual(['drift a']);
  });

  it('a newer job replaces a waiting one with the same key (the old one is told), and order within a lane is kept', async () => {
    const lanes = new LaneScheduler({ sync: 1, work: 1, drift: 1 });
    const first = gate('deploy', 'deploy a', ['a']);
    const waitingOld = gate('deploy', 'deploy b', ['b']);
    const waitingNew = gate('deploy', 'deploy b', ['b']);
    const c = gate('deploy', 'deploy c', ['c']);
    lanes.push(first.entry);
    lanes.push(waitingOld.entry);
    lanes.push(c.entry);
    lanes.push(waitingNew.entry);
    expect(waitingOld.job.dropped).toBe(true);
    expect(lanes.snapshot()).toEqual({ running: ['deploy a'], waiting: ['deploy b', 'deploy c'] });
    first.release();
    await tick();
    await tick();
    expect(lanes.snapshot().running).toEqual(['deploy b']);
    expect(waitingNew.job.signal).toBeDefined();
    expect(waitingOld.job.signal).toBeUndefined();
  });

  it('deploys start before previews, previews before drift, when slots free up', async () => {
    const lanes = new LaneScheduler({ sync: 1, work: 1, drift: 1 });
    const busy = gate('deploy', 'busy', ['z']);
    lanes.push(busy.entry);
    for (const [lane, key] of [
      ['drift', 'x'],
      ['preview', 'p'],
      ['deploy', 'd'],
    ] as [Lane, string][])
      lanes.push(gate(lane, key, [key]).entry);
    expect(lanes.snapshot()).toEqual({ running: ['busy', 'x'], waiting: ['p', 'd'] });
    busy.release();
    await tick();
    await tick();
    expect(lanes.snapshot().running).toEqual(['x', 'd']);
  });

  it('close drops what waits, idle resolves when the running job ends, shutdown aborts running jobs', async () => {
    const shutdown = new AbortController();
    const lanes = new LaneScheduler({ sync: 1, work: 1, drift: 1 }, { signal: shutdown.signal });
    const a = gate('deploy', 'a', ['a']);
    const b = gate('deploy', 'b', ['b']);
    lanes.push(a.entry);
    lanes.push(b.entry);
    lanes.close();
    expect(b.job.dropped).toBe(true);
    expect(lanes.push(gate('sync', 's', []).entry)).toBe(false);
    let idle = false;
    void lanes.idle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);
    shutdown.abort();
    expect(a.job.signal?.aborted).toBe(true);
    await tick();
    await tick();
    expect(idle).toBe(true);
  });
  it('workIdle waits while a deploy or preview of any environment waits or runs, not for drift', async () => {
    const lanes = new LaneScheduler({ sync: 1, work: 2, drift: 1 });
    const sweep = gate('drift', 'x', ['big']);
    lanes.push(sweep.entry);
    await tick();
    let idle = false;
    void lanes.workIdle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(true);
    const deploy = gate('deploy', 'd', ['hot']);
    lanes.push(deploy.entry);
    await tick();
    idle = false;
    const waited = lanes.workIdle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);
    deploy.release();
    await waited;
    expect(idle).toBe(true);
    expect(sweep.job.signal?.aborted).toBe(false);
    sweep.release();
    await lanes.idle();
  });
});
