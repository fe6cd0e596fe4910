import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { BackendTarget } from '../../run/stack-runner.js';

/**
 * A stack's last state read straight from its Pulumi DIY backend (file or S3), without a
 * Pulumi process: the checkpoint `<backend>/.pulumi/stacks/<project>/<stack>.json`
 * (`.json.gz` when the backend gzips; `.pulumi/stacks/<stack>.json` in the legacy layout).
 */

/** One resource of a checkpoint, as far as the pre-screen needs it. */
export interface StateResource {
  urn: string;
  type: string;
  custom: boolean;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  /** Marked for deletion by an interrupted replacement. */
  delete?: boolean;
  pendingReplacement?: boolean;
  /** A resource read with `get`, not managed by the stack. */
  external?: boolean;
}

/** A checkpoint that could be read and understood. */
export interface StackState {
  resources: StateResource[];
  /** sha256 of the checkpoint's bytes: whether the state changed since it was read. */
  fingerprint: string;
  /** Where it was read, for messages. */
  location: string;
}

/** Reading a stack's state: the state, or why it could not be read. */
export type StackStateRead = { ok: true; state: StackState } | { ok: false; reason: string };

/** Reads an S3 object's bytes, or undefined when there is none. */
export type S3ObjectReader = (location: S3Location, key: string, envVars: Record<string, string>) => Promise<Uint8Array | undefined>;

/** An S3 backend URL taken apart (`s3://bucket/prefix?region=…&endpoint=…`). */
export interface S3Location {
  bucket: string;
  /** Key prefix, '' or ending with '/'. */
  prefix: string;
  region?: string;
  endpoint?: string;
}

/** Parses an S3 backend URL. */
export function s3Location(url: URL): S3Location {
  const prefix = url.pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  const region = url.searchParams.get('region') ?? undefined;
  return {
    bucket: url.hostname,
    prefix: prefix ? `${prefix}/` : '',
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint: endpoint.includes('://') ? endpoint : `http://${endpoint}` } : {}),
  };
}

/** Keys (relative to the backend root) where a stack's checkpoint may be, in order. */
function checkpointKeys(project: string, stack: string): string[] {
  return [
    `.pulumi/stacks/${project}/${stack}.json`,
    `.pulumi/stacks/${project}/${stack}.json.gz`,
    `.pulumi/stacks/${stack}.json`,
    `.pulumi/stacks/${stack}.json.gz`,
  ];
}

async function readLocal(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses checkpoint bytes into the resources the pre-screen compares. */
export function parseCheckpoint(bytes: Uint8Array, gzipped: boolean, location: string): StackStateRead {
  let text: string;
  let doc: unknown;
  try {
    text = Buffer.from(gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `the state at ${location} is not readable JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!isRecord(doc) || doc.version !== 3 || !isRecord(doc.checkpoint)) {
    return { ok: false, reason: `the state at ${location} is not a version 3 checkpoint` };
  }
  const latest = doc.checkpoint.latest;
  if (latest === undefined || latest === null) return { ok: true, state: { resources: [], fingerprint: fingerprintOf(bytes), location } };
  if (!isRecord(latest) || !(latest.resources === undefined || Array.isArray(latest.resources))) {
    return { ok: false, reason: `the state at ${location} has no resource list` };
  }
  const pending = latest.pending_operations;
  if (Array.isArray(pending) && pending.length > 0) {
    return { ok: false, reason: `the state has ${pending.length} pending operation(s) from an interrupted update` };
  }
  const resources: StateResource[] = [];
  for (const r of (latest.resources ?? []) as unknown[]) {
    if (!isRecord(r) || typeof r.urn !== 'string' || typeof r.type !== 'string') {
      return { ok: false, reason: `the state at ${location} holds a resource without urn or type` };
    }
    resources.push({
      urn: r.urn,
      type: r.type,
      custom: r.custom === true,
      ...(typeof r.id === 'string' ? { id: r.id } : {}),
      ...(isRecord(r.inputs) ? { inputs: r.inputs } : {}),
      ...(isRecord(r.outputs) ? { outputs: r.outputs } : {}),
      ...(r.delete === true ? { delete: true } : {}),
      ...(r.pendingReplacement === true ? { pendingReplacement: true } : {}),
      ...(r.external === true ? { external: true } : {}),
    });
  }
  return { ok: true, state: { resources, fingerprint: fingerprintOf(bytes), location } };
}

function fingerprintOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads a stack's last state from a file or S3 backend. Never throws: a missing,
 * unparsable or unsupported state is a reason, and the caller falls back to a refresh.
 */
export async function readStackState(
  backend: BackendTarget,
  project: string,
  stack: string,
  envVars: Record<string, string>,
  readS3: S3ObjectReader,
): Promise<StackStateRead> {
  let url: URL;
  try {
    url = new URL(backend.url);
  } catch {
    return { ok: false, reason: `backend ${backend.url} is not a URL` };
  }
  try {
    if (url.protocol === 'file:') {
      const root = fileURLToPath(url);
      for (const key of checkpointKeys(project, stack)) {
        const bytes = await readLocal(join(root, key));
        if (bytes) return parseCheckpoint(bytes, key.endsWith('.gz'), join(root, key));
      }
      return { ok: false, reason: `no state of ${stack} under ${root}/.pulumi/stacks` };
    }
    if (url.protocol === 's3:') {
      const loc = s3Location(url);
      for (const key of checkpointKeys(project, stack)) {
        const bytes = await readS3(loc, loc.prefix + key, envVars);
        if (bytes) return parseCheckpoint(bytes, key.endsWith('.gz'), `s3://${loc.bucket}/${loc.prefix}${key}`);
      }
      return { ok: false, reason: `no state of ${stack} in s3://${loc.bucket}/${loc.prefix}.pulumi/stacks` };
    }
    return { ok: false, reason: `backend ${url.protocol}// is not read directly` };
  } catch (err) {
    return { ok: false, reason: `the state of ${stack} could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
}
