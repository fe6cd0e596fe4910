import type { StackTarget } from '../../engine/run/stack-runner.js';

/**
 * A StackTarget for unit tests whose runner is a fake and never reaches Pulumi: stack
 * `stack` of environment `dev`, an empty program and placeholder backend, paths and
 * secrets provider.
 */
export function fakeTarget(stack: string): StackTarget {
  return {
    environment: 'dev',
    stack,
    program: async () => ({}),
    backend: { url: 'file:///x', pulumiHome: '/x' },
    envVars: {},
    workDir: '/x',
    secretsProvider: 'passphrase',
  };
}
