import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { pidExists } from '../util/process-identity.js';
import type { BackendTarget } from '../run/stack-runner.js';

/** A Pulumi DIY-backend lock file (`.pulumi/locks/organization/<project>/<stack>/<id>.json`). */
interface PulumiLock {
  pid: number;
  username: string;
  hostname: string;
  timestamp: string;
}

/** A lock that was removed because its holder is no longer running. */
export interface ClearedLock {
  path: string;
  pid: number;
  hostname: string;
  timestamp: string;
}

/** Directory (or key prefix) of a stack's locks inside a DIY backend. */
function lockPrefix(project: string, stack: string): string {
  return `.pulumi/locks/organization/${project}/${stack}/`;
}

/**
 * Whether the process named in a lock is provably gone: it ran on this host and no
 * process with that pid exists, or it ran on one of `deadHosts` — another host whose
 * driftless replica lost its stack lock by letting it expire (it stopped renewing it,
 * and a replica that cannot renew cancels its operations before the lock lapses). Any
 * other lock from another host is left in place.
 */
function holderIsDead(lock: PulumiLock, deadHosts: readonly string[]): boolean {
  if (lock.hostname === hostname()) return !pidExists(lock.pid);
  return deadHosts.includes(lock.hostname);
}

/** Parses an S3 backend URL (`s3://bucket/prefix?region=…&endpoint=…`). */
function s3Location(url: URL, envVars: Record<string, string>) {
  const endpoint = url.searchParams.get('endpoint') ?? envVars.AWS_ENDPOINT_URL;
  const region = url.searchParams.get('region') ?? envVars.AWS_REGION ?? 'us-east-1';
  // The CLI got its credentials through envVars; this process may have none of its own.
  const credentials =
    envVars.AWS_ACCESS_KEY_ID && envVars.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: envVars.AWS_ACCESS_KEY_ID, secretAccessKey: envVars.AWS_SECRET_ACCESS_KEY } }
      : {};
  const client = new S3Client({
    region,
    forcePathStyle: true,
    ...credentials,
    ...(endpoint ? { endpoint: endpoint.includes('://') ? endpoint : `http://${endpoint}` } : {}),
  });
  const prefix = url.pathname.replace(/^\/+/, '');
  return { client, bucket: url.hostname, prefix: prefix ? `${prefix.replace(/\/+$/, '')}/` : '' };
}

/**
 * Removes the Pulumi backend locks of one stack whose holder has died, and returns what
 * it removed. The caller must hold driftless's own stack lock (so no live driftless
 * process can be mid-operation on the stack); a lock held by a live process, or by a
 * process on another host, is always left in place.
 */
export async function clearDeadBackendLocks(
  backend: BackendTarget,
  project: string,
  stack: string,
  envVars: Record<string, string>,
  deadHosts: readonly string[] = [],
): Promise<ClearedLock[]> {
  const url = new URL(backend.url);
  const cleared: ClearedLock[] = [];
  if (url.protocol === 'file:') {
    const dir = join(fileURLToPath(url), lockPrefix(project, stack));
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    } catch {
      return cleared;
    }
    for (const f of files) {
      const path = join(dir, f);
      const lock = JSON.parse(readFileSync(path, 'utf8')) as PulumiLock;
      if (holderIsDead(lock, deadHosts)) {
        rmSync(path, { force: true });
        cleared.push({ path, pid: lock.pid, hostname: lock.hostname, timestamp: lock.timestamp });
      }
    }
    return cleared;
  }
  if (url.protocol === 's3:') {
    const { client, bucket, prefix } = s3Location(url, envVars);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix + lockPrefix(project, stack) }));
    for (const obj of listed.Contents ?? []) {
      if (!obj.Key?.endsWith('.json')) continue;
      const body = await client.send(new GetObjectCommand({ Bucket: bucket, Key: obj.Key }));
      const lock = JSON.parse((await body.Body?.transformToString()) ?? '{}') as PulumiLock;
      if (holderIsDead(lock, deadHosts)) {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: obj.Key }));
        cleared.push({ path: `s3://${bucket}/${obj.Key}`, pid: lock.pid, hostname: lock.hostname, timestamp: lock.timestamp });
      }
    }
  }
  return cleared;
}

/**
 * A DIY file backend keeps each object's metadata in a `<file>.attrs` sidecar (the Go CDK's
 * fileblob). A Pulumi process killed while saving a checkpoint can leave that sidecar empty,
 * and every later load of the checkpoint then fails with "failed to load checkpoint: EOF"
 * although the checkpoint itself is whole (it is written to a temporary file and renamed).
 * An empty sidecar holds nothing: removing it lets the checkpoint load (without metadata, as
 * the Go CDK reads a missing sidecar). Only for a stack whose previous holder is known dead;
 * returns the files removed. S3 keeps metadata with the object, so there is nothing to repair.
 */
export function repairInterruptedWrites(backend: BackendTarget, project: string, stack: string): string[] {
  const url = new URL(backend.url);
  if (url.protocol !== 'file:') return [];
  const dir = join(fileURLToPath(url), '.pulumi', 'stacks', project);
  const removed: string[] = [];
  for (const name of [`${stack}.json.attrs`, `${stack}.json.bak.attrs`]) {
    const path = join(dir, name);
    try {
      if (statSync(path).size === 0) {
        rmSync(path, { force: true });
        removed.push(path);
      }
    } catch {
      // No sidecar: nothing to repair.
    }
  }
  return removed;
}
