// driftless/testing: the kit template authors test their templates with, built-in and
// operator-installed alike. Programs run under Pulumi mocks (no engine, no cloud, no
// plugin), so a template on any provider, @pulumi/aws included, is tested in-process.
//
//   const run = await mockTemplate(myTemplate, { fifo: true }, { stack: 'payments' });
//   expect(oneOfType(run, 'aws:sqs/queue:Queue').inputs.fifoQueue).toBe(true);
//   expect(run.outputs.arn).toBe('arn:aws:sqs:us-east-1:000000000000:dev-payments.fifo');
export {
  /** Runs a template as the engine does (params parsed by its schema, outputs checked) under mocks. */
  mockTemplate,
  /** Runs any program under fresh mocks and waits for every registration. */
  runProgram,
  /** Installs the recording mocks alone, for tests that drive Pulumi themselves. */
  recordResources,
  /** A TemplateContext as the engine builds it, for a stack of environment `dev`. */
  testContext,
  /** The tags every resource of a default testContext must carry. */
  expectedTags,
  /** The resources of one type, in registration order. */
  ofType,
  /** The one resource of a type, failing when there is none or several. */
  oneOfType,
  /** The resource of a logical name, failing when there is none. */
  resourceNamed,
  /** A plain or Output value, unwrapped. */
  outputValue,
  /** Every output of a program, unwrapped. */
  valuesOf,
  /** How a secret input reaches the mocks, to compare inputs with. */
  secretInput,
  /** Whether an output was marked secret. */
  isSecretOutput,
  /** Raised when a program returns other outputs than its template declares. */
  TemplateOutputsError,
  /** The account of every mocked ARN and of the mocked caller identity. */
  MOCK_ACCOUNT_ID,
  /** The region of testContext and of every mocked ARN. */
  MOCK_REGION,
  /** The revision testContext applies. */
  MOCK_REVISION,
  /** One resource a program registered, as the mocks saw it. */
  type MockedResource,
  /** What a program returned and registered under mocks. */
  type ProgramRun,
} from './mocks.js';

// The LocalStack part: a template deployed for real, through the engine's own path, on a
// throw-away file backend against LocalStack; the test checks the resources with the AWS SDK.
//
//   const d = await deployTemplate({ template: workerTemplate, params, dependencies, endpoint: inject('awsEndpoint') });
//   onTestFinished(() => d.dispose());
//   expect(await stabilityOf(d)).toEqual({ changes: {}, drift: [] });
//   await d.destroy();
export {
  /** Deploys a template on LocalStack as the engine applies a stack; returns the deployment after its first up. */
  deployTemplate,
  /** A second up and a drift check of a deployment, to assert both found nothing. */
  stabilityOf,
  /** Params parsed by a template's schema, or a TemplateParamsError listing every issue. */
  parseTemplateParams,
  /** The tags every taggable resource of a deployment must carry. */
  deployedTags,
  /** An AWS tag list (`[{ Key, Value }]` and the like) as a map. */
  tagMap,
  /** Resource changes of an operation summary without `same`. */
  changesOf,
  /** Plain values of Automation API outputs. */
  plainOutputs,
  /** The LocalStack endpoint from DRIFTLESS_TEST_AWS_ENDPOINT, AWS_ENDPOINT_URL or the default port. */
  localstackEndpoint,
  /** Starts (or reuses) LocalStack for a test run and publishes its endpoint; throws when it cannot. */
  ensureLocalStackForTests,
  /** AWS SDK v3 client configuration for LocalStack. */
  localstackClientConfig,
  /** Variables for processes (Pulumi, provider plugins) aimed at LocalStack. */
  localstackEnv,
  /** A name unique to this run, safe for AWS resource names. */
  uniqueName,
  /** Raised when params do not pass the template's schema. */
  TemplateParamsError,
  /** Raised when a Pulumi operation of a deployment fails, with Pulumi's diagnostics. */
  TemplateDeploymentError,
  /** The region of every deployment unless told otherwise. */
  TEST_REGION,
  /** The revision of every deployment's context unless told otherwise. */
  TEST_REVISION,
  /** What deployTemplate takes. */
  type DeployTemplateOptions,
  /** A template deployed on LocalStack. */
  type TemplateDeployment,
  /** The result of one up of a deployment. */
  type TemplateUp,
  /** Options of a deployment's up (refresh first, as drift remediation does). */
  type UpOptions,
  /** The result of stabilityOf. */
  type Stability,
  /** One resource a drift check found drifted (modified or deleted). */
  type DriftedResource,
  /** Where ensureLocalStackForTests runs LocalStack. */
  type LocalStackForTestsOptions,
  /** A running LocalStack; stop() stops it only if this process started it. */
  type LocalStackHandle,
  /** A resource plugin registered by path, for templates that declare plugins. */
  type ProviderPlugin,
} from './localstack.js';
