import * as pulumi from '@pulumi/pulumi';
import { resourceProps, type JsonInput } from './resource-props.js';
import { RULE_TOKEN, TARGET_TOKEN } from './tokens.js';

/** Arguments of an EventBridge rule: an event pattern, a schedule, or both. */
export interface RuleArgs {
  /** Physical name; generated when absent. Changing it replaces the rule. */
  name?: pulumi.Input<string>;
  /** Default "default". Changing it replaces the rule. */
  eventBusName?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  eventPattern?: pulumi.Input<JsonInput>;
  /** `rate(…)` or `cron(…)`. */
  scheduleExpression?: pulumi.Input<string>;
  /** Default ENABLED. */
  state?: pulumi.Input<'ENABLED' | 'DISABLED'>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const RULE_OUTPUTS = ['name', 'eventBusName', 'description', 'eventPattern', 'scheduleExpression', 'state', 'tags', 'arn'] as const;

/** An EventBridge rule managed by the driftless-aws provider. Its id is the rule name. */
export class Rule extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly eventBusName: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string | undefined>;
  /** Canonical JSON text. */
  declare readonly eventPattern: pulumi.Output<string | undefined>;
  declare readonly scheduleExpression: pulumi.Output<string | undefined>;
  declare readonly state: pulumi.Output<'ENABLED' | 'DISABLED'>;
  declare readonly tags: pulumi.Output<Record<string, string>>;
  declare readonly arn: pulumi.Output<string>;

  constructor(name: string, args: RuleArgs, opts?: pulumi.CustomResourceOptions) {
    super(RULE_TOKEN, name, resourceProps(args, RULE_OUTPUTS), opts);
  }
}

/** Arguments of an EventBridge target. */
export interface TargetArgs {
  /** Name of the rule. Changing it replaces the target. */
  rule: pulumi.Input<string>;
  /** Default "default". Changing it replaces the target. */
  eventBusName?: pulumi.Input<string>;
  /** Id within the rule; generated when absent. Changing it replaces the target. */
  targetId?: pulumi.Input<string>;
  /** ARN of what receives the events. */
  arn: pulumi.Input<string>;
  /** Constant JSON sent instead of the event. */
  input?: pulumi.Input<JsonInput>;
  /** JSONPath of the part of the event to send. */
  inputPath?: pulumi.Input<string>;
  /** Role EventBridge assumes to reach the target. */
  roleArn?: pulumi.Input<string>;
}

const TARGET_OUTPUTS = ['rule', 'eventBusName', 'targetId', 'arn', 'input', 'inputPath', 'roleArn'] as const;

/** An EventBridge target managed by the driftless-aws provider. Its id is `<bus>/<rule>/<targetId>`. */
export class Target extends pulumi.CustomResource {
  declare readonly rule: pulumi.Output<string>;
  declare readonly eventBusName: pulumi.Output<string>;
  declare readonly targetId: pulumi.Output<string>;
  declare readonly arn: pulumi.Output<string>;
  /** Canonical JSON text. */
  declare readonly input: pulumi.Output<string | undefined>;
  declare readonly inputPath: pulumi.Output<string | undefined>;
  declare readonly roleArn: pulumi.Output<string | undefined>;

  constructor(name: string, args: TargetArgs, opts?: pulumi.CustomResourceOptions) {
    super(TARGET_TOKEN, name, resourceProps(args, TARGET_OUTPUTS), opts);
  }
}
