import type { S3Client } from '@aws-sdk/client-s3';
import {
  type AwsClientSettings,
  awsClientSettings,
  compareWithLive,
  inAwsScope,
  inProcessReaderTypes,
  type LiveComparison,
  type RecordedResource,
} from '../../../provider/src/in-process.js';
import { resolve } from 'node:path';
import { PROVIDER_NAME } from '../../../provider/src/package-name.js';
import { PULUMI_PROJECT, pulumiStackName } from '../../pulumi/pulumi-stack-runner.js';
import { providerPluginDir } from '../../toolchain/paths.js';
import type { StackTarget } from '../../run/stack-runner.js';
import { readStackState, type S3Location, type S3ObjectReader, type StackState } from './stack-state.js';
import type { PrescreenStats, PrescreenSweep, PrescreenVerdict, ResourceScreen, StackPrescreen } from './types.js';

/** Collaborators of the pre-screen; every one has a default, tests replace them. */
export interface PrescreenOptions {
  /** Live reads in flight at once, over all stacks of a sweep. */
  concurrency?: number;
  /** Compares one recorded resource with the cloud (default: driftless-aws's own readers, in-process). */
  compare?: (r: RecordedResource) => Promise<LiveComparison>;
  /** Whether a type has an in-process reader. */
  hasReader?: (type: string) => boolean;
  /** Reads an object of an S3 backend. */
  readS3?: S3ObjectReader;
  /** Read every resource even after one of its stack differs (the mutation corpus wants per-resource verdicts). */
  readAll?: boolean;
  /** Pulumi project and stack name of a target (default: the runner's naming). */
  stackName?: (t: StackTarget) => { project: string; stack: string };
}

/** Resources the engine itself manages: no live counterpart to compare. */
function isEngineResource(type: string): boolean {
  return type === 'pulumi:pulumi:Stack' || type.startsWith('pulumi:providers:');
}

function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf('::') + 2);
}

/** A counting semaphore: at most `n` tasks run at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** The client settings the driftless-aws plugin of this target would use (its env: the engine's plus the target's). */
export function settingsFor(envVars: Record<string, string>): AwsClientSettings {
  const settings = awsClientSettings({ ...process.env, ...envVars });
  const id = envVars.AWS_ACCESS_KEY_ID;
  const secret = envVars.AWS_SECRET_ACCESS_KEY;
  if (!id || !secret) return settings;
  return {
    ...settings,
    credentials: {
      accessKeyId: id,
      secretAccessKey: secret,
      ...(envVars.AWS_SESSION_TOKEN ? { sessionToken: envVars.AWS_SESSION_TOKEN } : {}),
    },
  };
}

function summary(r: ResourceScreen): string {
  const what = `${r.type} ${r.name}`;
  switch (r.result) {
    case 'differs':
      return `${what} differs (${r.detail})`;
    case 'deleted':
      return `${what} is gone`;
    case 'no-reader':
      return `no in-process reader for ${r.type}`;
    default:
      return `${what} could not be compared: ${r.detail}`;
  }
}

/** One stack during a sweep. */
interface Screening {
  target: StackTarget;
  state?: StackState;
  /** Why the stack needs a refresh before any read (state unreadable, a type without reader…). */
  reason?: string;
  resources: ResourceScreen[];
  /** Set as soon as one resource differs or cannot be compared: later reads are skipped. */
  flagged: boolean;
}

/**
 * The drift pre-screen: reads every stack's last state straight from its backend, reads
 * each resource of a driftless-aws type live with the provider's own handler (in this
 * process, `concurrency` reads at a time, the provider's throttling retries included) and
 * compares with the provider's diff. Stacks where everything matched need no
 * previewRefresh; any stack with a difference, something unreadable or a type without an
 * in-process reader gets one (the caller runs it). Never throws for one stack's sake.
 */
export class DriftPrescreen implements StackPrescreen {
  private readonly concurrency: number;
  private readonly compare: (r: RecordedResource) => Promise<LiveComparison>;
  private readonly hasReader: (type: string) => boolean;
  private readonly readS3: S3ObjectReader;
  private readonly stackName: (t: StackTarget) => { project: string; stack: string };
  private readonly readAll: boolean;
  private readonly s3Clients = new Map<string, Promise<S3Client>>();
  private stateRequests = 0;

  constructor(opts: PrescreenOptions = {}) {
    this.concurrency = opts.concurrency ?? 16;
    this.readAll = opts.readAll ?? false;
    this.compare = opts.compare ?? compareWithLive;
    this.hasReader = opts.hasReader ?? ((t) => inProcessReaderTypes.has(t));
    this.readS3 = opts.readS3 ?? ((loc, key, env) => this.s3Object(loc, key, env));
    this.stackName = opts.stackName ?? ((t) => ({ project: PULUMI_PROJECT, stack: pulumiStackName(t.environment, t.stack) }));
  }

