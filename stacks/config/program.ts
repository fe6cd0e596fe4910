import * as pulumi from '@pulumi/pulumi';
import { Parameter, Secret } from '../../provider/sdk/index.js';
import type { TemplateContext, TemplateProgram } from '../contract.js';
import { resourceTags } from '../support/tags.js';
import type { ConfigParams } from './params.js';

/**
 * A secret value from the daemon's environment, wrapped as a Pulumi secret before it
 * touches anything else, so it is encrypted in state and masked in logs. A missing
 * variable stops the run: applying an empty secret would break whoever reads it.
 */
function secretFromEnv(variable: string, what: string, ctx: TemplateContext): pulumi.Output<string> {
  const value = process.env[variable];
  if (value === undefined || value === '')
    throw new Error(`stack ${ctx.stack}: ${what} takes its value from ${variable}, which is not set in the daemon's environment`);
  return pulumi.secret(value);
}

/**
 * SSM parameters and Secrets Manager secrets, named exactly as written (applications
 * look them up by those names). Plain values come from YAML; SecureString and secret
 * values only ever from environment variables.
 */
export const configProgram: TemplateProgram<ConfigParams> = (params, ctx) => {
  const tags = resourceTags(ctx);
  const parameterArns: Record<string, pulumi.Output<string>> = {};
  for (const p of params.parameters) {
    const value =
      p.type === 'String'
        ? p.value!
        : p.type === 'StringList'
          ? p.values!.join(',')
          : secretFromEnv(p.fromEnv!, `parameter ${p.name}`, ctx);
    parameterArns[p.name] = new Parameter(`parameter:${p.name}`, {
      name: p.name,
      type: p.type,
      value,
      description: p.description,
      tags,
    }).arn;
  }
  const secretArns: Record<string, pulumi.Output<string>> = {};
  for (const s of params.secrets) {
    secretArns[s.name] = new Secret(`secret:${s.name}`, {
      name: s.name,
      description: s.description,
      secretString: secretFromEnv(s.fromEnv, `secret ${s.name}`, ctx),
      tags,
    }).arn;
  }
  return { parameterArns, secretArns };
};
