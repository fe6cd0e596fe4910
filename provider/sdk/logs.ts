import * as pulumi from '@pulumi/pulumi';
import { resourceProps } from './resource-props.js';
import { LOG_GROUP_TOKEN } from './tokens.js';

/** Arguments of a CloudWatch Logs log group. */
export interface LogGroupArgs {
  /** Physical name; generated when absent. Changing it replaces the group. */
  name?: pulumi.Input<string>;
  /** Days events are kept (one of the values CloudWatch allows); forever when absent. */
  retentionInDays?: pulumi.Input<number>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const OUTPUTS = ['name', 'retentionInDays', 'tags', 'arn'] as const;

/** A CloudWatch Logs log group managed by the driftless-aws provider. Its id is the group name. */
export class LogGroup extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly retentionInDays: pulumi.Output<number | undefined>;
  declare readonly tags: pulumi.Output<Record<string, string>>;
  declare readonly arn: pulumi.Output<string>;

  constructor(name: string, args: LogGroupArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(LOG_GROUP_TOKEN, name, resourceProps(args, OUTPUTS), opts);
  }
}
