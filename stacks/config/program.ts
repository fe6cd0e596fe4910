import { Parameter, Secret } from '../../sdk/aws.js';
import { type EnvRequirement, pulumi, resourceTags, type TemplateContext, type TemplateProgram } from '../../sdk/template/index.js';
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
 * The daemon environment variables the program reads (every SecureString's and secret's
 * `fromEnv`), with where the params name them: the engine checks them before Pulumi starts.
 */
export function configEnv(params: ConfigParams): EnvRequirement[] {
  const vars: EnvRequirement[] = [];
  params.parameters.forEach((p, i) => {
    if (p.type === 'SecureString' && p.fromEnv !== undefined) vars.push({ name: p.fromEnv, path: ['parameters', i, 'fromEnv'] });
  });
  params.secrets.forEach((s, i) => {
    vars.push({ name: s.fromEnv, path: ['secrets', i, 'fromEnv'] });
  });
  return vars;
}

/** One parameter of the params. */
type SsmParameter = ConfigParams['parameters'][number];

/**
 * The value of one parameter: as written for String and StringList, from the daemon's
 * environment for SecureString. The schema has already required the one field each type
 * takes; a parameter without it stops the program rather than writing an empty value.
 */
function parameterValue(p: SsmParameter, ctx: TemplateContext): pulumi.Input<string> {
  if (p.type === 'String' && p.value !== undefined) return p.value;
  if (p.type === 'StringList' && p.values !== undefined) return p.values.join(',');
  if (p.type === 'SecureString' && p.fromEnv !== undefined) return secretFromEnv(p.fromEnv, `parameter ${p.name}`, ctx);
  const field = p.type === 'String' ? 'value' : p.type === 'StringList' ? 'values' : 'fromEnv';
  throw new Error(`stack ${ctx.stack}: parameter ${p.name} is a ${p.type} parameter without ${field}`);
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
    const value = parameterValue(p, ctx);
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
