import { Alias, Key } from '../../sdk/aws.js';
import { resourceTags, type TemplateProgram } from '../../sdk/template/index.js';
import type { KmsKeyParams } from './params.js';

/**
 * A symmetric customer-managed key and, when asked, its alias. The alias is the name
 * people give the key, so it is used as written rather than derived from the stack.
 */
export const kmsKeyProgram: TemplateProgram<KmsKeyParams> = (params, ctx) => {
  const key = new Key('key', {
    description: params.description,
    enableKeyRotation: params.enableKeyRotation,
    deletionWindowInDays: params.deletionWindowInDays,
    tags: resourceTags(ctx),
  });
  const alias = params.alias === undefined ? undefined : new Alias('alias', { name: `alias/${params.alias}`, targetKeyId: key.keyId });
  return { arn: key.arn, keyId: key.keyId, aliasName: alias?.name ?? '' };
};
