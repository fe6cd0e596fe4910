import * as pulumi from '@pulumi/pulumi';
import { resourceProps, type JsonInput } from './resource-props.js';
import { ALIAS_TOKEN, KEY_TOKEN } from './tokens.js';

/** Arguments of a KMS key. */
export interface KeyArgs {
  description?: pulumi.Input<string>;
  /** Default SYMMETRIC_DEFAULT. Changing it replaces the key. */
  keySpec?: pulumi.Input<string>;
  /** Default ENCRYPT_DECRYPT. Changing it replaces the key. */
  keyUsage?: pulumi.Input<'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC'>;
  /** Default true. */
  enabled?: pulumi.Input<boolean>;
  /** Default false; symmetric keys only. */
  enableKeyRotation?: pulumi.Input<boolean>;
  /** Key policy; KMS's default policy (the account may use the key) when absent. */
  policy?: pulumi.Input<JsonInput>;
  /** Waiting period (7-30 days, default 7) when the key is deleted. */
  deletionWindowInDays?: pulumi.Input<number>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const KEY_OUTPUTS = [
  'description',
  'keySpec',
  'keyUsage',
  'enabled',
  'enableKeyRotation',
  'policy',
  'deletionWindowInDays',
  'tags',
  'arn',
  'keyId',
] as const;

/** A KMS key managed by the driftless-aws provider. Its id is the key id; deleting it schedules deletion. */
export class Key extends pulumi.CustomResource {
  declare readonly description: pulumi.Output<string>;
  declare readonly keySpec: pulumi.Output<string>;
  declare readonly keyUsage: pulumi.Output<string>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly enableKeyRotation: pulumi.Output<boolean>;
  /** Canonical JSON text of the key policy; absent while it is KMS's default. */
  declare readonly policy: pulumi.Output<string | undefined>;
  declare readonly deletionWindowInDays: pulumi.Output<number>;
  declare readonly tags: pulumi.Output<Record<string, string>>;
  declare readonly arn: pulumi.Output<string>;
  declare readonly keyId: pulumi.Output<string>;

  constructor(name: string, args: KeyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(KEY_TOKEN, name, resourceProps(args, KEY_OUTPUTS), opts);
  }
}

/** Arguments of a KMS alias. */
export interface AliasArgs {
  /** "alias/…"; generated when absent. Changing it replaces the alias. */
  name?: pulumi.Input<string>;
  /** Id or ARN of the key it points at; retargeted in place. */
  targetKeyId: pulumi.Input<string>;
}

const ALIAS_OUTPUTS = ['name', 'targetKeyId', 'arn'] as const;

/** A KMS alias managed by the driftless-aws provider. Its id is the alias name. */
export class Alias extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  /** The key's id (an ARN given as input is stored as the id). */
  declare readonly targetKeyId: pulumi.Output<string>;
  declare readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AliasArgs, opts?: pulumi.CustomResourceOptions) {
    super(ALIAS_TOKEN, name, resourceProps(args, ALIAS_OUTPUTS), opts);
  }
}
