import { describe, expect, it } from 'vitest';
import { loadEnvironments } from '../../../engine/load/index.js';
import { outputNeeds, preflightProblems, type StackNeeds } from '../../../engine/plan/preflight.js';
import { bindEnvironment, preflightMessage, stackNeeds } from '../../../engine/run/bind-environment.js';
import { isOutputRef } from '../../../sdk/template/refs.js';

const needs = (over: Partial<StackNeeds> = {}): StackNeeds => ({ stack: 's', template: 't', env: [], outputs: [], ...over });
const dbVar = { name: 'DB_PASSWORD', path: ['parameters', 0, 'fromEnv'] };
const arnRef = { fromStack: 'q', output: 'arn', path: ['policies', 0, 'resources', 0] };

describe('preflightProblems', () => {
  it.each([
    ['nothing needed', needs(), {}, {}, []],
    ['a variable that is set', needs({ env: [dbVar] }), { DB_PASSWORD: 'x' }, {}, []],
    [
      'a variable that is not set',
      needs({ env: [dbVar] }),
      {},
      {},
      [
        {
          path: ['spec', 'params', 'parameters', 0, 'fromEnv'],
          message: "environment variable DB_PASSWORD is not set in the daemon's environment (template t reads it; set it, then run again)",
        },
      ],
    ],
    [
      'a variable that is empty',
      needs({ env: [dbVar] }),
      { DB_PASSWORD: '' },
      {},
      [{ path: ['spec', 'params', 'parameters', 0, 'fromEnv'], message: expect.stringContaining('DB_PASSWORD is empty') }],
    ],
    ['an output the dependency recorded', needs({ outputs: [arnRef] }), {}, { q: { arn: 'arn:x', url: 'u' } }, []],
    ['a secret output the dependency recorded (masked)', needs({ outputs: [arnRef] }), {}, { q: { arn: { secret: true } } }, []],
    [
      'a dependency that recorded nothing',
      needs({ outputs: [arnRef] }),
      {},
      { q: {} },
      [
        {
          path: ['spec', 'params', 'policies', 0, 'resources', 0, 'output'],
          message: 'stack "q" has recorded no outputs: has it been applied?',
        },
      ],
    ],
    [
      'a dependency that recorded other outputs',
      needs({ outputs: [arnRef] }),
      {},
      { q: { url: 'u', name: 'n' } },
      [
        {
          path: ['spec', 'params', 'policies', 0, 'resources', 0, 'output'],
          message: 'stack "q" has recorded no output "arn" (recorded: name, url); apply it again with its current template',
        },
      ],
    ],
  ] as const)('%s', (_what, n, env, deps, expected) => {
    expect(preflightProblems(n, env, deps)).toEqual(expected);
  });

  it('reports every problem of the stack, variables first', () => {
    const problems = preflightProblems(
      needs({ env: [dbVar, { name: 'API_KEY', path: ['secrets', 0, 'fromEnv'] }], outputs: [arnRef] }),
      {},
      {},
    );
    expect(problems.map((p) => p.message.split(' ').slice(0, 3).join(' '))).toEqual([
      'environment variable DB_PASSWORD',
      'environment variable API_KEY',
      'stack "q" has',
    ]);
  });
});

describe('outputNeeds', () => {
  it('finds references at any depth, with their paths', () => {
    expect(
      outputNeeds({ a: [{ fromStack: 'x', output: 'arn' }], b: { c: { fromStack: 'y', output: 'url' } }, d: 'plain' }, isOutputRef),
    ).toEqual([
      { fromStack: 'x', output: 'arn', path: ['a', 0] },
      { fromStack: 'y', output: 'url', path: ['b', 'c'] },
    ]);
  });
});

describe('plan-time checks of loaded stacks', async () => {
  const { environments } = await loadEnvironments('environments');
  const prod = environments.find((e) => e.name === 'prod');
  if (!prod) throw new Error('the prod example environment is missing');
  const stack = (name: string) => {
    const s = prod.stacks.find((x) => x.name === name);
    if (!s) throw new Error(`no stack ${name}`);
    return s;
  };

  it('the config template declares the variables it reads, and an unset one is named at file:line:col', () => {
    const cfg = stack('app-config');
    const n = stackNeeds(cfg, cfg.definition.params.parse(cfg.spec.params));
    expect(n.env).toEqual([{ name: 'ORDERS_DB_PASSWORD', path: ['secrets', 0, 'fromEnv'] }]);
    expect(preflightMessage(cfg, n, {}, {})).toBe(
      "environments/prod/app-config.yaml:13:9 spec.params.secrets[0].fromEnv: environment variable ORDERS_DB_PASSWORD is not set in the daemon's environment (template config reads it; set it, then run again)",
    );
    expect(preflightMessage(cfg, n, {}, { ORDERS_DB_PASSWORD: 'pw' })).toBeUndefined();
  });

  it('an output a dependency has not recorded is named where the reference is written', () => {
    const role = stack('worker-role');
    const n = stackNeeds(role, role.definition.params.parse(role.spec.params));
    const message = preflightMessage(role, n, { 'orders-queue': { url: 'u' }, 'archive-bucket': {} }, {});
    expect(message).toMatch(
      /^environments\/prod\/worker-role\.yaml:14:\d+ spec\.params\.policies\[0\]\.resources\[0\]\.output: stack "orders-queue" has recorded no output "arn"/,
    );
    expect(message).not.toMatch(/\n\s+at /);
  });

  it('bindEnvironment gives every stack its check; templates without env declare none', () => {
    const bound = bindEnvironment(prod, { revision: 'r', stateDir: '/tmp/x', baseDir: '/tmp' });
    const queue = bound.stacks.find((s) => s.desired.name === 'orders-queue');
    expect(queue?.preflight?.({})).toBeUndefined();
  });
});
