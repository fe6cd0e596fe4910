import { z } from 'zod';
import type { TemplateParamsDefinition } from '../contract.js';

/** Params of the `kms-key` template. */
export const KmsKeyParams = z.strictObject({
  description: z.string().max(8192).default('managed by driftless').describe('key description'),
  enableKeyRotation: z.boolean().default(true).describe('rotate the key material yearly'),
  deletionWindowInDays: z.int().min(7).max(30).default(30).describe('days between destroy and the key being deleted'),
  /** Alias without the `alias/` prefix. */
  alias: z
    .string()
    .regex(/^(?!aws\/)[A-Za-z0-9/_-]{1,250}$/, 'must be letters, digits, "/", "_" or "-", without "alias/" and not under aws/')
    .optional()
    .describe('alias name without the alias/ prefix'),
});
/** Validated KMS key params. */
export type KmsKeyParams = z.infer<typeof KmsKeyParams>;

/** The `kms-key` template: a symmetric customer-managed key. */
export const kmsKeyDefinition: TemplateParamsDefinition<typeof KmsKeyParams> = {
  name: 'kms-key',
  version: '1',
  description: 'KMS symmetric key with rotation and an optional alias',
  params: KmsKeyParams,
  outputs: [
    { name: 'arn', description: 'key ARN' },
    { name: 'keyId', description: 'key id' },
    { name: 'aliasName', description: 'alias/<alias>, or empty without one' },
  ],
};
