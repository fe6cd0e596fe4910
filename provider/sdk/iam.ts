import * as pulumi from '@pulumi/pulumi';
import { resourceProps, type JsonInput } from './resource-props.js';
import { ROLE_TOKEN } from './tokens.js';

/** Arguments of an IAM role. */
export interface RoleArgs {
  /** Physical name; generated from the logical name when absent. Changing it replaces the role. */
  name?: pulumi.Input<string>;
  /** Default "/". Changing it replaces the role. */
  path?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** Who may assume the role (the trust policy). */
  assumeRolePolicy: pulumi.Input<JsonInput>;
  /** Default 3600. */
  maxSessionDurationSeconds?: pulumi.Input<number>;
  /** Inline policies by policy name. */
  inlinePolicies?: pulumi.Input<Record<string, pulumi.Input<JsonInput>>>;
  /** ARNs of managed policies attached to the role (a set: order does not matter). */
  managedPolicyArns?: pulumi.Input<pulumi.Input<string>[]>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const OUTPUTS = [
  'name',
  'path',
  'description',
  'assumeRolePolicy',
  'maxSessionDurationSeconds',
  'inlinePolicies',
  'managedPolicyArns',
  'tags',
  'arn',
  'uniqueId',
] as const;

/** An IAM role managed by the driftless-aws provider. Its id is the role name. */
export class Role extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly path: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string | undefined>;
  /** Canonical JSON text of the trust policy. */
  declare readonly assumeRolePolicy: pulumi.Output<string>;
  declare readonly maxSessionDurationSeconds: pulumi.Output<number>;
  /** Canonical JSON text of each inline policy, by name. */
  declare readonly inlinePolicies: pulumi.Output<Record<string, string>>;
  /** Sorted, without duplicates. */
  declare readonly managedPolicyArns: pulumi.Output<string[]>;
  declare readonly tags: pulumi.Output<Record<string, string>>;
  declare readonly arn: pulumi.Output<string>;
  declare readonly uniqueId: pulumi.Output<string>;

  constructor(name: string, args: RoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(ROLE_TOKEN, name, resourceProps(args, OUTPUTS), opts);
  }
}
