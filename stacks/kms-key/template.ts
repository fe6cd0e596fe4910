import { defineTemplate } from '../../sdk/template/index.js';
import { KmsKeyParams } from './params.js';
import { kmsKeyProgram } from './program.js';

/** The built-in `kms-key` template: a symmetric customer-managed KMS key. */
export const kmsKeyTemplate = defineTemplate({
  name: 'kms-key',
  version: '1.0.0',
  description: 'KMS symmetric key with rotation and an optional alias',
  params: KmsKeyParams,
  outputs: [
    { name: 'arn', description: 'key ARN' },
    { name: 'keyId', description: 'key id' },
    { name: 'aliasName', description: 'alias/<alias>, or empty without one' },
  ],
  program: kmsKeyProgram,
});
