import { inject } from 'vitest';

/** Region used by every test against LocalStack. */
export const TEST_REGION = 'us-east-1';

/**
 * Client configuration for AWS SDK v3 against the test LocalStack. LocalStack accepts
 * any credentials; these are dummies, never real ones.
 */
export function awsTestConfig() {
  return {
    endpoint: inject('awsEndpoint'),
    region: TEST_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
  };
}

/** Environment for Pulumi processes (and the provider plugin) pointed at the test LocalStack. */
export function awsTestEnv(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: inject('awsEndpoint'),
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}

/** A name unique to this test run, safe for AWS resource names. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
