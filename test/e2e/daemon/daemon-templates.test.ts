import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PreviewReport } from '../../../engine/daemon/preview-report.js';
import type { RunRecord } from '../../../engine/model/index.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { runDriftless } from '../../support/cli.js';
import { EXAMPLE_PACKAGE, installExamplePackage } from '../../support/template-package.js';
import { tempDir } from '../../support/temp.js';
import { environmentYaml, TestRepo, waitFor } from './git-repo.js';
import { startDaemonProcess } from '../../support/daemon-process.js';

const workerYaml = (maxReceiveCount: number): string =>
  `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: worker }\nspec:\n  template: acme/worker\n  dependsOn: [events]\n  params:\n    topic: { fromStack: events, output: arn }\n    maxReceiveCount: ${maxReceiveCount}\n    config: { LOG_LEVEL: info }\n`;
const topicYaml =
  'apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: events }\nspec:\n  template: topic\n  params: { displayName: Events }\n';

describe('the daemon with an operator-installed template package', () => {
  const root = tempDir('daemon-templates');
  const env = uniqueName('dt').replace(/-/g, '');
  const repo = new TestRepo(join(root, 'repo'));
  const stateDir = join(root, 'daemon-state');
  /** Where code from the repository would leave its mark if anything ever ran it. */
  const markers = join(root, 'markers');
  const sqs = new SQSClient(awsTestConfig());
  const sns = new SNSClient(awsTestConfig());
  const ssm = new SSMClient(awsTestConfig());
  let operatorDir = '';
  let daemon: ReturnType<typeof startDaemonProcess> | undefined;
  let url = '';
  const commits: Record<string, string> = {};

  const api = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(url + path);
    return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text()) as T };
  };
  const runsAt = async (revision: string) => (await api<RunRecord[]>(`/api/runs?revision=${revision}`)).body;
  const reportOf = (branch: string, revision: string) =>
    waitFor(`the preview report of ${branch}`, async () => {
      const r = await api<PreviewReport>(`/api/reports/${branch}`);
      return r.status === 200 && r.body.revision === revision ? r.body : undefined;
    });
  const workerOutputs = async () => {
    const store = new SqliteRunStore(join(stateDir, 'driftless.db'));
    try {
      return (await store.getStatus(env, 'worker'))?.applied?.outputs as {
        queueUrl: string;
        queueArn: string;
        deadLetterArn: string;
        configParameter: string;
      };
    } finally {
      await store.close();
    }
  };
  const maxReceiveCount = async (queueUrl: string) =>
    JSON.parse(
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }))).Attributes
        ?.RedrivePolicy ?? '{}',
    ).maxReceiveCount as number;

  beforeAll(async () => {
    operatorDir = installExamplePackage(root);
    mkdirSync(markers, { recursive: true });
    repo.write(`environments/${env}/environment.yaml`, environmentYaml(env));
    commits.base = repo.commit('environment without stacks');
    const configFile = join(root, 'daemon.yaml');
    writeFileSync(
      configFile,
      [
        `source: { repository: ${repo.dir}, pollIntervalSeconds: 1 }`,
        `stateDir: ${stateDir}`,
        `backendBaseDir: ${root}`,
        `awsEndpoint: ${inject('awsEndpoint')}`,
        'http: { port: 0 }',
        'templates:',
        `  packages: ['${EXAMPLE_PACKAGE}']`,
        `  from: ${operatorDir}`,
        '',
      ].join('\n'),
    );
    daemon = startDaemonProcess(root, configFile);
    const d = daemon;
    url = await waitFor(
      'the daemon to listen',
      () => {
        if (d.child.exitCode !== null) throw new Error(`the daemon exited with ${d.child.exitCode}:\n${d.logs()}`);
        return /"url":"(http:\/\/[^"]+)"/.exec(d.logs())?.[1];
      },
      30_000,
    );
    await waitFor('readiness', async () => (await api('/readyz')).status === 200);
  });

  afterAll(async () => {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
    // Back to the last valid commit of main, and tear down what it applied.
    if (commits.apply) {
      repo.git('checkout', '-q', '--detach', commits.apply);
      for (const stack of ['worker', 'events'])
        await runDriftless(
          [
            'destroy',
            '--env',
            env,
            '--stack',
            stack,
            '--yes',
            '--dir',
            join(repo.dir, 'environments'),
            '--state-dir',
            stateDir,
            '--templates',
            EXAMPLE_PACKAGE,
            '--templates-from',
            operatorDir,
          ],
          { cwd: root, env: { DRIFTLESS_AWS_ENDPOINT: inject('awsEndpoint'), DRIFTLESS_LOG_LEVEL: 'warn' } },
        );
    }
  });

  it('applies a deploy-branch commit that uses acme/worker, fed by a built-in topic', async () => {
    repo.write(`environments/${env}/events.yaml`, topicYaml);
    repo.write(`environments/${env}/worker.yaml`, workerYaml(3));
    commits.apply = repo.commit('a worker on the events topic');
    const runs = await waitFor('both stacks applied', async () => {
      const r = await runsAt(commits.apply!);
      return r.length === 2 ? r : undefined;
    });
    expect(runs.map((r) => `${r.stack}:${r.operation}:${r.result}`).sort(), daemon?.logs().slice(-3000)).toEqual([
      'events:up:succeeded',
      'worker:up:succeeded',
    ]);
    const environments = (await api<{ environment: string; valid: boolean; revision: string }[]>('/api/environments')).body;
    expect(environments.find((e) => e.environment === env)).toMatchObject({ valid: true, revision: commits.apply });

    const worker = await workerOutputs();
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: worker.queueUrl, AttributeNames: ['RedrivePolicy'] }));
    expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: worker.deadLetterArn, maxReceiveCount: 3 });
    const store = new SqliteRunStore(join(stateDir, 'driftless.db'));
    const topic = (await store.getStatus(env, 'events'))?.applied?.outputs as { arn: string };
    expect((await store.getStatus(env, 'worker'))?.applied?.templateVersion).toBe('2.0.0');
    await store.close();
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic.arn }));
    expect(subs.Subscriptions?.map((s) => [s.Protocol, s.Endpoint])).toEqual([['sqs', worker.queueArn]]);
    const param = await ssm.send(new GetParameterCommand({ Name: `/${env}/worker/config` }));
    expect(param.Parameter?.Value).toBe('{"LOG_LEVEL":"info"}');
  });

  it('previews a feature branch changing the acme/worker stack, applying nothing', async () => {
    repo.git('checkout', '-q', '-b', 'feature/more-retries');
    repo.write(`environments/${env}/worker.yaml`, workerYaml(6));
    const feature = repo.commit('more retries before the dead-letter queue');
    repo.git('checkout', '-q', 'main');

    const report = await reportOf('feature/more-retries', feature);
    const preview = report.environments.find((e) => e.environment === env);
    expect(preview?.valid).toBe(true);
    const worker = preview?.preview?.stacks.find((s) => s.stack === 'worker');
    expect(worker?.outcome).toBe('previewed');
    const queueStep = worker?.steps.find((s) => s.type === 'driftless-aws:sqs:Queue' && s.name === 'queue');
    expect(queueStep?.op).toBe('update');
    expect(queueStep?.fields.map((f) => f.path).join(' ')).toMatch(/redrivePolicy/);
    expect(preview?.preview?.stacks.find((s) => s.stack === 'events')?.outcome).toBe('unchanged');

    expect(await runsAt(feature)).toEqual([]);
    expect(await maxReceiveCount((await workerOutputs()).queueUrl)).toBe(3);
  });

  it('runs none of the template code a branch adds to the environments repository', async () => {
    const topLevel = join(markers, 'module-top-level');
    const program = join(markers, 'program');
    const shadow = join(markers, 'shadowing-package');
    repo.git('checkout', '-q', '-b', 'feature/own-templates');
    // A template package of the branch's own, with code at its module's top level and in its program.
    repo.write(
      'templates/marker/package.json',
      JSON.stringify({ name: 'marker', version: '1.0.0', type: 'module', driftless: { templates: './index.js' } }, null, 2),
    );
    repo.write(
      'templates/marker/index.js',
      [
        "import { writeFileSync } from 'node:fs';",
        "import { defineTemplate, z } from 'driftless/template';",
        `writeFileSync(${JSON.stringify(topLevel)}, 'imported');`,
        'export const templates = [defineTemplate({',
        "  name: 'marker/evil', version: '1.0.0', description: 'writes a marker', params: z.object({}).passthrough(), outputs: [],",
        `  program: () => { writeFileSync(${JSON.stringify(program)}, 'ran'); return {}; },`,
        '})];',
        '',
      ].join('\n'),
    );
    // A package shadowing the operator's by name, where a resolution from the checkout would find it.
    repo.write(
      'node_modules/@acme/driftless-templates/package.json',
      JSON.stringify({ name: EXAMPLE_PACKAGE, version: '9.9.9', type: 'module', driftless: { templates: './index.js' } }),
    );
    repo.write(
      'node_modules/@acme/driftless-templates/index.js',
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(shadow)}, 'imported');\nexport const templates = [];\n`,
    );
    // Configuration-looking files naming that code: the daemon reads its configuration from the operator only.
    const ownConfig = `templates:\n  packages: ['./templates/marker', '${EXAMPLE_PACKAGE}']\n  from: .\nplugins: { acquire: true }\n`;
    repo.write('daemon.yaml', ownConfig);
    repo.write('.driftless/daemon.yaml', ownConfig);
    repo.write(
      `environments/${env}/evil.yaml`,
      'apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: evil }\nspec:\n  template: marker/evil\n  params: {}\n',
    );
    repo.write(
      `environments/${env}/evil-path.yaml`,
      'apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: evil-path }\nspec:\n  template: ../../templates/marker/index.js\n  params: {}\n',
    );
    const own = repo.commit('our own templates');
    repo.git('checkout', '-q', 'main');

    const report = await reportOf('feature/own-templates', own);
    const preview = report.environments.find((e) => e.environment === env);
    expect(preview?.valid).toBe(false);
    expect(preview?.preview).toBeUndefined();
    const messages = preview?.messages.map((m) => `${m.file}:${m.line} ${m.path}: ${m.message}`) ?? [];
    expect(messages).toContainEqual(
      expect.stringMatching(new RegExp(`^environments/${env}/evil\\.yaml:5 spec\\.template: unknown template "marker/evil"`)),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(
        new RegExp(`^environments/${env}/evil-path\\.yaml:5 spec\\.template: unknown template "\\.\\./\\.\\./templates/marker/index\\.js"`),
      ),
    );
    // the installed templates are the operator's: acme/worker 2.0.0, never the branch's 9.9.9 or marker/evil
    expect(messages.join('\n')).toMatch(/installed: .*acme\/worker/);
    expect(messages.join('\n')).not.toMatch(/installed: .*marker\/evil/);
    expect(await runsAt(own)).toEqual([]);

    // Merged to the deploy branch, the commit is rejected, and still nothing of it runs.
    repo.git('merge', '-q', '--no-ff', '-m', 'merge our own templates', 'feature/own-templates');
    commits.merged = repo.head();
    const rejected = await waitFor('the rejection of the merge', async () => (await runsAt(commits.merged!))[0]);
    expect(rejected).toMatchObject({ stack: '*', result: 'failed', errorKind: 'invalid' });
    expect(rejected.error).toMatch(/unknown template "marker\/evil"/);

    // One more poll cycle for anything late, then: no marker, the worker as main last applied it.
    await new Promise((r) => setTimeout(r, 2500));
    expect(readdirSync(markers)).toEqual([]);
    expect(await maxReceiveCount((await workerOutputs()).queueUrl)).toBe(3);
    expect(daemon?.child.exitCode).toBeNull();
  });
});
