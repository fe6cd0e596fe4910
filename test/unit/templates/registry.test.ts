import { describe, expect, it } from 'vitest';
import { type InstalledTemplate, parseTemplateRef, type TemplateOrigin, TemplateRegistry } from '../../../engine/templates/registry.js';
import { defineTemplate, z } from '../../../sdk/template/index.js';

/** A trivial template of that name and version, returning its single output. */
function template(name: string, version = '1.0.0') {
  return defineTemplate({
    name,
    version,
    description: `the ${name} template`,
    params: z.strictObject({ size: z.number().default(1) }),
    outputs: [{ name: 'id', description: 'an id' }],
    program: () => ({ id: name }),
  });
}

const builtin: TemplateOrigin = { kind: 'builtin' };
const acmePackage: TemplateOrigin = {
  kind: 'package',
  package: '@acme/driftless-templates',
  packageVersion: '2.1.0',
  path: '/opt/templates/acme',
};
const otherPackage: TemplateOrigin = {
  kind: 'package',
  package: '@other/templates',
  packageVersion: '0.3.0',
  path: '/opt/templates/other',
};

const installed: InstalledTemplate[] = [
  { definition: template('queue', '1.4.0'), origin: builtin },
  { definition: template('topic', '1.0.0'), origin: builtin },
  { definition: template('acme/worker', '2.1.3'), origin: acmePackage },
];

function registry(templates: readonly InstalledTemplate[] = installed): TemplateRegistry {
  const r = TemplateRegistry.of(templates);
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.value;
}

describe('parseTemplateRef', () => {
  it.each([
    ['queue', { name: 'queue', range: undefined }],
    ['acme/worker', { name: 'acme/worker', range: undefined }],
    ['acme/worker@^2', { name: 'acme/worker', range: '^2' }],
    ['acme/worker@2.1.x', { name: 'acme/worker', range: '2.1.x' }],
    ['acme/worker@~2.1', { name: 'acme/worker', range: '~2.1' }],
    ['queue@>=1 <2', { name: 'queue', range: '>=1 <2' }],
  ])('%s', (ref, expected) => {
    expect(parseTemplateRef(ref)).toEqual(expected);
  });
});

describe('TemplateRegistry.of', () => {
  it('lists names and templates in sorted order', () => {
    const r = registry();
    expect(r.names()).toEqual(['acme/worker', 'queue', 'topic']);
    expect(r.list().map((t) => t.definition.name)).toEqual(['acme/worker', 'queue', 'topic']);
    expect(r.get('acme/worker')?.origin).toEqual(acmePackage);
    expect(r.get('acme/wroker')).toBeUndefined();
  });

  it('refuses a name defined twice, naming both origins', () => {
    const r = TemplateRegistry.of([...installed, { definition: template('acme/worker', '3.0.0'), origin: otherPackage }]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    const [problem] = r.problems;
    expect(problem).toContain('template "acme/worker" is defined twice');
    expect(problem).toContain('@acme/driftless-templates@2.1.0 (/opt/templates/acme)');
    expect(problem).toContain('@other/templates@0.3.0 (/opt/templates/other)');
  });

  it('names built-in as the origin of a built-in template defined twice', () => {
    const r = TemplateRegistry.of([...installed, { definition: template('queue', '9.0.0'), origin: acmePackage }]);
    expect(r).toEqual({
      ok: false,
      problems: ['template "queue" is defined twice: by built-in and by @acme/driftless-templates@2.1.0 (/opt/templates/acme)'],
    });
  });

  it('reports every duplicated name', () => {
    const r = TemplateRegistry.of([...installed, ...installed.map((t) => ({ ...t, origin: otherPackage }))]);
    expect(r.ok ? [] : r.problems.length).toBe(3);
  });
});

describe('TemplateRegistry.find', () => {
  const r = registry();

  it.each([
    ['queue', 'queue'],
    ['acme/worker', 'acme/worker'],
    ['acme/worker@^2', 'acme/worker'],
    ['acme/worker@2.1.x', 'acme/worker'],
    ['acme/worker@~2.1.3', 'acme/worker'],
    ['acme/worker@>=2.0.0 <3', 'acme/worker'],
    ['queue@1', 'queue'],
  ])('finds %s', (ref, name) => {
    const found = r.find(ref);
    expect(found.ok).toBe(true);
    if (found.ok) expect(found.value).toBe(r.get(name));
  });

  it.each<[string, string[]]>([
    ['acme/wroker', ['unknown template "acme/wroker"', '(did you mean "acme/worker"?)', 'installed: acme/worker, queue, topic']],
    ['acme/wroker@^2', ['unknown template "acme/wroker"', '(did you mean "acme/worker"?)']],
    ['queu', ['unknown template "queu"', '(did you mean "queue"?)']],
    ['acme/database', ['unknown template "acme/database"; installed: acme/worker, queue, topic']],
    [
      'acme/worker@^3',
      ['template acme/worker@^3 is not installed: the installed version is 2.1.3 (@acme/driftless-templates@2.1.0 (/opt/templates/acme))'],
    ],
    ['acme/worker@2.0.x', ['template acme/worker@2.0.x is not installed', 'the installed version is 2.1.3']],
    ['queue@^2', ['template queue@^2 is not installed: the installed version is 1.4.0 (built-in)']],
    ['acme/worker@latest', ['"latest" is not a version range (write e.g. acme/worker@^2 or acme/worker@~2.1)']],
  ])('refuses %s', (ref, parts) => {
    const found = r.find(ref);
    expect(found.ok).toBe(false);
    if (found.ok) return;
    for (const p of parts) expect(found.message).toContain(p);
  });

  it('gives no did-you-mean when nothing is close', () => {
    const found = r.find('acme/database');
    expect(found.ok ? '' : found.message).not.toContain('did you mean');
  });
});
