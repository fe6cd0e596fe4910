import { EnvVarName } from '../../schemas/common.js';
import { z } from '../../sdk/template/index.js';

const ParameterName = z.string().regex(/^\/?[A-Za-z0-9_.\-/]{1,1011}$/, 'must be an SSM parameter name such as /orders/db-host');

/**
 * One SSM parameter. Plain String and StringList values are configuration and live in
 * YAML; a SecureString's value never does: it is read from an environment variable of the
 * daemon at run time (`fromEnv`), so Git never holds the secret.
 */
export const SsmParameter = z
  .strictObject({
    name: ParameterName.describe('parameter name, used as written, e.g. /orders/db-host'),
    type: z.enum(['String', 'StringList', 'SecureString']).default('String').describe('parameter type'),
    value: z.string().optional().describe('value of a String parameter'),
    values: z
      .array(z.string().regex(/^[^,]*$/, 'StringList items must not contain ","'))
      .min(1)
      .optional()
      .describe('items of a StringList parameter'),
    fromEnv: EnvVarName.optional().describe("daemon environment variable holding a SecureString's value"),
    description: z.string().max(1024).optional().describe('parameter description'),
  })
  .superRefine((p, ctx) => {
    const only = (field: 'value' | 'values' | 'fromEnv', why: string): void => {
      for (const other of ['value', 'values', 'fromEnv'] as const)
        if (other !== field && p[other] !== undefined)
          ctx.addIssue({ code: 'custom', path: [other], message: `a ${p.type} parameter takes ${field}, not ${other}${why}` });
      if (p[field] === undefined) ctx.addIssue({ code: 'custom', message: `a ${p.type} parameter needs ${field}` });
    };
    if (p.type === 'String') only('value', '');
    else if (p.type === 'StringList') only('values', '');
    else only('fromEnv', ': secret values never appear in YAML');
  });

/** One Secrets Manager secret; its value comes from an environment variable of the daemon. */
export const Secret = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a secret name such as orders/db-password')
    .describe('secret name, used as written'),
  fromEnv: EnvVarName.describe('daemon environment variable holding the value'),
  description: z.string().max(2048).optional().describe('secret description'),
});

/** Params of the `config` template. */
export const ConfigParams = z
  .strictObject({
    parameters: z
      .array(SsmParameter)
      .default([])
      .describe('SSM parameters; a String takes value, a StringList values, a SecureString fromEnv'),
    secrets: z.array(Secret).default([]).describe('Secrets Manager secrets'),
  })
  .refine((c) => c.parameters.length + c.secrets.length > 0, 'needs at least one parameter or secret');
/** Validated config params. */
export type ConfigParams = z.infer<typeof ConfigParams>;
