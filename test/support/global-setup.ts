import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureLocalStack, type LocalStackHandle } from '../../engine/localstack/lifecycle.js';

let handle: LocalStackHandle | undefined;

/**
 * Starts LocalStack once for the whole run (or reuses a healthy one on the port) and
 * hands its endpoint to the test files through the environment. When it cannot start,
 * the run fails here with the reason instead of skipping the E2E suites.
 */
export async function setup(project: TestProject): Promise<void> {
  const port = Number(process.env.DRIFTLESS_TEST_LOCALSTACK_PORT ?? 4566);
  const stateDir = mkdtempSync(join(tmpdir(), 'driftless-test-localstack-'));
  const r = await ensureLocalStack({ port, stateDir: process.env.DRIFTLESS_TEST_LOCALSTACK_STATE ?? stateDir });
  if (!r.ok) throw new Error(`E2E tests need LocalStack and it could not be started: ${r.message}`);
  handle = r.value;
  process.env.DRIFTLESS_TEST_AWS_ENDPOINT = handle.endpoint;
  project.provide('awsEndpoint', handle.endpoint);
}

/** Stops LocalStack only if this run started it. */
export async function teardown(): Promise<void> {
  await handle?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}
