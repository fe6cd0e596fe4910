import { describe, expect, it } from 'vitest';
import { checkEnvironment, SHARED_BACKEND_MESSAGE, type EnvironmentSource } from '../../../engine/load/index.js';

const encoder = new TextEncoder();

/** An environment folder with only its environment.yaml; the backend is on line 8. */
function source(backend: string): EnvironmentSource {
  const yaml = [
    'apiVersion: driftless/v1', // 1
    'kind: Environment', // 2
    'metadata:', // 3
    '  name: dev', // 4
    'spec:', // 5
    '  deployBranch: main', // 6
    '  aws: { region: us-east-1 }', // 7
    `  backend: ${backend}`, // 8
    '',
  ].join('\n');
  const file = { file: 'environments/dev/environment.yaml', path: '/r/environments/dev/environment.yaml', basename: 'environment.yaml' };
  return {
    name: 'dev',
    dir: 'environments/dev',
    path: '/r/environments/dev',
    files: [{ ...file, bytes: encoder.encode(yaml) }],
    messages: [],
  };
}

describe('backends when replicas share the work (store.postgres)', () => {
  it.each([
    { backend: 'file://.driftless/state', shared: false, valid: true },
    { backend: 's3://state-bucket?region=us-east-1', shared: false, valid: true },
    { backend: 's3://state-bucket?region=us-east-1', shared: true, valid: true },
    { backend: 'file://.driftless/state', shared: true, valid: false },
  ])('$backend with requireSharedBackend=$shared → valid: $valid', ({ backend, shared, valid }) => {
    const check = checkEnvironment(source(backend), undefined, { requireSharedBackend: shared });
    expect(check.environment !== undefined).toBe(valid);
    if (!valid)
      expect(check.messages).toEqual([
        expect.objectContaining({
          file: 'environments/dev/environment.yaml',
          line: 8,
          col: 3,
          severity: 'error',
          message: SHARED_BACKEND_MESSAGE,
        }),
      ]);
  });
});
