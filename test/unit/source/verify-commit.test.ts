import { describe, expect, it } from 'vitest';
import {
  judgeSignature,
  parseLogLine,
  signatureFormat,
  verifyDeploy,
  type CommitVerification,
  type CommitVerifier,
  type SignatureFacts,
} from '../../../engine/source/verify-commit.js';

const FP = 'SHA256:yyNhXb4ALkVMDwSaVHdvGMfZSndnj+lRciuUPChAssI';
const FORGE = 'SHA256:forgeforgeforgeforgeforgeforgeforgeforge000';

const facts = (over: Partial<SignatureFacts>): SignatureFacts => ({
  status: 'G',
  principal: 'ada@example.com',
  fingerprint: FP,
  format: 'ssh',
  parents: 1,
  author: 'Ada Ops <ada@example.com>',
  committer: 'Ada Ops <ada@example.com>',
  ...over,
});

describe('signatureFormat', () => {
  it.each([
    ['tree t\nparent p\nauthor a\ncommitter c\n\nmessage\n', undefined],
    ['tree t\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NI\n -----END SSH SIGNATURE-----\n\nmsg\n', 'ssh'],
    ['tree t\ngpgsig -----BEGIN PGP SIGNATURE-----\n x\n\nmsg\n', 'gpg'],
    ['tree t\ngpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n\nmsg\n', 'ssh'],
    ['tree t\ngpgsig -----BEGIN SIGNED MESSAGE-----\n\nmsg\n', 'other'],
    // a signature quoted in the message is not a signature
    ['tree t\nauthor a\n\ngpgsig -----BEGIN SSH SIGNATURE-----\n', undefined],
  ] as const)('%j is %s', (raw, format) => {
    expect(signatureFormat(raw)).toBe(format);
  });
});

describe('parseLogLine', () => {
  it('reads status, principal, fingerprint, author, committer and the parent count', () => {
    const out = `G\0ada@example.com\0${FP}\0Ada Ops <ada@example.com>\0Bot <bot@forge>\0aaa bbb\n`;
    expect(parseLogLine(out, 'ssh')).toEqual({
      status: 'G',
      principal: 'ada@example.com',
      fingerprint: FP,
      format: 'ssh',
      parents: 2,
      author: 'Ada Ops <ada@example.com>',
      committer: 'Bot <bot@forge>',
    });
  });

  it('treats missing fields as no signature and a root commit as parentless', () => {
    expect(parseLogLine('\0\0\0A <a@x>\0A <a@x>\0\n', undefined)).toMatchObject({
      status: 'N',
      principal: '',
      fingerprint: '',
      parents: 0,
    });
  });
});

describe('judgeSignature', () => {
  it.each([
    ['a good signature by an allowed key', facts({}), undefined, true, 'signed'],
    ['no signature', facts({ format: undefined, status: 'N', principal: '', fingerprint: '' }), undefined, false, 'unsigned'],
    ['a good signature by a key not in allowed_signers', facts({ status: 'U', principal: '' }), undefined, false, 'unknown-key'],
    ['a bad signature', facts({ status: 'B', principal: '', fingerprint: '' }), undefined, false, 'bad-signature'],
    ['a revoked key', facts({ status: 'R' }), undefined, false, 'revoked'],
    ['an expired signature', facts({ status: 'X', format: 'gpg' }), undefined, false, 'expired'],
    ['an expired key', facts({ status: 'Y', format: 'gpg' }), undefined, false, 'expired'],
    ['a key that cannot be checked', facts({ status: 'E', principal: '', fingerprint: '' }), undefined, false, 'unknown-key'],
    ['a signature git did not check', facts({ status: 'N', principal: '', fingerprint: '' }), undefined, false, 'unknown-key'],
    ['an x509 signature', facts({ format: 'other', status: 'G' }), undefined, false, 'unknown-key'],
    ['G without a fingerprint', facts({ fingerprint: '' }), undefined, false, 'unknown-key'],
    ['the forge key on a merge commit', facts({ status: 'U', principal: '', fingerprint: FORGE, parents: 2 }), FORGE, true, 'signed'],
    [
      'the forge key on a web edit',
      facts({ status: 'U', principal: '', fingerprint: FORGE, parents: 1 }),
      FORGE,
      false,
      'merge-key-not-merge',
    ],
    [
      'the forge key, but a bad signature',
      facts({ status: 'B', principal: '', fingerprint: FORGE, parents: 2 }),
      FORGE,
      false,
      'bad-signature',
    ],
    ['the forge key named by principal', facts({ principal: 'forge', parents: 3 }), 'forge', true, 'signed'],
    ['an allowed key, the forge key configured', facts({}), FORGE, true, 'signed'],
  ] as const)('%s', (_name, f, mergeKey, trusted, reason) => {
    const v = judgeSignature('c0ffee', f, mergeKey);
    expect(v).toMatchObject({ revision: 'c0ffee', trusted, reason, author: f.author, committer: f.committer });
    if (trusted) expect(v.signer).toMatchObject({ fingerprint: f.fingerprint, format: f.format === 'gpg' ? 'gpg' : 'ssh' });
  });

  it('names the signer of a trusted commit', () => {
    expect(judgeSignature('c1', facts({})).signer).toEqual({ principal: 'ada@example.com', fingerprint: FP, format: 'ssh' });
  });
});

describe('verifyDeploy', () => {
  const verdicts: Record<string, CommitVerification> = Object.fromEntries(
    ['c1', 'c2', 'c3', 'c4'].map((r) => [
      r,
      { revision: r, trusted: r !== 'c2', reason: r === 'c2' ? 'unsigned' : 'signed', author: 'A', committer: 'A' },
    ]),
  );
  const git: CommitVerifier = {
    verifyCommit: async (r) => verdicts[r]!,
    commitsBetween: async (from, to) =>
      ['c4', 'c3', 'c2', 'c1'].slice(['c4', 'c3', 'c2', 'c1'].indexOf(to), ['c4', 'c3', 'c2', 'c1'].indexOf(from)),
    hasCommit: async (r) => r in verdicts,
  };

  it('checks only the head in heads mode', async () => {
    expect(await verifyDeploy(git, 'heads', 'c4', 'c1')).toMatchObject({ trusted: true, reason: 'signed', checked: 1 });
    expect(await verifyDeploy(git, 'heads', 'c2', 'c1')).toMatchObject({ trusted: false, reason: 'unsigned', failed: { revision: 'c2' } });
  });

  it('checks every commit since the last applied one in range mode', async () => {
    const v = await verifyDeploy(git, 'range', 'c4', 'c1');
    expect(v).toMatchObject({
      trusted: false,
      reason: 'unsigned',
      head: { revision: 'c4', trusted: true },
      failed: { revision: 'c2' },
      checked: 3,
    });
    expect(await verifyDeploy(git, 'range', 'c4', 'c2')).toMatchObject({ trusted: true, checked: 2 });
  });

  it('checks only the head in range mode without a last applied commit, or when it is gone', async () => {
    expect(await verifyDeploy(git, 'range', 'c4')).toMatchObject({ trusted: true, checked: 1 });
    expect(await verifyDeploy(git, 'range', 'c4', 'gone')).toMatchObject({ trusted: true, checked: 1 });
  });
});
