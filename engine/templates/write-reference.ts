// `npm run docs:templates`: writes docs/templates.md from the built-in templates.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { builtinRegistry } from './builtin.js';
import { referencePath, renderReference } from './reference.js';

mkdirSync(dirname(referencePath), { recursive: true });
writeFileSync(referencePath, renderReference(builtinRegistry().list()));
process.stdout.write(`wrote ${referencePath}\n`);
