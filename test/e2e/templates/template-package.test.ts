import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StackStatus } from '../../../engine/model/index.js';
import type { ReconcileReport } from '../../../engine/report/format-reconcile.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { type CliRun, runDriftless } from '../../support/cli.js';
import {
  EXAMPLE_PACKAGE,
  installBumpedExample,
  installExamplePackage,
  snapshotTree,
  writeFixturePackage,
} from '../../support/template-package.js';
import { tempDir } from '../../support/temp.js';
import { TestRepo } from '../daemon/git-repo.js';

/**
 * The example template package installed the way an operator installs it (built, `npm pack`,
 * `npm install --prefix <operator folder>` offline) and named on the command line: the real
 * CLI process validates, documents and applies environments mixing its templates with the
 * built-in ones on LocalStack, re-applies exactly the stacks of a template whose version
 * changed, and refuses broken packages before anything runs.
 */

const stack = (name: string, template: string, body: string): string =>
  `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec:\n  template: ${template}\n${body}`;

const environmentYaml = (name: string): string =>
  `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${name} }\nspec:\n  deployBranch: main\n  backend: file://state/${name}\n  aws: { region: us-east-1 }\n  tags: { team: template-package-e2e }\n`;

/** The environment: a built-in topic → two acme/worker stacks on it → a built-in rule targeting a worker's queue; plus acme/alarm-topic. */
const STACKS: Record<string, string> = {
  events: stack('events', 'topic', '  params: { displayName: Events }\n'),
  worker: stack(
    'worker',
    'acme/worker',
    '  dependsOn: [events]\n  params:\n    topic: { fromStack: events, output: arn }\n    maxReceiveCount: 3\n    config:\n      LOG_LEVEL: info\n      batchSize: "10"\n',
  ),
  'audit-worker': stack(
    'audit-worker',
    'acme/worker',
    '  dependsOn: [events]\n  params:\n    topic: { fromStack: events, output: arn }\n    filterPolicy: { eventType: [order.created] }\n    rawMessageDelivery: true\n',
  ),
  kick: stack(
    'kick',
    'event-rule',
    '  dependsOn: [worker]\n  params:\n    description: Wake the worker daily\n    schedule: rate(1 day)\n    target: { fromStack: worker, output: queueArn }\n',
  ),
  alarms: stack('alarms', 'acme/alarm-topic', '  params: { displayName: Alarms }\n'),
};
const STACK_NAMES = Object.keys(STACKS).sort();

/** True when a run printed a JavaScript stack trace. */
const hasStackTrace = (r: CliRun): boolean => /^ {4}at /m.test(r.stdout + r.stderr);

