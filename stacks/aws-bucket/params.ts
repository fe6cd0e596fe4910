import type { TemplateParamsDefinition } from '../contract.js';
import { BucketParams, bucketOutputs } from '../bucket/params.js';

/** The `aws-bucket` template: the same bucket built with @pulumi/aws (for real AWS accounts). */
export const awsBucketDefinition: TemplateParamsDefinition<typeof BucketParams> = {
  name: 'aws-bucket',
  version: '1',
  description: 'S3 bucket built with @pulumi/aws; same params and outputs as bucket',
  params: BucketParams,
  outputs: bucketOutputs,
};
