import { existsSync } from 'node:fs';
import type { CommitSigner } from '../model/index.js';
import { gitClient } from './git-client.js';

/** Which deploy commits must be signed by a trusted key before they reach the cloud. */
export type TrustMode = 'off' | 'heads' | 'range';

/** Where trusted keys come from: the operator's files only, never the environments repository. */
export interface TrustSettings {
  mode: TrustMode;
  /** SSH `allowed_signers` file (absolute path). */
  allowedSignersFile?: string | undefined;
  /** GnuPG home folder holding the trusted public keys (absolute path); GPG signatures are untrusted without it. */
  gpgHome?: string | undefined;
  /** Principal or fingerprint of the forge's own merge key: accepted on merge commits only. */
  allowMergeCommitKey?: string | undefined;
}

/** Why a commit is (not) trusted. */
export type TrustReason =
  | 'signed'
  | 'unsigned'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'revoked'
  /** Signed by the forge's merge key, but not a merge commit (e.g. a web edit). */
  | 'merge-key-not-merge';

/** The verdict on one commit. */
export interface CommitVerification {
  revision: string;
  trusted: boolean;
  reason: TrustReason;
  signer?: CommitSigner | undefined;
  /** `Name <email>`. */
  author: string;
  committer: string;
}

/** What git says of one commit: the raw material of {@link judgeSignature}. */
export interface SignatureFacts {
  /** `%G?`: G good, B bad, U good but unknown key/validity, X/Y expired signature/key, R revoked key, E cannot check, N none. */
  status: string;
  /** `%GS`: the principal (SSH) or user id (GPG); empty when unknown. */
  principal: string;
  /** `%GF`: the key's fingerprint; empty when unknown. */
  fingerprint: string;
  /** From the commit's `gpgsig` header; undefined when it has none. */
  format: 'ssh' | 'gpg' | 'other' | undefined;
  parents: number;
  author: string;
  committer: string;
}

/** The `git log` format {@link parseLogLine} reads. */
export const VERIFY_FORMAT = '%G?%x00%GS%x00%GF%x00%an <%ae>%x00%cn <%ce>%x00%P';
/** The same fields without asking git to verify anything. */
const NO_CHECK_FORMAT = 'N%x00%x00%x00%an <%ae>%x00%cn <%ce>%x00%P';

/** The signature format named by a raw commit's `gpgsig` header (`git cat-file commit`). */
export function signatureFormat(rawCommit: string): SignatureFacts['format'] {
  const headers = rawCommit.split('\n\n')[0] ?? '';
  const sig = /^gpgsig(?:-sha256)? (.*)$/m.exec(headers)?.[1];
  if (sig === undefined) return undefined;
  if (sig.startsWith('-----BEGIN SSH SIGNATURE-----')) return 'ssh';
  if (sig.startsWith('-----BEGIN PGP SIGNATURE-----')) return 'gpg';
  return 'other';
}

/** Parses one line of {@link VERIFY_FORMAT} output. */
export function parseLogLine(out: string, format: SignatureFacts['format']): SignatureFacts {
  const [status = 'N', principal = '', fingerprint = '', author = '', committer = '', parents = ''] = out.replace(/\n+$/, '').split('\0');
  return {
    status: status.trim() || 'N',
    principal: principal.trim(),
    fingerprint: fingerprint.trim(),
    format,
    parents: parents.trim() === '' ? 0 : parents.trim().split(/\s+/).length,
    author,
    committer,
  };
}

/**
 * The verdict on one commit, a pure function (table-tested). Only a good signature by a
 * key the operator trusts (`G`) is trusted; the forge's merge key is accepted on merge
 * commits, even when it is not in the allowed signers (its signature must still be good).
 */
export function judgeSignature(revision: string, f: SignatureFacts, allowMergeCommitKey?: string): CommitVerification {
  const base = { revision, author: f.author, committer: f.committer };
  const format = f.format === 'gpg' ? 'gpg' : 'ssh';
  const signer = f.fingerprint ? ({ principal: f.principal, fingerprint: f.fingerprint, format } satisfies CommitSigner) : undefined;
  const untrusted = (reason: TrustReason): CommitVerification => ({ ...base, trusted: false, reason, ...(signer ? { signer } : {}) });
  if (f.format === undefined) return { ...base, trusted: false, reason: 'unsigned' };
  if (f.format === 'other') return untrusted('unknown-key');
  const goodSignature = f.status === 'G' || f.status === 'U';
  const isMergeKey =
    allowMergeCommitKey !== undefined &&
    allowMergeCommitKey !== '' &&
    (f.fingerprint === allowMergeCommitKey || (f.status === 'G' && f.principal === allowMergeCommitKey));
  if (isMergeKey && goodSignature) {
    if (f.parents < 2) return untrusted('merge-key-not-merge');
    return {
      ...base,
      trusted: true,
      reason: 'signed',
      signer: { principal: f.principal || allowMergeCommitKey, fingerprint: f.fingerprint, format },
    };
  }
  switch (f.status) {
    case 'G':
      return signer ? { ...base, trusted: true, reason: 'signed', signer } : untrusted('unknown-key');
    case 'B':
      return untrusted('bad-signature');
    case 'X':
    case 'Y':
      return untrusted('expired');
    case 'R':
      return untrusted('revoked');
    default:
      // U: good signature by a key nobody trusted; E: the key is missing; N: git could not check.
      return untrusted('unknown-key');
  }
}

