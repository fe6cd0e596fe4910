// `npm run docs:templates`: writes docs/templates.md from the catalogue.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { referencePath, renderReference } from './render.js';

mkdirSync(dirname(referencePath), { recursive: true });
writeFileSync(referencePath, renderReference());
process.stdout.write(`wrote ${referencePath}\n`);
