import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../../engine/cli/commands/validate.js';
import { runCliInProcess } from '../../support/cli-in-process.js';

const corpus = 'test/fixtures/bad';

/**
 * Every bad document of the corpus (test/fixtures/bad/<case>/dev/…) with the exact lines
 * `driftless validate` must print, paths relative to the case folder. Each case is one
 * mistake people make; a few combine several to show one run reports all of them.
 */
const expected: Record<string, string[]> = {
  'bytes-binary-garbage': ['dev/orders-queue.yaml:1:4: file contains NUL bytes: it is binary, not YAML text'],
  'bytes-latin1': ['dev/orders-queue.yaml:8:22: file is not valid UTF-8 (byte 0xfc); save it as UTF-8'],
  'bytes-utf16': ['dev/orders-queue.yaml:1:1: file is UTF-16 encoded; save it as UTF-8'],
  'env-api-version-v1alpha1': ['dev/environment.yaml:1:1 apiVersion: expected "driftless/v1", got "driftless/v1alpha1"'],
  'env-aws-not-a-mapping': ['dev/environment.yaml:8:3 spec.aws: expected mapping, got string'],
  'env-backend-absolute-path': [
    'dev/environment.yaml:7:3 spec.backend: file:// paths are relative to the environments repository, got the absolute path "/var/lib/driftless"',
  ],
  'env-backend-escapes-repo': [
    'dev/environment.yaml:7:3 spec.backend: file:// path "../state" must stay inside the environments repository (no "..")',
  ],
  'env-backend-http': [
    'dev/environment.yaml:7:3 spec.backend: backend must start with file:// or s3://, got "https://state.example.com/dev"',
  ],
  'env-backend-s3-unknown-option': [
    'dev/environment.yaml:7:3 spec.backend: unknown s3:// backend option "regoin" (allowed: region, endpoint, s3ForcePathStyle)',
  ],
  'env-cron-four-fields': [
    'dev/environment.yaml:11:5 spec.drift.schedule: "*/15 * * *" is not a cron expression: expected 5 fields (minute hour day-of-month month day-of-week) or a nickname like @hourly',
  ],
  'env-cron-hour-out-of-range': [
    'dev/environment.yaml:11:5 spec.drift.schedule: "0 25 * * *" is not a valid cron expression: Invalid value for hour: 25',
  ],
  'env-cron-seconds-field': [
    'dev/environment.yaml:11:5 spec.drift.schedule: "0 */15 * * * *" is not a cron expression: expected 5 fields (minute hour day-of-month month day-of-week) or a nickname like @hourly',
  ],
  'env-drift-ignore-unknown-key': [
    'dev/environment.yaml:12:32 spec.drift.ignore[0].resource: unknown key "resource"; allowed: path, type, name',
  ],
  'env-drift-mode-typo': [
    'dev/environment.yaml:12:5 spec.drift.mode: expected one of "detect", "remediate", got "detekt" (did you mean "detect"?)',
  ],
  'env-file-missing': ['dev/environment.yaml:1:1: missing environment.yaml: every environment folder needs one'],
  'env-kind-in-stack-file': ['dev/staging.yaml:2:1 kind: an Environment belongs in environment.yaml; every other file holds one Stack'],
  'env-name-not-folder': ['dev/environment.yaml:4:3 metadata.name: environment "development" must be named like its folder "dev"'],
  'env-notification-type-typo': ['dev/environment.yaml:11:7 spec.notifications[0].type: expected one of "webhook", "slack", got "email"'],
  'env-parallelism-quoted': ['dev/environment.yaml:10:3 spec.parallelism: expected number, got string'],
  'env-parallelism-zero': ['dev/environment.yaml:10:3 spec.parallelism: must be >= 1, got 0'],
  'env-prune-yes': ['dev/environment.yaml:10:3 spec.prune: expected boolean, got string'],
  'env-region-typo': ['dev/environment.yaml:9:5 spec.aws.region: must be an AWS region such as us-east-1, got "us-east"'],
  'env-slack-url-in-yaml': [
    'dev/environment.yaml:12:7 spec.notifications[0].url: a Slack webhook URL is a secret: name the environment variable holding it with urlFromEnv',
  ],
  'env-typo-deploy-branch': [
    'dev/environment.yaml:5:1 spec.deployBranch: missing required value, expected string',
    'dev/environment.yaml:6:3 spec.deployBrnach: unknown key "deployBrnach" (did you mean "deployBranch"?)',
  ],
  'env-yml-extension': [
    'dev/environment.yaml:1:1: missing environment.yaml: every environment folder needs one',
    'dev/environment.yml:2:1 kind: an Environment belongs in environment.yaml; every other file holds one Stack',
  ],
  'many-mistakes-in-one-run': [
    'dev/environment.yaml:12:5 spec.drift.mode: expected one of "detect", "remediate", got "auto"',
    'dev/orders-queue.yaml:8:5 spec.params.visibilityTimeoutSeconds: expected number, got string',
    'dev/orders-topic.yaml:6:3 spec.template: unknown template "sns-topic"; installed: bucket, config, event-rule, kms-key, queue, service-role, topic',
    'dev/orders-topic.yaml:7:29 spec.dependsOn[1]: unknown stack "network"; stacks in dev: orders-queue, orders-topic, reports',
    'dev/reports.yaml:8:5 spec.params.versoning: unknown key "versoning" (did you mean "versioning"?)',
  ],
  'stack-bucket-kms-key-without-kms': ['dev/reports.yaml:10:7 spec.params.encryption.kmsKey: kmsKey is only used with algorithm aws:kms'],
  'stack-dead-letter-count-missing': [
    'dev/orders-queue.yaml:9:5 spec.params.deadLetter.maxReceiveCount: missing required value, expected number',
  ],
  'stack-depends-on-cycle': [
    'dev/orders-queue.yaml:7:15 spec.dependsOn[0]: dependency cycle: orders-queue -> orders-topic -> orders-queue',
  ],
  'stack-depends-on-itself': ['dev/orders-queue.yaml:7:15 spec.dependsOn[0]: dependency cycle: orders-queue -> orders-queue'],
  'stack-depends-on-missing': [
    'dev/orders-topic.yaml:7:15 spec.dependsOn[0]: unknown stack "orders-queu" (did you mean "orders-queue"?); stacks in dev: orders-queue, orders-topic',
  ],
  'stack-depends-on-string': ['dev/orders-topic.yaml:7:3 spec.dependsOn: expected list, got string'],
  'stack-depends-on-three-cycle': ['dev/a-key.yaml:7:15 spec.dependsOn[0]: dependency cycle: a-key -> c-role -> b-bucket -> a-key'],
  'stack-drift-override-typo': ['dev/orders-queue.yaml:11:5 spec.drift.schedual: unknown key "schedual" (did you mean "schedule"?)'],
  'stack-drift-ignore-bad-path': [
    'dev/orders-queue.yaml:12:9 spec.drift.ignore[1]: "tags..team" is not a field path: ".team" does not start with a key; write keys that are not identifiers as ["…"]',
  ],
  'stack-duplicate-name': [
    'dev/payments-queue.yaml:4:3 metadata.name: duplicate stack name "orders-queue": also defined at test/fixtures/bad/stack-duplicate-name/dev/orders-queue.yaml:4:3',
  ],
  'stack-event-rule-crontab-syntax': [
    'dev/nightly.yaml:9:5 spec.params.schedule: must be rate(N minutes|hours|days) or cron(<6 EventBridge fields>), got "0 2 * * *"',
  ],
  'stack-event-rule-schedule-and-pattern': ['dev/nightly.yaml:8:3 spec.params: needs exactly one of schedule and eventPattern'],
  'stack-missing-template': ['dev/orders-queue.yaml:5:1 spec.template: missing required value, expected string'],
  'stack-name-path-traversal': [
    'dev/orders-queue.yaml:4:3 metadata.name: "../../etc/passwd" is not a valid name: path separators and ".." are not allowed',
  ],
  'stack-name-with-dot': [
    'dev/orders-queue.yaml:4:3 metadata.name: "orders.queue" is not a valid name: use letters, digits, "-" and "_", starting with a letter or digit',
  ],
  'stack-name-with-space': [
    'dev/orders-queue.yaml:4:3 metadata.name: "Orders Queue" is not a valid name: use letters, digits, "-" and "_", starting with a letter or digit',
  ],
  'stack-params-as-list': ['dev/orders-queue.yaml:7:3 spec.params: expected mapping, got list'],
  'stack-params-dedented': [
    'dev/orders-queue.yaml:7:3 spec.params: expected mapping, got null',
    'dev/orders-queue.yaml:8:3 spec.visibilityTimeoutSeconds: unknown key "visibilityTimeoutSeconds"; allowed: template, params, dependsOn, drift, tags',
  ],
  'stack-params-float-for-integer': ['dev/orders-queue.yaml:8:5 spec.params.visibilityTimeoutSeconds: expected integer, got number'],
  'stack-params-key-typo': [
    'dev/orders-queue.yaml:8:5 spec.params.visibiltyTimeoutSeconds: unknown key "visibiltyTimeoutSeconds" (did you mean "visibilityTimeoutSeconds"?)',
  ],
  'stack-params-out-of-range': ['dev/orders-queue.yaml:8:5 spec.params.visibilityTimeoutSeconds: must be <= 43200, got 50000'],
  'stack-params-wrong-type': ['dev/orders-queue.yaml:8:5 spec.params.visibilityTimeoutSeconds: expected number, got string'],
  'stack-queue-dedup-without-fifo': [
    'dev/orders-queue.yaml:9:5 spec.params.contentBasedDeduplication: contentBasedDeduplication needs fifo: true',
  ],
  'stack-ref-as-interpolation': ['dev/orders-topic.yaml:10:9 spec.params.subscriptions[0].queue: expected mapping, got string'],
  'stack-ref-not-in-depends-on': [
    'dev/orders-topic.yaml:9:18 spec.params.subscriptions[0].queue.fromStack: stack "orders-queue" must be listed in spec.dependsOn to use its outputs',
  ],
  'stack-ref-unknown-output': [
    'dev/orders-topic.yaml:10:43 spec.params.subscriptions[0].queue.output: stack "orders-queue" (template queue) has no output "ARN" (did you mean "arn"?); outputs: arn, url, name, deadLetterArn, deadLetterName, visibilityTimeoutSeconds, maxReceiveCount',
  ],
  'stack-role-action-not-a-list': ['dev/worker-role.yaml:10:9 spec.params.policies[0].actions: expected list, got string'],
  'stack-role-action-wildcard': [
    'dev/worker-role.yaml:10:19 spec.params.policies[0].actions[0]: "*" is not an IAM action such as sqs:SendMessage',
  ],
  'stack-role-resource-star': [
    'dev/worker-role.yaml:11:21 spec.params.policies[0].resources[0]: resource "*" grants every resource: name ARNs or reference a stack output',
  ],
  'stack-secret-value-in-yaml': [
    'dev/app-config.yaml:9:9 spec.params.parameters[0]: a SecureString parameter needs fromEnv',
    'dev/app-config.yaml:11:9 spec.params.parameters[0].value: a SecureString parameter takes fromEnv, not value: secret values never appear in YAML',
  ],
  'stack-spec-key-typo': ['dev/orders-queue.yaml:7:3 spec.parms: unknown key "parms" (did you mean "params"?)'],
  'stack-ssm-type-typo': [
    'dev/app-config.yaml:10:9 spec.params.parameters[0].type: expected one of "String", "StringList", "SecureString", got "string" (did you mean "String"?)',
  ],
  'stack-tag-value-number': ['dev/orders-queue.yaml:10:5 spec.tags.cost-center: expected string, got number'],
  'stack-unknown-template': [
    'dev/orders-queue.yaml:6:3 spec.template: unknown template "sqs-queue"; installed: bucket, config, event-rule, kms-key, queue, service-role, topic',
  ],
  'yaml-alias-bomb': ['dev/orders-queue.yaml:9:12: aliases expand more than 100 times (a "YAML bomb"): write the values out'],
  'yaml-bad-indentation': ['dev/orders-queue.yaml:7:1: bad indentation: all mapping items must start at the same column'],
  'yaml-cloudformation-tag': [
    'dev/orders-queue.yaml:6:13: unknown tag !Ref: driftless YAML has no custom tags (reference another stack with { fromStack, output })',
  ],
  'yaml-duplicate-key': ['dev/orders-queue.yaml:9:5: duplicate key "visibilityTimeoutSeconds": each key may appear once in a mapping'],
  'yaml-empty-file': ['dev/orders-queue.yaml:1:1: file is empty: expected one YAML document'],
  'yaml-missing-colon': ['dev/orders-queue.yaml:6:3: a key runs over several lines: is the ":" after a key missing?'],
  'yaml-plain-string-document': ['dev/orders-queue.yaml:1:1: expected mapping, got string'],
  'yaml-tab-indentation': ['dev/orders-queue.yaml:8:1: tab character used for indentation: YAML indents with spaces only'],
  'yaml-two-documents': ['dev/queues.yaml:9:1: found 2 YAML documents, expected one per file: put each stack in its own file'],
  'yaml-unclosed-flow-list': [
    'dev/orders-queue.yaml:8:3: bad indentation: flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
  'yaml-unclosed-quote': ['dev/orders-queue.yaml:9:1: Missing closing "quote'],
};

/** Runs the validate command in-process; resolves to exit code and the message lines. */
async function validateInProcess(dir: string): Promise<{ code: number; lines: string[] }> {
  let out = '';
  const code = await validateCommand.run([dir], { out: (t) => (out += t), err: (t) => (out += t) });
  return { code, lines: out.trimEnd().split('\n') };
}

/** The lines above with the case folder prefixed, plus the summary line validate ends with. */
function withPrefix(dir: string, lines: string[]): string[] {
  return lines.map((l) => `${dir}/${l}`);
}

const summary = /^\d+ errors? in \d+ file\(s\)$/;

describe('bad documents corpus', () => {
  it('covers every case folder and holds at least 40 mistakes', () => {
    expect(readdirSync(corpus).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(40);
  });

  for (const [name, lines] of Object.entries(expected)) {
    it(`${name}: exit 1 with the exact place and wording`, async () => {
      const dir = `${corpus}/${name}`;
      const r = await validateInProcess(dir);
      expect(r.code).toBe(1);
      expect(r.lines.slice(0, -1)).toEqual(withPrefix(dir, lines));
      expect(r.lines.at(-1)).toMatch(summary);
    });
  }
});

/**
 * `driftless validate …` as the CLI runs it (argument dispatch, command loading, exit code,
 * stdout vs stderr), in-process through runCli so the unit tier needs no build. The built
 * binary itself is run by test/integration/cli.test.ts.
 */
describe('driftless validate through the CLI entry', () => {
  const viaCli = [
    'stack-params-wrong-type',
    'stack-unknown-template',
    'stack-depends-on-cycle',
    'stack-duplicate-name',
    'yaml-tab-indentation',
    'yaml-alias-bomb',
    'bytes-binary-garbage',
    'many-mistakes-in-one-run',
  ];

  for (const name of viaCli) {
    it(`${name}: exit 1, messages on stdout`, async () => {
      const dir = `${corpus}/${name}`;
      const r = await runCliInProcess(['validate', dir]);
      expect(r.code).toBe(1);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.slice(0, -1)).toEqual(withPrefix(dir, expected[name]!));
      expect(r.stderr).toBe('');
    });
  }

  describe('a 10 MB file', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'driftless-huge-'));
      mkdirSync(join(root, 'dev'));
      writeFileSync(join(root, 'dev', 'environment.yaml'), readFileSync(`${corpus}/stack-params-wrong-type/dev/environment.yaml`));
      // Valid YAML all the way (comments), so only the size can be what rejects it.
      writeFileSync(join(root, 'dev', 'huge.yaml'), '# padding padding padding padding padding padding\n'.repeat(200_000));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('is rejected by its size, exit 1', async () => {
      const r = await runCliInProcess(['validate', root]);
      expect(r.code).toBe(1);
      expect(r.stdout.split('\n')[0]).toBe(
        `${relative(process.cwd(), join(root, 'dev', 'huge.yaml'))}:1:1: file is 10.0 MB, larger than the 256 KiB limit for one document`,
      );
    });
  });

  it('--json gives the same messages as data', async () => {
    const dir = `${corpus}/stack-params-wrong-type`;
    const r = await runCliInProcess(['validate', '--json', dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: false,
      environments: [],
      messages: [
        {
          file: `${dir}/dev/orders-queue.yaml`,
          line: 8,
          col: 5,
          path: 'spec.params.visibilityTimeoutSeconds',
          message: 'expected number, got string',
          severity: 'error',
        },
      ],
    });
  });

  it('the example environments validate: exit 0', async () => {
    const r = await runCliInProcess(['validate', 'environments']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('valid: 2 environments, 11 stacks\n');
  });
});
