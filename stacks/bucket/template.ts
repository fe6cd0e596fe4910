import { defineTemplate } from '../../sdk/template/index.js';
import { BucketParams } from './params.js';
import { bucketProgram } from './program.js';

/** The built-in `bucket` template: an S3 bucket through the driftless-aws provider. */
export const bucketTemplate = defineTemplate({
  name: 'bucket',
  version: '1.0.0',
  description: 'S3 bucket: versioned, encrypted and private by default, optional lifecycle rules and policy',
  params: BucketParams,
  outputs: [
    { name: 'name', description: 'bucket name' },
    { name: 'arn', description: 'bucket ARN' },
  ],
  program: bucketProgram,
});
