// driftless/aws: the resources of the bundled driftless-aws provider (SQS, SNS, S3, IAM, SSM,
// Secrets Manager, KMS, CloudWatch Logs, EventBridge), for templates. Their plugin ships with
// driftless, so templates built on them need no plugin installed.
export * from '../provider/sdk/index.js';