/** One readable line: `trusted: signed by ada@example.com (SHA256:...)` or `untrusted: unsigned`. */
export function describeVerification(v: CommitVerification): string {
  const who = v.signer
    ? ` ${v.trusted ? 'by' : 'with key'} ${v.signer.principal ? `${v.signer.principal} ` : ''}(${v.signer.format} ${v.signer.fingerprint})`
    : '';
  return `${v.revision.slice(0, 12)} ${v.trusted ? 'trusted' : 'untrusted'}: ${v.reason}${who}; author ${v.author}, committer ${v.committer}`;
}

/**
 * Verifies one commit with git itself in `gitDir` (a bare mirror or a working repository),
 * against the operator's keys only: the allowed signers file and GnuPG home are given on
 * each command, so nothing in the repository (or its config) can add a trusted key.
 */
export async function verifyCommitIn(gitDir: string, revision: string, trust: TrustSettings): Promise<CommitVerification> {
  if (revision.startsWith('-')) throw new Error(`not a revision: ${revision}`);
  const plain = gitClient(gitDir, { timeoutMs: 30_000 });
  const sha = (await plain.raw(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])).trim();
  if (sha === '') throw new Error(`no commit ${revision}`);
  const format = signatureFormat(await plain.raw(['cat-file', 'commit', sha]));
  // An unconfigured check would read the user's own git settings: GPG without the operator's
  // home, or SSH without an existing allowed signers file, is not asked at all.
  const checkable =
    (format === 'ssh' && trust.allowedSignersFile !== undefined && existsSync(trust.allowedSignersFile)) ||
    (format === 'gpg' && trust.gpgHome !== undefined);
  if (!checkable) {
    const facts = parseLogLine(await plain.raw(['log', '-1', `--format=${NO_CHECK_FORMAT}`, sha]), format);
    return judgeSignature(sha, { ...facts, status: 'E' }, trust.allowMergeCommitKey);
  }
  const git = gitClient(gitDir, {
    timeoutMs: 30_000,
    // git picks SSH or GPG from the signature itself; these name the operator's keys.
    config: ['gpg.format=ssh', `gpg.ssh.allowedSignersFile=${trust.allowedSignersFile ?? '/dev/null'}`],
    ...(trust.gpgHome ? { env: { GNUPGHOME: trust.gpgHome } } : {}),
  });
  const facts = parseLogLine(await git.raw(['log', '-1', `--format=${VERIFY_FORMAT}`, sha]), format);
  return judgeSignature(sha, facts, trust.allowMergeCommitKey);
}

/** Commits reachable from `to` but not from `from`, newest first. */
export async function commitsBetweenIn(gitDir: string, from: string, to: string): Promise<string[]> {
  const out = await gitClient(gitDir, { timeoutMs: 60_000 }).raw(['rev-list', `${from}..${to}`]);
  return out.split('\n').filter((l) => l !== '');
}

/** The verdict on a deploy commit under a mode. */
export interface TrustVerdict {
  mode: TrustMode;
  trusted: boolean;
  reason: TrustReason;
  /** The deploy commit itself. */
  head: CommitVerification;
  /** The first commit of the range that failed (range mode; the head in heads mode). */
  failed?: CommitVerification | undefined;
  /** Commits verified. */
  checked: number;
}

/** What {@link verifyDeploy} needs of a Git source. */
export interface CommitVerifier {
  verifyCommit(revision: string): Promise<CommitVerification>;
  commitsBetween(from: string, to: string): Promise<string[]>;
  hasCommit(revision: string): Promise<boolean>;
}

/**
 * Whether a deploy commit may be applied, the one function the daemon and `driftless
 * verify` share. `heads`: the commit itself must verify. `range`: so must every commit
 * since the last applied one (only the head when there is none, or it is gone).
 */
export async function verifyDeploy(
  git: CommitVerifier,
  mode: Exclude<TrustMode, 'off'>,
  head: string,
  lastApplied?: string,
): Promise<TrustVerdict> {
  const headVerdict = await git.verifyCommit(head);
  const revisions =
    mode === 'range' && lastApplied && lastApplied !== head && (await git.hasCommit(lastApplied))
      ? await git.commitsBetween(lastApplied, head)
      : [head];
  let failed = headVerdict.trusted ? undefined : headVerdict;
  for (const r of revisions) {
    if (failed) break;
    if (r === headVerdict.revision) continue;
    const v = await git.verifyCommit(r);
    if (!v.trusted) failed = v;
  }
  return {
    mode,
    trusted: failed === undefined,
    reason: failed?.reason ?? headVerdict.reason,
    head: headVerdict,
    ...(failed ? { failed } : {}),
    checked: Math.max(1, revisions.length),
  };
}

/** A {@link CommitVerifier} over a local repository (working or bare): what `driftless verify` uses. */
export function localVerifier(gitDir: string, trust: TrustSettings): CommitVerifier {
  return {
    verifyCommit: (r) => verifyCommitIn(gitDir, r, trust),
    commitsBetween: (a, b) => commitsBetweenIn(gitDir, a, b),
    hasCommit: async (r) => {
      try {
        await gitClient(gitDir, { timeoutMs: 20_000 }).raw(['cat-file', '-e', `${r}^{commit}`]);
        return true;
      } catch {
        return false;
      }
    },
  };
}
