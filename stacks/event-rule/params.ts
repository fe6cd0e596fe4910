import { OutputRef, z } from '../../sdk/template/index.js';

/** EventBridge schedule expressions: `rate(5 minutes)` or `cron(0 12 * * ? *)`. */
const ScheduleExpression = z
  .string()
  .regex(
    /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\))$/,
    'must be rate(N minutes|hours|days) or cron(<6 EventBridge fields>)',
  );

/** Params of the `event-rule` template: exactly one of schedule and eventPattern. */
export const EventRuleParams = z
  .strictObject({
    description: z.string().max(512).optional().describe('rule description'),
    schedule: ScheduleExpression.optional().describe(
      'rate(N minutes|hours|days) or cron(6 fields); exactly one of schedule and eventPattern',
    ),
    eventPattern: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('EventBridge event pattern; exactly one of schedule and eventPattern'),
    enabled: z.boolean().default(true).describe('whether the rule fires'),
    /** The ARN output of a queue or topic stack, e.g. `{ fromStack: orders-queue, output: arn }`. */
    target: OutputRef.describe('the arn output of a queue or topic stack'),
  })
  .superRefine((r, ctx) => {
    if ((r.schedule === undefined) === (r.eventPattern === undefined))
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of schedule and eventPattern' });
  });
/** Validated event-rule params. */
export type EventRuleParams = z.infer<typeof EventRuleParams>;
