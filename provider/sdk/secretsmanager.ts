import * as pulumi from '@pulumi/pulumi';
import { resourceProps } from './resource-props.js';
import { SECRET_TOKEN } from './tokens.js';

/** Arguments of a Secrets Manager secret. */
export interface SecretArgs {
  /** Physical name; generated when absent. Changing it replaces the secret. */
  name?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** KMS key the value is encrypted with; the AWS-managed key when absent. */
  kmsKeyId?: pulumi.Input<string>;
  /** The secret's value. Always kept as a Pulumi secret. */
  secretString: pulumi.Input<string>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const OUTPUTS = ['name', 'description', 'kmsKeyId', 'secretString', 'tags', 'arn'] as const;

/**
 * A Secrets Manager secret managed by the driftless-aws provider. Its id is the ARN.
 * Deleting it skips the recovery window (the name is free again at once).
 */
export class Secret extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string | undefined>;
  declare readonly kmsKeyId: pulumi.Output<string | undefined>;
  /** A secret output. */
  declare readonly secretString: pulumi.Output<string>;
  declare readonly tags: pulumi.Output<Record<string, string>>;
  declare readonly arn: pulumi.Output<string>;

  constructor(name: string, args: SecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(SECRET_TOKEN, name, resourceProps({ ...args, secretString: pulumi.secret(args.secretString) }, OUTPUTS), {
      ...opts,
      additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), 'secretString'],
    });
  }
}
