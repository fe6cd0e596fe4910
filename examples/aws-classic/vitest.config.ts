import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Inside the driftless repository, `driftless/*` is driftless's own source; an operator's
// copy of this package resolves it from the installed driftless instead.
const sdk = (path: string): string => fileURLToPath(new URL(`../../sdk/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^driftless\/template$/, replacement: sdk('template/index.ts') },
      { find: /^driftless\/testing$/, replacement: sdk('testing/index.ts') },
      { find: /^driftless\/aws$/, replacement: sdk('aws.ts') },
    ],
  },
  test: { include: ['test/**/*.test.ts'] },
});
