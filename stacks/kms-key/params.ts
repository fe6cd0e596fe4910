import { z } from '../../sdk/template/index.js';

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
