import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { paramRows, referencePath, renderReference } from '../../../engine/templates/reference.js';
import type { InstalledTemplate } from '../../../engine/templates/registry.js';
import { isTemplateDefinition } from '../../../sdk/template/index.js';
import { builtinTemplates } from '../../../stacks/index.js';
import { z } from 'zod';

const installed: InstalledTemplate[] = builtinTemplates.map((definition) => ({ definition, origin: { kind: 'builtin' } }));

describe('template reference (docs/templates.md)', () => {
  it('matches what the schemas generate: run `npm run docs:templates` when this fails', () => {
    expect(readFileSync(referencePath, 'utf8')).toBe(renderReference(installed));
  });

  it('describes every param of every template and lists every output', () => {
    for (const t of builtinTemplates) {
      const rows = paramRows(z.toJSONSchema(t.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
      expect(rows.length, t.name).toBeGreaterThan(0);
      for (const r of rows) expect(r.description, `${t.name} ${r.name}`).not.toBe('');
      const section = renderReference(installed).split(`## \`${t.name}\``)[1]!.split('\n## ')[0]!;
      for (const o of t.outputs) expect(section).toContain(`| \`${o.name}\` | ${o.description} |`);
    }
  });

  it('has a program for every built-in template, under a name of its own', () => {
    for (const t of builtinTemplates) expect(isTemplateDefinition(t) && typeof t.program === 'function', t.name).toBe(true);
    expect(new Set(builtinTemplates.map((t) => t.name)).size).toBe(builtinTemplates.length);
  });
});
