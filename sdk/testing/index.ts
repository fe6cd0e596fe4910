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
