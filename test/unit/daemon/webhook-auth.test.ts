import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { githubSignature, isSyncEvent, secretsEqual, verifyGithub, verifyGitlab } from '../../../engine/http/webhook-auth.js';
import { redactCredentials } from '../../../engine/source/redact-url.js';

describe('webhook verification', () => {
  const body = Buffer.from('{"ref":"refs/heads/main"}');

  it("accepts GitHub's documented signature form and nothing else", () => {
    const expected = 'sha256=' + createHmac('sha256', "It's a Secret to Everybody").update(body).digest('hex');
    expect(githubSignature("It's a Secret to Everybody", body)).toBe(expected);
    expect(verifyGithub("It's a Secret to Everybody", body, expected)).toBe(true);
    expect(verifyGithub("It's a Secret to Everybody", Buffer.from(body.toString() + '\n'), expected)).toBe(false);
    expect(verifyGithub('other', body, expected)).toBe(false);
    expect(verifyGithub("It's a Secret to Everybody", body, expected.replace('sha256=', 'sha1='))).toBe(false);
    expect(verifyGithub("It's a Secret to Everybody", body, undefined)).toBe(false);
    // no secret configured: every delivery is refused, signed or not
    expect(verifyGithub(undefined, body, expected)).toBe(false);
  });

  it('checks the GitLab token, refusing all when none is configured', () => {
    expect(verifyGitlab('tok', 'tok')).toBe(true);
    expect(verifyGitlab('tok', 'tok ')).toBe(false);
    expect(verifyGitlab(undefined, 'tok')).toBe(false);
    expect(secretsEqual('a', 'a much longer guess')).toBe(false);
  });

  it('syncs on push and merge-request events only', () => {
    expect(isSyncEvent('github', 'push')).toBe(true);
    expect(isSyncEvent('github', 'pull_request')).toBe(true);
    expect(isSyncEvent('github', 'ping')).toBe(false);
    expect(isSyncEvent('gitlab', 'Merge Request Hook')).toBe(true);
    expect(isSyncEvent('gitlab', 'Pipeline Hook')).toBe(false);
  });

  it('redacts credentials in repository URLs wherever they appear', () => {
    expect(redactCredentials("fatal: unable to access 'https://bot:tok@git.example.com/x.git/'")).toBe(
      "fatal: unable to access 'https://[redacted]@git.example.com/x.git/'",
    );
    expect(redactCredentials('ssh://git@host/x.git and git@host:org/x.git')).toBe('ssh://[redacted]@host/x.git and git@host:org/x.git');
    expect(redactCredentials('/srv/repos/envs')).toBe('/srv/repos/envs');
  });
});