describe('an operator-installed template package through the CLI, on LocalStack', () => {
  const root = tempDir('template-package');
  const env = uniqueName('tp').replace(/-/g, '');
  const envDir = join(root, 'environments', env);
  const stateDir = join(root, 'driftless-state');
  const backendDir = join(root, 'state', env);
  const cliEnv = { DRIFTLESS_AWS_ENDPOINT: inject('awsEndpoint'), DRIFTLESS_STATE_DIR: stateDir, DRIFTLESS_LOG_LEVEL: 'warn' };
  let operatorDir = '';
  const withPackage = (): string[] => ['--templates', EXAMPLE_PACKAGE, '--templates-from', operatorDir];
  const cli = (args: string[], env: Record<string, string> = {}, timeoutMs?: number) =>
    runDriftless(args, { cwd: root, env: { ...cliEnv, ...env }, ...(timeoutMs ? { timeoutMs } : {}) });
  const upJson = async (): Promise<ReconcileReport> => {
    const run = await cli(['up', '--env', env, '--json', ...withPackage()]);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as ReconcileReport;
  };
  const outcomes = (r: ReconcileReport) => Object.fromEntries(r.stacks.map((s) => [s.stack, s.outcome]));
  const statusOf = async (name: string): Promise<StackStatus | undefined> => {
    const store = new SqliteRunStore(join(stateDir, 'driftless.db'));
    try {
      return await store.getStatus(env, name);
    } finally {
      await store.close();
    }
  };
  const outputsOf = async <T>(name: string): Promise<T> => (await statusOf(name))?.applied?.outputs as T;
  const historyLength = async (): Promise<number> => {
    const run = await cli(['history', '--env', env, '--json']);
    expect(run.code, run.stderr).toBe(0);
    return (JSON.parse(run.stdout) as unknown[]).length;
  };
  const sqs = new SQSClient(awsTestConfig());
  const sns = new SNSClient(awsTestConfig());
  const ssm = new SSMClient(awsTestConfig());
  const events = new EventBridgeClient(awsTestConfig());
  type WorkerOutputs = { queueArn: string; queueUrl: string; deadLetterArn: string; subscriptionArn: string; configParameter: string };

  beforeAll(() => {
    operatorDir = installExamplePackage(root);
    mkdirSync(envDir, { recursive: true });
    writeFileSync(join(envDir, 'environment.yaml'), environmentYaml(env));
    for (const [name, yaml] of Object.entries(STACKS)) writeFileSync(join(envDir, `${name}.yaml`), yaml);
  });

  afterAll(async () => {
    if (!existsSync(join(stateDir, 'driftless.db'))) return;
    for (const name of ['kick', 'audit-worker', 'worker', 'alarms', 'events'])
      await cli(['destroy', '--env', env, '--stack', name, '--yes', ...withPackage()]);
  });

  describe('validation, schema and listing', () => {
    it('validate accepts an environment using acme/worker, and refuses it without the package', async () => {
      const ok = await cli(['validate', join('environments', env), ...withPackage()]);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`valid: 1 environment, ${STACK_NAMES.length} stacks`);

      const without = await cli(['validate', join('environments', env)]);
      expect(without.code).toBe(1);
      expect(without.stdout).toMatch(
        new RegExp(`^environments/${env}/worker\\.yaml:5:\\d+ spec\\.template: unknown template "acme/worker"`, 'm'),
      );
    });

    it('validate rejects a typo in acme/worker params at its file:line:col, with a did-you-mean', async () => {
      const typoEnv = `${env}typo`;
      const dir = join(root, 'typos', typoEnv);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'environment.yaml'), environmentYaml(typoEnv));
      writeFileSync(join(dir, 'events.yaml'), STACKS.events!);
      // line 9, column 5: the key `maxRecieveCount`
      writeFileSync(
        join(dir, 'worker.yaml'),
        stack(
          'worker',
          'acme/worker',
          '  dependsOn: [events]\n  params:\n    topic: { fromStack: events, output: arn }\n    maxRecieveCount: 3\n',
        ),
      );
      const run = await cli(['validate', join('typos', typoEnv), ...withPackage()]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        `typos/${typoEnv}/worker.yaml:9:5 spec.params.maxRecieveCount: unknown key "maxRecieveCount" (did you mean "maxReceiveCount"?)`,
      );
      expect(run.stdout).toContain('1 error in 1 file(s)');

      const json = await cli(['validate', join('typos', typoEnv), '--json', ...withPackage()]);
      expect(JSON.parse(json.stdout).messages).toEqual([
        expect.objectContaining({ file: `typos/${typoEnv}/worker.yaml`, line: 9, col: 5, path: 'spec.params.maxRecieveCount' }),
      ]);
    });

    it("schema holds acme/worker's params in the Stack's allOf branch for acme/worker (package named by environment variables)", async () => {
      const run = await cli(['schema', '--kind', 'Stack'], { DRIFTLESS_TEMPLATES: EXAMPLE_PACKAGE, DRIFTLESS_TEMPLATES_FROM: operatorDir });
      expect(run.code, run.stderr).toBe(0);
      type Branch = { if: { properties: { template: { pattern: string } } }; then: { properties: { params: Record<string, unknown> } } };
      const spec = JSON.parse(run.stdout).properties.spec as {
        properties: { template: { anyOf: [{ enum: string[] }] } };
        allOf: Branch[];
      };
      expect(spec.properties.template.anyOf[0].enum).toEqual(expect.arrayContaining(['acme/worker', 'acme/alarm-topic', 'topic']));
      const branch = spec.allOf.find((b) => new RegExp(b.if.properties.template.pattern).test('acme/worker'));
      expect(branch, 'an allOf branch for acme/worker').toBeDefined();
      const params = branch!.then.properties.params as { properties: Record<string, unknown>; required?: string[]; description: string };
      expect(Object.keys(params.properties).sort()).toEqual(
        [
          'config',
          'deadLetterRetentionSeconds',
          'filterPolicy',
          'maxReceiveCount',
          'messageRetentionSeconds',
          'rawMessageDelivery',
          'servicePrincipal',
          'topic',
          'visibilityTimeoutSeconds',
        ].sort(),
      );
      expect(params.required).toEqual(['topic']);
      expect(params.description).toMatch(/^SQS worker/);
      // the branch applies to acme/worker (and acme/worker@range) only
      expect(new RegExp(branch!.if.properties.template.pattern).test('acme/worker@^2')).toBe(true);
      expect(new RegExp(branch!.if.properties.template.pattern).test('acme/alarm-topic')).toBe(false);
    });

    it('templates --json lists acme/worker with its version and source package name and path', async () => {
      const run = await cli(['templates', '--json', ...withPackage()]);
      expect(run.code, run.stderr).toBe(0);
      const list = (JSON.parse(run.stdout) as { templates: { name: string; version: string; source: Record<string, string> }[] }).templates;
      const worker = list.find((t) => t.name === 'acme/worker');
      expect(worker).toMatchObject({
        version: '2.0.0',
        source: { kind: 'package', package: EXAMPLE_PACKAGE, packageVersion: '2.0.0' },
      });
      expect(realpathSync(worker!.source.path!)).toBe(realpathSync(join(operatorDir, 'node_modules', '@acme', 'driftless-templates')));
      expect(list.find((t) => t.name === 'topic')?.source).toEqual({ kind: 'builtin' });
    });
  });

  describe('applying', () => {
    it('up applies built-in and package templates in dependency order, outputs flowing between them', async () => {
      const report = await upJson();
      expect(outcomes(report)).toEqual(Object.fromEntries(STACK_NAMES.map((s) => [s, 'applied'])));
      expect(report.pulumiOperations).toBe(STACK_NAMES.length);

      // dependencies first
      const history = JSON.parse((await cli(['history', '--env', env, '--json'])).stdout) as { id: number; stack: string }[];
      const id = (s: string) => history.find((r) => r.stack === s)?.id ?? Number.NaN;
      expect(id('worker')).toBeGreaterThan(id('events'));
      expect(id('audit-worker')).toBeGreaterThan(id('events'));
      expect(id('kick')).toBeGreaterThan(id('worker'));

      // the worker's queue, redriven to its dead-letter queue, subscribed to the topic of `events`
      const topic = await outputsOf<{ arn: string }>('events');
      const worker = await outputsOf<WorkerOutputs>('worker');
      const audit = await outputsOf<WorkerOutputs>('audit-worker');
      const attrs = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: worker.queueUrl, AttributeNames: ['RedrivePolicy', 'QueueArn'] }),
      );
      expect(attrs.Attributes?.QueueArn).toBe(worker.queueArn);
      expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: worker.deadLetterArn,
        maxReceiveCount: 3,
      });
      const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic.arn }));
      expect(subs.Subscriptions?.map((s) => [s.Protocol, s.Endpoint, s.SubscriptionArn]).sort()).toEqual(
        [
          ['sqs', worker.queueArn, worker.subscriptionArn],
          ['sqs', audit.queueArn, audit.subscriptionArn],
        ].sort(),
      );
      // its config in SSM
      expect(worker.configParameter).toBe(`/${env}/worker/config`);
      const param = await ssm.send(new GetParameterCommand({ Name: worker.configParameter }));
      expect(param.Parameter?.Value).toBe('{"LOG_LEVEL":"info","batchSize":"10"}');
      // the built-in rule targets the worker's queue
      const rule = await outputsOf<{ name: string }>('kick');
      const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: rule.name }));
      expect(Targets?.map((t) => t.Arn)).toEqual([worker.queueArn]);
    });

    it('a second up starts no Pulumi operation', async () => {
      const report = await upJson();
      expect(report.pulumiOperations).toBe(0);
      expect(outcomes(report)).toEqual(Object.fromEntries(STACK_NAMES.map((s) => [s, 'unchanged'])));
      const text = await cli(['up', '--env', env, ...withPackage()]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain('0 Pulumi operation(s)');
    });

    it('a new release of the package bumping acme/worker re-applies exactly the stacks using acme/worker', async () => {
      const queueUrl = (await outputsOf<WorkerOutputs>('worker')).queueUrl;
      installBumpedExample(root, operatorDir, '2.1.0');
      const listed = JSON.parse((await cli(['templates', '--json', ...withPackage()])).stdout) as {
        templates: { name: string; version: string; source: { packageVersion?: string } }[];
      };
      expect(listed.templates.find((t) => t.name === 'acme/worker')).toMatchObject({
        version: '2.1.0',
        source: { packageVersion: '2.1.0' },
      });
      expect(listed.templates.find((t) => t.name === 'acme/alarm-topic')).toMatchObject({ version: '2.0.0' });

      const report = await upJson();
      expect(outcomes(report)).toEqual({
        events: 'unchanged',
        worker: 'applied',
        'audit-worker': 'applied',
        // depends on worker, whose outputs did not change
        kick: 'unchanged',
        // same package, but its template's version did not change
        alarms: 'unchanged',
      });
      for (const s of report.stacks.filter((x) => x.outcome === 'applied')) expect(s.reason).toBe('template version changed');
      expect(report.pulumiOperations).toBe(2);
      expect((await statusOf('worker'))?.applied?.templateVersion).toBe('2.1.0');
      expect((await statusOf('alarms'))?.applied?.templateVersion).toBe('2.0.0');
      // the same queue, not a new one
      expect((await outputsOf<WorkerOutputs>('worker')).queueUrl).toBe(queueUrl);
    });
  });

  describe('broken template packages are refused at start-up, and nothing runs', () => {
    const fixtures = join(root, 'fixtures');
    /** The example package by folder, so the environment stays valid while a broken package comes from `fixtures`. */
    const acmeDir = () => join(operatorDir, 'node_modules', '@acme', 'driftless-templates');
    const repo = new TestRepo(join(root, 'repo'));
    let pendingMaxReceiveCount = '';

    beforeAll(() => {
      writeFixturePackage(
        fixtures,
        '@fixture/throws',
        "import { defineTemplate } from 'driftless/template';\nvoid defineTemplate;\nthrow new Error('fixture: no credentials for the template registry');\n",
      );
      writeFixturePackage(
        fixtures,
        '@fixture/invalid',
        [
          "import { defineTemplate, z } from 'driftless/template';",
          'const made = defineTemplate({ name: "fixture/latest", version: "1.0.0", description: "x", params: z.strictObject({}), outputs: [], program: () => ({}) });',
          'export const templates = [',
          '  { name: "fixture/handmade", version: "1.0.0", description: "not made by defineTemplate", params: z.strictObject({}), outputs: [], program: () => ({}) },',
          '  { ...made, version: "latest" },',
          '];',
          '',
        ].join('\n'),
      );
      const same = (pkg: string) =>
        `import { defineTemplate, z } from 'driftless/template';\nexport const templates = [defineTemplate({ name: 'fixture/same', version: '1.0.0', description: 'from ${pkg}', params: z.strictObject({}), outputs: [], program: () => ({}) })];\n`;
      writeFixturePackage(fixtures, '@fixture/dup-a', same('dup-a'));
      writeFixturePackage(fixtures, '@fixture/dup-b', same('dup-b'));
      writeFixturePackage(
        fixtures,
        '@fixture/needs-aws',
        "import { defineTemplate, z } from 'driftless/template';\nexport const templates = [defineTemplate({ name: 'fixture/needs-aws', version: '1.0.0', description: 'on @pulumi/aws', params: z.strictObject({}), outputs: [], plugins: [{ name: 'aws', version: '7.48.0' }], program: () => ({}) })];\n",
      );
      // A change waiting to be applied: any run that got as far as Pulumi would apply it.
      const file = join(envDir, 'worker.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('maxReceiveCount: 3', 'maxReceiveCount: 4'));
      pendingMaxReceiveCount = '4';
      // The same environment in a Git repository, for daemons that must not start.
      repo.write(`environments/${env}/environment.yaml`, environmentYaml(env));
      for (const [name, yaml] of Object.entries(STACKS)) repo.write(`environments/${env}/${name}.yaml`, yaml);
      repo.commit('the environment');
    });

    /** Runs `command`, which must be refused, and checks that no run was recorded and no Pulumi state or AWS resource changed. */
    const expectNothingRan = async (command: () => Promise<CliRun>): Promise<CliRun> => {
      const runs = await historyLength();
      const before = { pulumi: snapshotTree(backendDir), driftless: snapshotTree(stateDir) };
      expect(Object.keys(before.pulumi).length, 'the environment has Pulumi state to keep').toBeGreaterThan(0);
      const run = await command();
      expect({ pulumi: snapshotTree(backendDir), driftless: snapshotTree(stateDir) }).toEqual(before);
      expect(await historyLength()).toBe(runs);
      const worker = await outputsOf<WorkerOutputs>('worker');
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: worker.queueUrl, AttributeNames: ['RedrivePolicy'] }));
      expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}').maxReceiveCount).toBe(3);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(hasStackTrace(run), run.stdout + run.stderr).toBe(false);
      return run;
    };
    const up =
      (...packages: string[]) =>
      () =>
        cli(['up', '--env', env, '--templates', [acmeDir(), ...packages].join(','), '--templates-from', fixtures]);
    const expectUpRefused = async (packages: string[], ...messages: (string | RegExp)[]) => {
      const run = await expectNothingRan(up(...packages));
      for (const m of messages) expect(run.stderr).toMatch(m);
      expect(run.stderr).toMatch(/^driftless up: the template installation is refused; nothing was run$/m);
      expect(run.stdout).toBe('');
    };
    /** `driftless daemon --config <file>` with `templates` naming the example package and `packages`. */
    const daemonRefused = async (name: string, packages: string[], extra = '') => {
      const daemonState = join(root, `daemon-state-${name}`);
      const configFile = join(root, `daemon-${name}.yaml`);
      writeFileSync(
        configFile,
        [
          `source: { repository: ${repo.dir}, pollIntervalSeconds: 1 }`,
          `stateDir: ${daemonState}`,
          `backendBaseDir: ${root}`,
          `awsEndpoint: ${inject('awsEndpoint')}`,
          'http: { port: 0 }',
          'templates:',
          `  from: ${fixtures}`,
          `  packages: [${[acmeDir(), ...packages].map((p) => JSON.stringify(p)).join(', ')}]`,
          extra,
        ].join('\n'),
      );
      // A daemon that wrongly started would run until killed: give it far less than the test's time.
      const run = await expectNothingRan(() => runDriftless(['daemon', '--config', configFile], { cwd: root, timeoutMs: 30_000 }));
      expect(run.stderr).toMatch(/^driftless daemon: the template installation is refused; not started$/m);
      expect(existsSync(daemonState), 'the daemon created its state folder').toBe(false);
      return run;
    };

    it('(a) an unresolvable package name', async () => {
      expect(pendingMaxReceiveCount).toBe('4');
      await expectUpRefused(
        ['@fixture/not-installed'],
        `driftless up: template package @fixture/not-installed: cannot be resolved from ${fixtures}: install it there (npm install --prefix ${fixtures} @fixture/not-installed)`,
      );
      const daemon = await daemonRefused('unresolvable', ['@fixture/not-installed']);
      expect(daemon.stderr).toContain(`driftless daemon: template package @fixture/not-installed: cannot be resolved from ${fixtures}`);
    });

    it('(b) a package whose entry throws at import', async () => {
      await expectUpRefused(
        ['@fixture/throws'],
        `driftless up: template package @fixture/throws@1.0.0 (${join(fixtures, 'node_modules', '@fixture', 'throws')}): throws at import of ./index.js: fixture: no credentials for the template registry`,
      );
    });

    it('(c) a package exporting invalid definitions: one not made by defineTemplate, one with version "latest"', async () => {
      const label = `template package @fixture/invalid@1.0.0 (${join(fixtures, 'node_modules', '@fixture', 'invalid')})`;
      await expectUpRefused(
        ['@fixture/invalid'],
        `${label}: exports an invalid definition, template fixture/handmade: it was not made by defineTemplate from driftless/template`,
        `${label}: exports an invalid definition, template fixture/latest: version must be a semantic version such as 1.2.0, got "latest"`,
      );
    });

    it('(d) two packages defining the same template name', async () => {
      const at = (p: string) => `@fixture/${p}@1.0.0 (${join(fixtures, 'node_modules', '@fixture', p)})`;
      await expectUpRefused(
        ['@fixture/dup-a', '@fixture/dup-b'],
        `driftless up: template "fixture/same" is defined twice: by ${at('dup-a')} and by ${at('dup-b')}`,
      );
    });

    it('(e) a template needing a resource plugin that is not installed', async () => {
      await expectUpRefused(
        ['@fixture/needs-aws'],
        'driftless up: template fixture/needs-aws (package @fixture/needs-aws@1.0.0) needs the resource plugin aws v7.48.0, which is not installed (no plugin folder is configured: set plugins.dir)',
      );
      const plugins = join(root, 'plugins');
      mkdirSync(plugins, { recursive: true });
      const daemon = await daemonRefused('plugin', ['@fixture/needs-aws'], `plugins: { dir: ${plugins} }\n`);
      expect(daemon.stderr).toContain(
        `driftless daemon: template fixture/needs-aws (package @fixture/needs-aws@1.0.0) needs the resource plugin aws v7.48.0, which is not installed in ${plugins} (expected ${join(plugins, 'resource-aws-v7.48.0', 'pulumi-resource-aws')})`,
      );
    });

    it('with the broken packages gone, the same command applies the waiting change', async () => {
      const report = await upJson();
      expect(outcomes(report)).toMatchObject({ worker: 'applied', 'audit-worker': 'unchanged', events: 'unchanged' });
      const worker = await outputsOf<WorkerOutputs>('worker');
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: worker.queueUrl, AttributeNames: ['RedrivePolicy'] }));
      expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}').maxReceiveCount).toBe(Number(pendingMaxReceiveCount));
    });
  });
});
