import * as pulumi from '@pulumi/pulumi';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { isolatedHandlerCount } from '../../engine/pulumi/program-isolation.js';
import { PulumiStackRunner } from '../../engine/pulumi/pulumi-stack-runner.js';
import type { StackTarget } from '../../engine/run/stack-runner.js';
import { fileBackendLocations } from '../../engine/toolchain/pulumi-env.js';
import { tempDir } from '../support/temp.js';

/**
 * Inline programs running at the same time in one process fail only on their own errors
 * (engine/pulumi/program-isolation.ts): a throw inside an `apply` callback and a program
 * that throws while it is built each fail their own stack, while the others, still running
 * when those errors are raised, succeed. Component resources only: no provider plugin.
 */
describe('failure isolation of concurrent inline programs', () => {
  const dir = tempDir('isolation');
  const locations = fileBackendLocations(dir);
  const runner = new PulumiStackRunner(pino({ level: 'silent' }));
  const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

  function target(stack: string, program: () => Promise<Record<string, unknown>>): StackTarget {
    return {
      environment: 'iso',
      stack,
      program,
      backend: { url: locations.backendUrl, pulumiHome: locations.pulumiHome },
      envVars: {},
      workDir: `${dir}/work/${stack}`,
      secretsProvider: 'passphrase',
    };
  }

  /** A program that takes a while, so it is still running when the others fail. */
  const slow = (name: string) => async () => {
    new pulumi.ComponentResource('driftless:test:Slow', name);
    return { value: pulumi.output(later(4000, `${name}-done`)) };
  };

  it('a throw in an apply callback and a throwing program fail only their own stacks', async () => {
    const outcomes = await Promise.all([
      runner.up(target('good-a', slow('good-a'))),
      runner.up(
        target('apply-throws', async () => {
          // Not exported: the rejection is unhandled, the case that used to spread.
          pulumi.output(later(1500, 1)).apply(() => {
            throw new Error('boom inside apply');
          });
          return { value: pulumi.output(later(2500, 'x')) };
        }),
      ),
      runner.up(
        target('build-throws', async () => {
          await later(1500, undefined);
          throw new Error('stack build-throws: variable NOPE is not set');
        }),
      ),
      runner.up(target('good-b', slow('good-b'))),
    ]);
    const [goodA, applyThrows, buildThrows, goodB] = outcomes;
    expect(goodA).toMatchObject({ ok: true, outputs: { value: 'good-a-done' } });
    expect(goodB).toMatchObject({ ok: true, outputs: { value: 'good-b-done' } });
    expect(applyThrows?.ok).toBe(false);
    expect(applyThrows?.ok === false && applyThrows.message).toContain('boom inside apply');
    expect(applyThrows?.ok === false && applyThrows.message).not.toContain('NOPE');
    expect(buildThrows?.ok).toBe(false);
    expect(buildThrows?.ok === false && buildThrows.message).toContain('NOPE');
    expect(buildThrows?.ok === false && buildThrows.message).not.toContain('boom inside apply');
    // Every run removed its handlers: nothing is left on the process.
    expect(isolatedHandlerCount('unhandledRejection')).toBe(0);
    expect(isolatedHandlerCount('uncaughtException')).toBe(0);
  });
});