  async screen(targets: readonly StackTarget[], opts: { signal?: AbortSignal } = {}): Promise<PrescreenSweep> {
    const started = performance.now();
    const stateRequestsBefore = this.stateRequests;
    let awsRequests = 0;
    let resourcesRead = 0;
    const run = limiter(this.concurrency);
    const screenings = await Promise.all(
      targets.map(async (target): Promise<Screening> => {
        const s: Screening = { target, resources: [], flagged: false };
        const foreign = target.plugins?.plugins.find((p) => p.name === PROVIDER_NAME && resolve(p.path) !== resolve(providerPluginDir));
        if (foreign)
          return {
            ...s,
            reason: `the stacks run the ${PROVIDER_NAME} plugin at ${foreign.path}, not this engine's readers`,
            flagged: true,
          };
        const { project, stack } = this.stackName(target);
        const read = await run(() => readStackState(target.backend, project, stack, target.envVars, this.readS3));
        if (!read.ok) return { ...s, reason: `state not read directly: ${read.reason}`, flagged: true };
        s.state = read.state;
        this.classify(s);
        return s;
      }),
    );
    const reads: Promise<void>[] = [];
    for (const s of screenings) {
      if (s.flagged || !s.state) continue;
      const scope = { settings: settingsFor(s.target.envVars), onRequest: () => void awsRequests++ };
      for (const r of s.resources) {
        if (r.result !== 'not-read') continue;
        const recorded = s.state.resources.find((x) => x.urn === r.urn);
        if (!recorded) continue;
        reads.push(
          run(async () => {
            if ((s.flagged && !this.readAll) || opts.signal?.aborted) return;
            resourcesRead++;
            const c = await inAwsScope(scope, () =>
              this.compare({ type: recorded.type, id: recorded.id ?? '', inputs: recorded.inputs ?? {}, outputs: recorded.outputs ?? {} }),
            ).catch((err: unknown): LiveComparison => ({ kind: 'unreadable', reason: err instanceof Error ? err.message : String(err) }));
            if (c.kind === 'same') r.result = 'same';
            else {
              s.flagged = true;
              if (c.kind === 'differs') Object.assign(r, { result: 'differs', detail: c.properties.join(', ') });
              else if (c.kind === 'deleted') r.result = 'deleted';
              else Object.assign(r, { result: 'unreadable', detail: c.reason });
            }
          }),
        );
      }
    }
    await Promise.all(reads);

    const verdicts = new Map<string, PrescreenVerdict>();
    for (const s of screenings) verdicts.set(s.target.stack, this.verdict(s, opts.signal));
    const all = [...verdicts.values()];
    const stats: PrescreenStats = {
      stacks: targets.length,
      inSync: all.filter((v) => v.result === 'in-sync').length,
      toRefresh: all.filter((v) => v.result === 'refresh').length,
      resourcesRead,
      awsRequests,
      stateRequests: this.stateRequests - stateRequestsBefore,
      durationMs: Math.round(performance.now() - started),
    };
    return { verdicts, stats };
  }

  async stillCurrent(target: StackTarget, fingerprint: string): Promise<boolean> {
    const { project, stack } = this.stackName(target);
    const read = await readStackState(target.backend, project, stack, target.envVars, this.readS3);
    return read.ok && read.state.fingerprint === fingerprint;
  }

  /** Sorts a stack's resources into those to read live and those that force a refresh. */
  private classify(s: Screening): void {
    for (const r of s.state?.resources ?? []) {
      if (isEngineResource(r.type) || !r.custom) continue;
      const screen: ResourceScreen = { urn: r.urn, type: r.type, name: nameOf(r.urn), result: 'not-read' };
      s.resources.push(screen);
      if (!this.hasReader(r.type)) {
        Object.assign(screen, { result: 'no-reader' });
        s.flagged = true;
      } else if (r.delete || r.pendingReplacement) {
        Object.assign(screen, { result: 'unreadable', detail: 'the state holds an unfinished replacement' });
        s.flagged = true;
      } else if (r.external) {
        Object.assign(screen, { result: 'unreadable', detail: 'read-only resource (get), refreshed by Pulumi only' });
        s.flagged = true;
      }
    }
  }

  private verdict(s: Screening, signal: AbortSignal | undefined): PrescreenVerdict {
    if (s.reason) return { result: 'refresh', reason: s.reason, resources: s.resources };
    const problems = s.resources.filter((r) => r.result !== 'same' && r.result !== 'not-read');
    if (problems.length) {
      const shown = problems.slice(0, 3).map(summary);
      const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
      return { result: 'refresh', reason: shown.join('; ') + more, resources: s.resources };
    }
    if (s.resources.some((r) => r.result === 'not-read') || !s.state) {
      return {
        result: 'refresh',
        reason: signal?.aborted ? 'pre-screen cancelled' : 'not every resource was read',
        resources: s.resources,
      };
    }
    return { result: 'in-sync', fingerprint: s.state.fingerprint, resources: s.resources };
  }

  /** An object of an S3 backend, read with the backend's region/endpoint and the target's credentials. */
  private async s3Object(loc: S3Location, key: string, envVars: Record<string, string>): Promise<Uint8Array | undefined> {
    const settings = settingsFor(envVars);
    const region = loc.region ?? settings.region;
    const endpoint = loc.endpoint ?? settings.endpoint;
    const cacheKey = JSON.stringify([region, endpoint, settings.credentials]);
    let client = this.s3Clients.get(cacheKey);
    if (!client) {
      client = import('@aws-sdk/client-s3').then(
        (sdk) =>
          new sdk.S3Client({
            region,
            forcePathStyle: true,
            ...(endpoint ? { endpoint } : {}),
            ...(settings.credentials ? { credentials: settings.credentials } : {}),
          }),
      );
      this.s3Clients.set(cacheKey, client);
    }
    const c = await client;
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    this.stateRequests++;
    try {
      const got = await c.send(new GetObjectCommand({ Bucket: loc.bucket, Key: key }));
      return got.Body ? await got.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  }
}
