import { defineTemplate } from '../../sdk/template/index.js';
import { ConfigParams } from './params.js';
import { configEnv, configProgram } from './program.js';

/** The built-in `config` template: SSM parameters and Secrets Manager secrets. */
export const configTemplate = defineTemplate({
  name: 'config',
  version: '1.0.0',
  description:
    'SSM parameters (String, StringList, SecureString) and Secrets Manager secrets; secret values come from environment variables',
  params: ConfigParams,
  outputs: [
    { name: 'parameterArns', description: 'ARN of each parameter, by parameter name' },
    { name: 'secretArns', description: 'ARN of each secret, by secret name' },
  ],
  program: configProgram,
  env: configEnv,
});
