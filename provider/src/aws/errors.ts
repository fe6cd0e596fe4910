import { errorMarker, type ProviderErrorKind } from '../error-marker.js';

/**
 * AWS failures classified once, at the edge, by the error's name/code and HTTP status
 * (never by message text), so retry decisions and user messages do not depend on how
 * a service words things.
 */

/** What kind of failure an AWS call ended in. */
export type AwsErrorKind = 'AccessDenied' | 'NotFound' | 'Throttling' | 'Validation' | 'Conflict' | 'Transient' | 'Unknown';

const BY_CODE: Record<string, AwsErrorKind> = {};
function codes(kind: AwsErrorKind, names: string[]): void {
  for (const n of names) BY_CODE[n] = kind;
}
codes('AccessDenied', [
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'InvalidSecurity',
  'CredentialsProviderError',
]);
codes('NotFound', [
  'NotFound',
  'NotFoundException',
  'NoSuchEntity',
  'NoSuchEntityException',
  'NoSuchBucket',
  'NoSuchBucketPolicy',
  'NoSuchTagSet',
  'NoSuchPublicAccessBlockConfiguration',
  'NoSuchLifecycleConfiguration',
  'ServerSideEncryptionConfigurationNotFoundError',
  'ResourceNotFoundException',
  'ParameterNotFound',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NonExistentQueue',
]);
codes('Throttling', [
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyUpdates',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);
codes('Validation', [
  'ValidationError',
  'ValidationException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameter',
  'InvalidParameterException',
  'InvalidParameterCombination',
  'InvalidAttributeName',
  'InvalidAttributeValue',
  'MalformedPolicyDocument',
  'MalformedPolicy',
  'MalformedPolicyDocumentException',
  'InvalidBucketName',
  'InvalidArgument',
  'InvalidRequest',
  'MalformedXML',
  'InvalidTag',
  'AWS.SimpleQueueService.InvalidAttributeValue',
]);
codes('Conflict', [
  'ConflictException',
  'ParameterAlreadyExists',
  'ResourceConflictException',
  'ResourceInUseException',
  'ResourceExistsException',
  'EntityAlreadyExists',
  'BucketAlreadyExists',
  'BucketAlreadyOwnedByYou',
  'QueueAlreadyExists',
  'QueueNameExists',
  'AlreadyExistsException',
  'ConcurrentModificationException',
  'OperationAborted',
  'BucketNotEmpty',
  'QueueDeletedRecently',
  'AWS.SimpleQueueService.QueueDeletedRecently',
  'DeleteConflict',
]);
codes('Transient', [
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/** The fields of an AWS SDK v3 error (or a network error) that classification reads. */
interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** The error's identifying code: SDK v3 `name`, else a query-protocol `Code`, else a Node `code`. */
export function errorCode(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  for (const c of [e.name, e.Code, e.code]) {
    if (typeof c === 'string' && c !== '' && c !== 'Error') return c;
  }
  return 'Error';
}

/** Classifies an error thrown by an AWS SDK v3 call. */
export function classifyAwsError(err: unknown): AwsErrorKind {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  const byCode = BY_CODE[errorCode(err)];
  if (byCode) return byCode;
  if (e.$retryable?.throttling) return 'Throttling';
  const status = e.$metadata?.httpStatusCode;
  if (status === 403) return 'AccessDenied';
  if (status === 404) return 'NotFound';
  if (status === 429) return 'Throttling';
  if (status === 409) return 'Conflict';
  if (status !== undefined && status >= 500) return 'Transient';
  return 'Unknown';
}

const HINTS: Record<AwsErrorKind, string> = {
  AccessDenied: 'the credentials in use are not allowed to do this (check the IAM policy, the account and AWS_PROFILE)',
  NotFound: 'the resource does not exist',
  Throttling: 'AWS kept throttling the request; retries were exhausted',
  Validation: 'AWS rejected the request as invalid',
  Conflict: 'the resource is in a conflicting state (it may exist already, or be being changed)',
  Transient: 'AWS or the endpoint failed temporarily; retries were exhausted',
  Unknown: 'the call failed',
};

/** The kind as the error marker (../error-marker.ts) names it. */
export const MARKER_KIND: Record<AwsErrorKind, ProviderErrorKind> = {
  AccessDenied: 'access-denied',
  NotFound: 'not-found',
  Throttling: 'throttling',
  Validation: 'validation',
  Conflict: 'conflict',
  Transient: 'transient',
  Unknown: 'unknown',
};

/**
 * An AWS failure as the user sees it: which operation, which kind, the service's own
 * message, and a hint. Thrown by the provider so the Pulumi CLI prints it verbatim; the
 * `[driftless-aws:kind=… code=…]` marker is what the engine reads.
 */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  constructor(
    readonly operation: string,
    readonly kind: AwsErrorKind,
    readonly code: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `${operation} failed ${errorMarker(MARKER_KIND[kind], code)}: ${detail} (${HINTS[kind]}${attempts > 1 ? `; ${attempts} attempts` : ''})`,
      {
        cause,
      },
    );
  }
}

/** True when the error is a classified AWS failure of the given kind. */
export function isAwsKind(err: unknown, kind: AwsErrorKind): boolean {
  return err instanceof AwsCallError && err.kind === kind;
}
