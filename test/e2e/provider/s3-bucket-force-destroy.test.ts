import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadBucketCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { Bucket } from '../../../provider/sdk/index.js';
import { selectInlineStack } from '../../../engine/pulumi/workspace.js';
import { fileBackendLocations } from '../../../engine/toolchain/pulumi-env.js';
import { awsTestConfig, awsTestEnv, uniqueName } from '../../support/aws.js';

const s3 = new S3Client(awsTestConfig());

/** Runs `count` calls, `width` at a time (LocalStack in host mode has two cores to share). */
async function inBatches(count: number, width: number, call: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += width) {
    await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => call(start + k)));
  }
}

describe('driftless-aws:s3:Bucket forceDestroy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'driftless-s3-force-destroy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('destroys a versioned bucket holding more object versions and delete markers than one page lists', async () => {
    const name = uniqueName('conf-s3-force');
    const stack = await selectInlineStack({
      projectName: 'conformance-s3-force-destroy',
      stackName: 'e2e',
      program: async () => {
        new Bucket('data', { name, versioning: true, forceDestroy: true });
      },
      locations: fileBackendLocations(join(dir, 'state')),
      workDir: join(dir, 'work'),
      envVars: awsTestEnv(),
    });
    expect((await stack.up()).summary.result).toBe('succeeded');

    // 340 keys x 2 versions + 340 delete markers = 1,020 entries: more than the 1,000 one
    // ListObjectVersions page (and one DeleteObjects call) holds.
    const keys = 340;
    await inBatches(keys, 40, (i) => s3.send(new PutObjectCommand({ Bucket: name, Key: `data/${i}`, Body: 'v1' })));
    await inBatches(keys, 40, (i) => s3.send(new PutObjectCommand({ Bucket: name, Key: `data/${i}`, Body: 'v2' })));
    await inBatches(keys, 40, (i) => s3.send(new DeleteObjectCommand({ Bucket: name, Key: `data/${i}` })));
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: name }));
    expect(listed.IsTruncated).toBe(true);
    expect(listed.DeleteMarkers?.length).toBeGreaterThan(0);

    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe('succeeded');
    await expect(s3.send(new HeadBucketCommand({ Bucket: name }))).rejects.toMatchObject({ name: 'NotFound' });
  });
});
