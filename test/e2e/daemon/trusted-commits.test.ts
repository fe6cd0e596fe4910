import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDaemon } from '../../../engine/daemon/main.js';
import type { RunRecord } from '../../../engine/model/index.js';
import type { EnvironmentRecord } from '../../../engine/store/daemon-store.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { runCliInProcess } from '../../support/cli-in-process.js';
import { tempDir } from '../../support/temp.js';
import { webhookReceiver } from '../../support/webhook-receiver.js';
import { environmentYaml, queueYaml, TestRepo, waitFor } from './git-repo.js';
import { deleteQueueIfAny, queueVisibilityTimeout, startInProcessDaemon } from '../../support/in-process-daemon.js';

/** An ed25519 key pair without a passphrase; returns the private key's path and the public key's fingerprint. */
function sshKey(dir: string, name: string): { key: string; pub: string; fingerprint: string } {
  const key = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${key}.pub`], { encoding: 'utf8' }).split(' ')[1] ?? '';
  return { key, pub: execFileSync('cat', [`${key}.pub`], { encoding: 'utf8' }).trim(), fingerprint };
}

describe('trusted commits: only deploy commits signed by an operator-trusted key are applied', () => {
  const root = tempDir('trust');
  const env = uniqueName('tr').replace(/-/g, '');
  const repo = new TestRepo(join(root, 'repo'));
  const stateDir = join(root, 'state');
  const sqs = new SQSClient(awsTestConfig());
  const trusted = sshKey(root, 'ada');
  const stranger = sshKey(root, 'mallory');
  const allowedSigners = join(root, 'allowed_signers');
  const configFile = join(root, 'daemon.yaml');
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let daemon: RunningDaemon;
  const commits: Record<string, string> = {};

  const signedCommit = (key: string, message: string): string => {
    repo.git('add', '-A');
    repo.git('-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`, 'commit', '-q', '-S', '-m', message);
    return repo.head();
  };
  const api = async <T>(path: string): Promise<T> => (await (await fetch(daemon.url + path)).json()) as T;
  const runsAt = (revision: string) => api<RunRecord[]>(`/api/runs?revision=${revision}`);
  const environment = async () => (await api<EnvironmentRecord[]>('/api/environments')).find((e) => e.environment === env);
  const visibility = () => queueVisibilityTimeout(sqs, `${env}-jobs`);
  const verify = async (revision: string) => {
    const r = await runCliInProcess(['verify', '--revision', revision, '--repo', repo.dir, '--config', configFile, '--json']);
    return { code: r.code, ...(JSON.parse(r.stdout) as { accepted: boolean; verdict: { trusted: boolean; reason: string } }) };
  };

  beforeAll(async () => {
    hook = await webhookReceiver();
    writeFileSync(allowedSigners, `ada@example.com ${trusted.pub}\n`);
    // What `driftless verify --config` reads: a relative path, against the file's folder.
    writeFileSync(configFile, `source: { repository: ${repo.dir} }\ntrust: { mode: heads, allowedSignersFile: allowed_signers }\n`);
    repo.write(
      `environments/${env}/environment.yaml`,
      environmentYaml(env, `  notifications:\n    - type: webhook\n      url: ${hook.url}\n`),
    );
    commits.base = signedCommit(trusted.key, 'environment without stacks');
    daemon = await startInProcessDaemon(repo.dir, stateDir, root, { trust: { mode: 'heads', allowedSignersFile: allowedSigners } });
  });

  afterAll(async () => {
    await daemon?.stop('test finished');
    hook?.server.close();
    await deleteQueueIfAny(sqs, `${env}-jobs`);
  });

  it('applies a deploy commit signed by an allowed key, recording author, committer and signer', async () => {
    repo.write(`environments/${env}/jobs.yaml`, queueYaml('jobs', '{ visibilityTimeoutSeconds: 20 }'));
    commits.signed = signedCommit(trusted.key, 'add the jobs queue');
    const run = await waitFor('the signed commit to apply', async () => (await runsAt(commits.signed!)).find((r) => r.stack === 'jobs'));
    expect(run).toMatchObject({ result: 'succeeded', author: 'Ada Ops <ada@example.com>', committer: 'Ada Ops <ada@example.com>' });
    expect(run.signer).toEqual({ principal: 'ada@example.com', fingerprint: trusted.fingerprint, format: 'ssh' });
    expect(await visibility()).toBe('20');
    expect((await environment())?.trust).toMatchObject({ trusted: true, reason: 'signed', revision: commits.signed });
  });

  it('rejects an unsigned deploy commit as untrusted, alerts once, and applies nothing', async () => {
    repo.write(`environments/${env}/jobs.yaml`, queueYaml('jobs', '{ visibilityTimeoutSeconds: 60 }'));
    commits.unsigned = repo.commit('unsigned change');
    const [rejected] = await waitFor('the rejection', async () => {
      const r = await runsAt(commits.unsigned!);
      return r.length > 0 ? r : undefined;
    });
    expect(rejected).toMatchObject({ stack: '*', result: 'failed', errorKind: 'untrusted', author: 'Ada Ops <ada@example.com>' });
    expect(rejected?.error).toMatch(/untrusted: unsigned/);
    expect(rejected?.signer).toBeUndefined();
    expect((await environment())?.trust).toMatchObject({ trusted: false, reason: 'unsigned', revision: commits.unsigned });
    await waitFor('the alert', () => hook.received.some((n) => n.revision === commits.unsigned));
    expect(await visibility()).toBe('20');
  });

  it('rejects a commit signed by an unknown key, even one that commits its own allowed_signers file', async () => {
    // The repository cannot vouch for itself: trust comes from the operator's file only.
    const own = `ada@example.com ${stranger.pub}\nmallory@example.com ${stranger.pub}\n`;
    repo.write('allowed_signers', own);
    repo.write('.driftless/allowed_signers', own);
    repo.write(`environments/${env}/allowed_signers`, own);
    repo.write(`environments/${env}/jobs.yaml`, queueYaml('jobs', '{ visibilityTimeoutSeconds: 45 }'));
    commits.stranger = signedCommit(stranger.key, 'signed by a stranger');
    const [rejected] = await waitFor('the rejection', async () => {
      const r = await runsAt(commits.stranger!);
      return r.length > 0 ? r : undefined;
    });
    expect(rejected).toMatchObject({ stack: '*', result: 'failed', errorKind: 'untrusted' });
    expect(rejected?.error).toMatch(/untrusted: unknown-key/);
    expect(rejected?.error).toContain(stranger.fingerprint);
    expect((await environment())?.trust).toMatchObject({ trusted: false, reason: 'unknown-key' });
    await waitFor('the alert', () => hook.received.some((n) => n.revision === commits.stranger));
    expect(await visibility()).toBe('20');
  });

  it('accepts a trusted revert of the untrusted commits, then applies the next trusted change as usual', async () => {
    repo.git('revert', '--no-commit', commits.stranger!, commits.unsigned!);
    commits.revert = signedCommit(trusted.key, 'revert the untrusted commits');
    await waitFor('the revert to be accepted', async () => (await environment())?.trust?.revision === commits.revert);
    expect((await environment())?.trust).toMatchObject({ trusted: true, reason: 'signed' });
    // the revert's folder is what is live: nothing to apply, nothing rejected
    expect(await runsAt(commits.revert)).toEqual([]);
    expect(await visibility()).toBe('20');

    repo.write(`environments/${env}/jobs.yaml`, queueYaml('jobs', '{ visibilityTimeoutSeconds: 30 }'));
    commits.next = signedCommit(trusted.key, 'jobs need 30 s');
    await waitFor('the trusted change to apply', async () => (await runsAt(commits.next!)).some((r) => r.result === 'succeeded'));
    expect(await visibility()).toBe('30');
  });

  it('notifies each rejection once, and names committer and signer of applied changes', async () => {
    const of = (revision: string | undefined) => hook.received.filter((n) => n.revision === revision);
    await waitFor('the last change notice', () => of(commits.next).length > 0);
    for (const [revision, reason] of [
      [commits.unsigned, 'unsigned'],
      [commits.stranger, 'unknown-key'],
    ] as const) {
      expect(of(revision)).toHaveLength(1);
      expect(of(revision)[0]).toMatchObject({ kind: 'reconcile-failed', environment: env, details: { errorKind: 'untrusted', reason } });
      expect(of(revision)[0]?.summary).toMatch(/untrusted/);
    }
    const applied = of(commits.signed);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      kind: 'change-applied',
      committer: 'Ada Ops <ada@example.com>',
      signer: { principal: 'ada@example.com', fingerprint: trusted.fingerprint },
    });
  });

  it('driftless history --json shows author, committer and signer of applied runs', async () => {
    const r = await runCliInProcess(['history', '--json', '--env', env, '--state-dir', stateDir]);
    expect(r.code, r.stderr).toBe(0);
    const runs = JSON.parse(r.stdout) as RunRecord[];
    const applied = runs.filter((x) => x.result === 'succeeded');
    expect(applied.map((x) => x.revision)).toEqual([commits.next, commits.signed]);
    for (const x of applied)
      expect(x).toMatchObject({
        author: 'Ada Ops <ada@example.com>',
        committer: 'Ada Ops <ada@example.com>',
        signer: { principal: 'ada@example.com', fingerprint: trusted.fingerprint, format: 'ssh' },
      });
    const text = await runCliInProcess(['history', '--env', env, '--state-dir', stateDir]);
    expect(text.stdout).toContain(`signed by ada@example.com (ssh ${trusted.fingerprint})`);
  });

  it('driftless verify gives the same verdicts as the daemon', async () => {
    expect(await verify(commits.signed!)).toMatchObject({ code: 0, accepted: true, verdict: { trusted: true, reason: 'signed' } });
    expect(await verify(commits.unsigned!)).toMatchObject({ code: 1, accepted: false, verdict: { reason: 'unsigned' } });
    expect(await verify(commits.stranger!)).toMatchObject({ code: 1, accepted: false, verdict: { reason: 'unknown-key' } });
    expect(await verify(commits.revert!)).toMatchObject({ code: 0, accepted: true });
    const text = await runCliInProcess(['verify', '--revision', commits.stranger!, '--repo', repo.dir, '--config', configFile]);
    expect(text.stdout).toMatch(/untrusted: unknown-key/);
    expect(text.stdout).toMatch(/rejected \(untrusted\) under trust mode heads/);
  });
});
