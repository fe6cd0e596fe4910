import { readdirSync, readFileSync } from 'node:fs';
import { isTemplateDefinition, templateDefinitionProblems } from 'driftless/template';
import { describe, expect, it } from 'vitest';
import { templates } from '../src/index.js';

const packageDir = new URL('../', import.meta.url);
const packageJson = JSON.parse(readFileSync(new URL('package.json', packageDir), 'utf8')) as Record<string, unknown>;

describe('@acme/driftless-templates as the engine loads it', () => {
  it('names its entry module and brings no dependencies of its own', () => {
    expect(packageJson).toMatchObject({ name: '@acme/driftless-templates', type: 'module', driftless: { templates: './dist/index.js' } });
    // driftless provides driftless/*, zod and @pulumi/pulumi at run time: a second copy could not be read by the engine.
    expect(packageJson).not.toHaveProperty('dependencies');
    expect(Object.keys(packageJson.peerDependencies as object)).toEqual(['driftless']);
  });

  it('exports valid, namespaced definitions with distinct names', () => {
    expect(templates.map((t) => t.name)).toEqual(['acme/worker', 'acme/alarm-topic']);
    for (const t of templates) {
      expect(isTemplateDefinition(t), t.name).toBe(true);
      expect(templateDefinitionProblems(t), t.name).toEqual([]);
      expect(t.name.startsWith('acme/'), t.name).toBe(true);
    }
  });

  it('imports only driftless/template and driftless/aws, and its own modules', () => {
    const src = new URL('src/', packageDir);
    for (const file of readdirSync(src)) {
      const text = readFileSync(new URL(file, src), 'utf8');
      const specifiers = [...text.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]);
      for (const s of specifiers) expect(s, `${file} imports ${s}`).toMatch(/^(driftless\/(template|aws)|\.\/[a-z-]+\.js)$/);
    }
  });
});
