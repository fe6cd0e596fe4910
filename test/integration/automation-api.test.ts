import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it } from 'vitest';
import { selectInlineStack } from '../../engine/pulumi/workspace.js';
import { fileBackendLocations } from '../../engine/toolchain/pulumi-env.js';
import { tempDir } from '../support/temp.js';

/**
 * The built Pulumi CLI driven through the Automation API on the file backend. Component
 * resources need no provider plugin, so this proves the toolchain on its own.
 */
describe('Automation API with the built CLI on the file backend', () => {
  const dir = tempDir('automation');
  const program = async () => {
    const parent = new pulumi.ComponentResource('driftless:test:Group', 'group');
    new pulumi.ComponentResource('driftless:test:Member', 'member-a', {}, { parent });
    new pulumi.ComponentResource('driftless:test:Member', 'member-b', {}, { parent });
    const secret = pulumi.secret('s3cr3t-value');
    return { greeting: 'hello from driftless', members: 2, secret };
  };

  it('runs up, refresh and destroy and reports outputs and resource counts', async () => {
    const stack = await selectInlineStack({
      projectName: 'toolchain-check',
      stackName: 'dev',
      program,
      locations: fileBackendLocations(dir),
      workDir: `${dir}/work`,
    });

    const up = await stack.up();
    expect(up.summary.result).toBe('succeeded');
    // the stack itself + 3 components
    expect(up.summary.resourceChanges).toEqual({ create: 4 });
    expect(up.outputs.greeting).toEqual({ value: 'hello from driftless', secret: false });
    expect(up.outputs.members).toEqual({ value: 2, secret: false });
    expect(up.outputs.secret).toEqual({ value: 's3cr3t-value', secret: true });

    const state = await stack.exportStack();
    const resources = (state.deployment as { resources: { type: string }[] }).resources;
    expect(resources.filter((r) => r.type.startsWith('driftless:test:'))).toHaveLength(3);
    // exportStack decrypts; the checkpoint on disk holds the secret only encrypted
    const checkpoint = readFileSync(join(dir, 'backend', '.pulumi', 'stacks', 'toolchain-check', 'dev.json'), 'utf8');
    expect(checkpoint).toContain('"secret"');
    expect(checkpoint).not.toContain('s3cr3t-value');

    const refresh = await stack.refresh();
    expect(refresh.summary.result).toBe('succeeded');
    expect(refresh.summary.resourceChanges).toEqual({ same: 4 });

    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe('succeeded');
    expect(destroy.summary.resourceChanges).toEqual({ delete: 4 });
    const after = await stack.exportStack();
    expect((after.deployment as { resources?: unknown[] }).resources ?? []).toHaveLength(0);
  });
});
