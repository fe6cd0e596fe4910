import { Cron } from 'croner';
import { z } from 'zod';

/** The only apiVersion this release reads. */
export const API_VERSION = 'driftless/v1';

/** Pulumi project every driftless stack lives in. */
export const PULUMI_PROJECT = 'driftless';

/**
 * Longest environment or stack name. Pulumi stack names may be 100 characters; the
 * reconciler joins `<environment>.<stack>`, so two names of 48 plus the dot always fit.
 */
export const MAX_NAME_LENGTH = 48;

/**
 * Names of environments, stacks and dependsOn entries. They become Pulumi stack names
 * (`<environment>.<stack>`), folder names and log labels, so they are restricted to
 * letters, digits, `-` and `_`. Dots are refused so that the joined form splits back
 * unambiguously; `/`, `\` and `..` get their own message because they are path traversal.
 */
export const Name = z.string().superRefine((value, ctx) => {
  if (value.length === 0) ctx.addIssue({ code: 'custom', message: 'must not be empty' });
  else if (/[/\\]|\.\./.test(value))
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid name: path separators and ".." are not allowed` });
  else if (value.length > MAX_NAME_LENGTH)
    ctx.addIssue({ code: 'custom', message: `"${value}" is longer than ${MAX_NAME_LENGTH} characters` });
  else if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value))
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a valid name: use letters, digits, "-" and "_", starting with a letter or digit`,
    });
});
/** A validated environment or stack name. */
export type Name = z.infer<typeof Name>;

/**
 * Why a cron expression is refused, or undefined when croner accepts it. Only the
 * five-field form and croner's nicknames are allowed: a six-field pattern means seconds to
 * croner but is easily a mistake for a standard crontab line, and sub-minute drift checks
 * would only queue up behind each other.
 */
export function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (!trimmed.startsWith('@') && trimmed.split(/\s+/).length !== 5)
    return `"${expression}" is not a cron expression: expected 5 fields (minute hour day-of-month month day-of-week) or a nickname like @hourly`;
  try {
    // Without a callback croner schedules nothing; the constructor only parses.
    new Cron(trimmed);
    return undefined;
  } catch (e) {
    // croner reports every pattern problem as a thrown TypeError/RangeError with its reason.
    return `"${expression}" is not a valid cron expression: ${e instanceof Error ? e.message.replace(/^CronPattern: /, '') : String(e)}`;
  }
}

/** A cron expression that croner can run (minute resolution). */
export const CronExpression = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** detect: report drift only; remediate: report it and run `up` to put Git's state back. */
export const DriftMode = z.enum(['detect', 'remediate']);
/** How a stack reacts to drift. */
export type DriftMode = z.infer<typeof DriftMode>;

/** AWS tag map: keys 1–128 characters, values up to 256, at most 50 tags (AWS limits). */
export const Tags = z
  .record(
    z.string().min(1, 'tag keys must not be empty').max(128, 'tag keys are at most 128 characters'),
    z.string().max(256, 'tag values are at most 256 characters'),
  )
  .refine((tags) => Object.keys(tags).length <= 50, 'at most 50 tags are allowed');
/** Tags applied to every resource of a stack. */
export type Tags = z.infer<typeof Tags>;

/** `metadata` of every document: a name and nothing else. */
export const Metadata = z.strictObject({ name: Name });
/** Document metadata. */
export type Metadata = z.infer<typeof Metadata>;

/** Name of an environment variable of the daemon (the only way secrets enter a run). */
export const EnvVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (upper case letters, digits and "_")');
