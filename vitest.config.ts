import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts (or reuses) one LocalStack for every suite that needs it and fails the run,
    // loudly, when it cannot: an E2E that cannot run is a failure, never a skip.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    // Pulumi operations start CLI and plugin processes; on 2 cores more than two files at
    // once only makes every one of them slower.
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
