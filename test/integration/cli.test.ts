import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../engine/toolchain/paths.js';
import { runDriftless } from '../support/cli.js';

describe('the driftless CLI', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    const run = await runDriftless(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('--help lists the commands', async () => {
    const run = await runDriftless(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: driftless <command>');
    expect(run.stdout).toMatch(/^\s+localstack\s+/m);
  });

  it('an unknown command is an error that shows the help', async () => {
    const run = await runDriftless(['deploy-everything']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown command "deploy-everything"');
  });

  // The messages themselves are checked in-process (test/unit/load/bad-documents.test.ts);
  // this is the built binary's side: exit status, stdout only, no stack trace.
  it('validate exits 1 on a bad tree with the messages on stdout, and 0 on the examples', async () => {
    const bad = await runDriftless(['validate', 'test/fixtures/bad/stack-params-wrong-type']);
    expect(bad).toEqual({
      code: 1,
      stdout:
        'test/fixtures/bad/stack-params-wrong-type/dev/orders-queue.yaml:8:5 spec.params.visibilityTimeoutSeconds: expected number, got string\n' +
        '1 error in 1 file(s)\n',
      stderr: '',
    });
    const good = await runDriftless(['validate', 'environments']);
    expect(good).toEqual({ code: 0, stdout: 'valid: 2 environments, 11 stacks\n', stderr: '' });
  });
});
