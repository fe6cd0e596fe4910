import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCliInProcess } from '../../support/cli-in-process.js';

/** Every YAML document of the example environments, with its path. */
function exampleDocuments(): { file: string; value: unknown }[] {
  return readdirSync('environments').flatMap((env) =>
    readdirSync(join('environments', env))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ file: join('environments', env, f), value: parse(readFileSync(join('environments', env, f), 'utf8')) as unknown })),
  );
}

/** What `driftless schema …` prints, run in-process through the CLI entry; it must exit 0. */
async function schemaOutput(...args: string[]): Promise<Record<string, unknown>> {
  const r = await runCliInProcess(['schema', ...args]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('driftless schema', () => {
  let combined: Record<string, unknown>;
  // Formats (uri) are checked by the Zod schemas; ajv is asked about structure only.
  const ajv = new Ajv({ allErrors: true, validateFormats: false });

  beforeAll(async () => {
    combined = await schemaOutput();
  });

  it('prints a draft-07 schema that ajv compiles, for both kinds together and each alone', async () => {
    expect(combined.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(combined.definitions as object)).toEqual(['Environment', 'Stack']);
    expect(() => ajv.compile(combined)).not.toThrow();
    for (const kind of ['Environment', 'Stack']) {
      const one = await schemaOutput('--kind', kind);
      expect(() => ajv.compile(one)).not.toThrow();
      expect((one.properties as Record<string, { const?: string }>).kind?.const).toBe(kind);
    }
  });

  it('accepts every document of the example environments', () => {
    const validate = ajv.compile(combined);
    const docs = exampleDocuments();
    expect(docs.length).toBeGreaterThanOrEqual(10);
    for (const d of docs)
      expect({ file: d.file, valid: validate(d.value), errors: validate.errors ?? null }).toEqual({
        file: d.file,
        valid: true,
        errors: null,
      });
  });

  it('rejects unknown keys, wrong types, unknown templates and bad template params', () => {
    const validate = ajv.compile(combined);
    const queue = exampleDocuments().find((d) => d.file === join('environments', 'dev', 'orders-queue.yaml'))!.value as {
      spec: Record<string, unknown>;
    };
    const variants: [string, unknown][] = [
      ['unknown key', { ...queue, spec: { ...queue.spec, parms: {} } }],
      ['wrong type', { ...queue, spec: { ...queue.spec, dependsOn: 'network' } }],
      ['unknown template', { ...queue, spec: { ...queue.spec, template: 'sqs-queue' } }],
      ['bad params', { ...queue, spec: { ...queue.spec, params: { visibilityTimeoutSeconds: '30s' } } }],
      ['param typo', { ...queue, spec: { ...queue.spec, params: { visibiltyTimeoutSeconds: 30 } } }],
      [
        'environment without backend',
        {
          apiVersion: 'driftless/v1',
          kind: 'Environment',
          metadata: { name: 'x' },
          spec: { deployBranch: 'main', aws: { region: 'us-east-1' } },
        },
      ],
    ];
    for (const [why, doc] of variants) expect({ why, valid: validate(doc) }).toEqual({ why, valid: false });
  });

  it('matches the committed schemas/driftless.schema.json that editors point at', () => {
    expect(JSON.parse(readFileSync('schemas/driftless.schema.json', 'utf8'))).toEqual(combined);
  });
});
