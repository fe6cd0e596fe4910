import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { templateCatalog } from '../../../stacks/catalog.js';
import { programs } from '../../../stacks/programs.js';
import { paramRows, referencePath, renderReference } from '../../../stacks/reference/render.js';
import { z } from 'zod';

describe('template reference (docs/templates.md)', () => {
  it('matches what the schemas generate: run `npm run docs:templates` when this fails', () => {
    expect(readFileSync(referencePath, 'utf8')).toBe(renderReference());
  });

  it('describes every param of every template and lists every output', () => {
    for (const t of templateCatalog.values()) {
      const rows = paramRows(z.toJSONSchema(t.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
      expect(rows.length, t.name).toBeGreaterThan(0);
      for (const r of rows) expect(r.description, `${t.name} ${r.name}`).not.toBe('');
      const section = renderReference().split(`## \`${t.name}\``)[1]!.split('\n## ')[0]!;
      for (const o of t.outputs) expect(section).toContain(`| \`${o.name}\` | ${o.description} |`);
    }
  });

  it('has a program for every template of the catalogue', () => {
    expect(Object.keys(programs).sort()).toEqual([...templateCatalog.keys()].sort());
  });
});
