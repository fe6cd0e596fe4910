import { defineTemplate } from '../../sdk/template/index.js';
import { ServiceRoleParams } from './params.js';
import { serviceRoleProgram } from './program.js';

/** The built-in `service-role` template: an IAM role with a least-privilege inline policy. */
export const serviceRoleTemplate = defineTemplate({
  name: 'service-role',
  version: '1.0.0',
  description: 'IAM role for an AWS service with least-privilege statements from a short list',
  params: ServiceRoleParams,
  outputs: [
    { name: 'arn', description: 'role ARN' },
    { name: 'name', description: 'role name' },
  ],
  program: serviceRoleProgram,
});
