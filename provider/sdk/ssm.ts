import * as pulumi from '@pulumi/pulumi';
import { resourceProps } from './resource-props.js';
import { PARAMETER_TOKEN } from './tokens.js';

/** Arguments of an SSM parameter. */
export interface ParameterArgs {
  /** Physical name (hierarchical names start with "/"); generated when absent. Changing it replaces the parameter. */
  name?: pulumi.Input<string>;
  /** Changing it replaces the parameter. */
  type: pulumi.Input<'String' | 'StringList' | 'SecureString'>;
  /** The value (a StringList's items comma-separated). Always kept as a Pulumi secret. */
  value: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** KMS key of a SecureString; the AWS-managed key when absent. */
  keyId?: pulumi.Input<string>;
  /** Regular expression the value must match. */
  allowedPattern?: pulumi.Input<string>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const OUTPUTS = ['name', 'type', 'value', 'description', 'keyId', 'allowedPattern', 'tags', 'arn', 'version'] as const;

/** An SSM parameter managed by the driftless-aws provider. Its id is the parameter name. */
export class Parameter extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly type: pulumi.Output<'String' | 'StringList' | 'SecureString'>;
  /** A secret output, whatever the type. */
  declare readonly value: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string | undefined>;
  declare readonly keyId: pulumi.Output<string | undefined>;
  declare readonly allowedPattern: pulumi.Output<string | undefined>;
  declare readonly tags: pulumi.Output<Record<string, string>>;
  declare readonly arn: pulumi.Output<string>;
  declare readonly version: pulumi.Output<number>;

  constructor(name: string, args: ParameterArgs, opts?: pulumi.CustomResourceOptions) {
    // The value is a secret from the program on, not only once the provider has seen it.
    super(PARAMETER_TOKEN, name, resourceProps({ ...args, value: pulumi.secret(args.value) }, OUTPUTS), {
      ...opts,
      additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), 'value'],
    });
  }
}
