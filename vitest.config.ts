import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/** A file of this repository, as the absolute path Vite's resolver wants. */
const repoFile = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Three tiers, one project each; `vitest run` (npm test) runs all of them, `--project <name>`
 * (npm run test:unit / test:integration / test:e2e) one:
 *
 * - unit: in-process only. No LocalStack, no Pulumi CLI, no built dist/ (Pulumi programs
 *   run under runtime.setMocks). Runs on a fresh checkout.
 * - integration: real processes without AWS: git, the Pulumi CLI on a file backend, the
 *   built CLI (bin/driftless-cli.js → dist/, which `npm test` builds first).
 * - e2e: everything against LocalStack.
 *
 * The settings below are shared: every project `extends: true` this file. Arrays merge by
 * concatenation when a project extends, so anything a tier adds to (include, globalSetup)
 * is set per project, never here.
 */
export default defineConfig({
  resolve: {
    // Template packages under examples/ import the public SDK by its package names, as an
    // installed package does; in tests those names are the SDK's sources, so no build is needed.
    alias: [
      { find: /^driftless\/template$/, replacement: repoFile('./sdk/template/index.ts') },
      { find: /^driftless\/aws$/, replacement: repoFile('./sdk/aws.ts') },
      { find: /^driftless\/testing$/, replacement: repoFile('./sdk/testing/index.ts') },
      { find: /^driftless\/builtins$/, replacement: repoFile('./sdk/builtins.ts') },
    ],
  },
  test: {
    setupFiles: ['test/support/setup.ts'],
    // Pulumi operations start CLI and plugin processes; on 2 cores more than two files at
    // once only makes every one of them slower.
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Example template packages keep their tests beside them; their LocalStack tests are e2e.
          include: ['test/unit/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, '**/*.e2e.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          // Example template packages' LocalStack tests (`*.e2e.test.ts`) run here too.
          include: ['test/e2e/**/*.test.ts', 'examples/*/test/**/*.e2e.test.ts'],
          // Starts (or reuses) one LocalStack for the run and fails the run, loudly, when it
          // cannot: an E2E that cannot run is a failure, never a skip. Vitest runs a
          // project's globalSetup once, and only when that project has files in the run
          // (the root config has none, since the root's would run for every tier), and what
          // it provide()s reaches this project's files through inject('awsEndpoint').
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
