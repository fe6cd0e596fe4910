import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkEnvironment, hasErrors, type EnvironmentCheck, type SourceFile } from '../../../engine/load/index.js';

const encoder = new TextEncoder();
const devDir = join('environments', 'dev');
// The environment file and two stacks, one referencing the other: small enough to run
// hundreds of cases in a few seconds, rich enough to reach the cross-file checks.
const examples = ['environment.yaml', 'orders-queue.yaml', 'orders-topic.yaml'].map((f) => ({
  basename: f,
  text: readFileSync(join(devDir, f), 'utf8'),
}));

function file(basename: string, bytes: Uint8Array): SourceFile {
  return { file: `fuzz/dev/${basename}`, path: `/fuzz/dev/${basename}`, basename, bytes };
}

/** The dev example with one file replaced by `bytes`. */
function check(replace: string, bytes: Uint8Array): EnvironmentCheck {
  const files = examples.map((e) => file(e.basename, e.basename === replace ? bytes : encoder.encode(e.text)));
  if (!examples.some((e) => e.basename === replace)) files.push(file(replace, bytes));
  return checkEnvironment({ name: 'dev', dir: 'fuzz/dev', path: '/fuzz/dev', files, messages: [] });
}

/** Either a valid environment and no errors, or errors and no environment; messages well formed. */
function expectValueOrMessages(r: EnvironmentCheck): void {
  expect(Array.isArray(r.messages)).toBe(true);
  if (r.environment) expect(hasErrors(r.messages)).toBe(false);
  else expect(hasErrors(r.messages)).toBe(true);
  for (const m of r.messages) {
    expect(m.file).toMatch(/^fuzz\/dev\//);
    expect(Number.isInteger(m.line) && m.line >= 1).toBe(true);
    expect(Number.isInteger(m.col) && m.col >= 1).toBe(true);
    expect(typeof m.message).toBe('string');
    expect(m.message.length).toBeGreaterThan(0);
  }
}

/** Pieces of YAML syntax that make mutations reach the parser's corners. */
const yamlBits = fc.constantFrom(
  ':',
  ': ',
  '-',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '!Ref ',
  '!!binary ',
  '\t',
  '\n',
  '  ',
  '---\n',
  '...\n',
  '#',
  '"',
  "'",
  '|',
  '>',
  '? ',
  '<<: *a',
  '~',
  'null',
  'true',
  '0x1F',
  '1e400',
  '\u00a0',
  '\ufeff',
  '\u0000',
  '\r\n',
);

/** Insertions, deletions, line duplications and re-indentations of a valid document. */
const mutated = fc
  .record({
    target: fc.constantFrom(...examples.map((e) => e.basename)),
    edits: fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom('insert', 'delete', 'dupLine', 'indent'),
        text: fc.oneof(yamlBits, fc.string({ maxLength: 8 })),
        length: fc.integer({ min: 1, max: 12 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ target, edits }) => {
    let text = examples.find((e) => e.basename === target)!.text;
    for (const e of edits) {
      const at = e.at % (text.length + 1);
      if (e.kind === 'insert') text = text.slice(0, at) + e.text + text.slice(at);
      else if (e.kind === 'delete') text = text.slice(0, at) + text.slice(at + e.length);
      else {
        const lines = text.split('\n');
        const i = at % lines.length;
        if (e.kind === 'dupLine') lines.splice(i, 0, lines[i]!);
        else lines[i] = ' '.repeat(e.length % 5) + lines[i]!.trimStart();
        text = lines.join('\n');
      }
    }
    return { target, text };
  });

const runs = { numRuns: 150 };

describe('loader under random and mutated input', () => {
  it('random bytes as a stack file: messages, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => expectValueOrMessages(check('fuzz.yaml', bytes))),
      runs,
    );
  });

  it('random text as the environment file: messages, never a throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 512 }), (text) =>
        expectValueOrMessages(check('environment.yaml', encoder.encode(text))),
      ),
      runs,
    );
  });

  it('mutated example documents: a value or messages, never a throw', () => {
    fc.assert(
      fc.property(mutated, ({ target, text }) => expectValueOrMessages(check(target, encoder.encode(text)))),
      { numRuns: 300 },
    );
  });

  it('random data in a stack envelope and in params: a value or messages', () => {
    const stackDoc = fc.record({
      apiVersion: fc.constantFrom('driftless/v1', 'driftless/v2'),
      kind: fc.constantFrom('Stack', 'Environment', 'stack'),
      metadata: fc.oneof(fc.record({ name: fc.string({ maxLength: 12 }) }), fc.anything()),
      spec: fc.record(
        {
          template: fc.oneof(
            fc.constantFrom('queue', 'topic', 'bucket', 'config', 'service-role', 'event-rule', 'kms-key', '__proto__', 'constructor'),
            fc.anything(),
          ),
          params: fc.oneof(
            fc.dictionary(
              fc.constantFrom('visibilityTimeoutSeconds', 'fifo', 'subscriptions', 'policies', 'parameters', 'target', 'x'),
              fc.anything(),
            ),
            fc.anything(),
          ),
          dependsOn: fc.oneof(fc.array(fc.constantFrom('orders-queue', 'fuzz', 'nope', '../x')), fc.anything()),
        },
        { requiredKeys: [] },
      ),
    });
    fc.assert(
      fc.property(stackDoc, (doc) => {
        let text: string;
        try {
          text = stringify(doc);
        } catch {
          return; // values yaml cannot write (e.g. symbols) are not inputs a file can hold
        }
        expectValueOrMessages(check('fuzz.yaml', encoder.encode(text)));
      }),
      runs,
    );
  });

  it('hostile shapes: deep nesting, alias chains and many documents come back as messages', () => {
    const hostile = [
      '['.repeat(50_000),
      '{a: '.repeat(20_000),
      '- '.repeat(10_000) + 'x',
      Array.from({ length: 300 }, (_, i) => ' '.repeat(i) + 'a:').join('\n'),
      '? [a]\n: b\n',
      'a: &a [x]\n' +
        Array.from(
          { length: 30 },
          (_, i) =>
            `k${i}: &k${i} [${Array(10)
              .fill(i === 0 ? '*a' : `*k${i - 1}`)
              .join(',')}]`,
        ).join('\n'),
      '---\n'.repeat(1_000),
      'key: value\n'.repeat(5_000),
    ];
    for (const text of hostile) {
      const r = check('fuzz.yaml', encoder.encode(text));
      expectValueOrMessages(r);
      expect(r.environment).toBeUndefined();
    }
  });

  it('the unmutated examples load (the properties above start from valid input)', () => {
    const r = check(
      'none.yaml',
      encoder.encode('apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: extra }\nspec: { template: kms-key }\n'),
    );
    expect(r.messages).toEqual([]);
    expect(r.environment?.stacks.map((s) => s.name)).toContain('extra');
  });
});
