// The SQS client loadmaster uses. Credentials, region and endpoint follow the SDK's own
// conventions (default credential chain; AWS_REGION; AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_SQS), so a local emulator needs no code path of its own.
import { SQSClient } from '@aws-sdk/client-sqs';

export interface SqsClientOptions {
  /** From the config; without it the SDK reads AWS_REGION or the shared config file. */
  readonly region?: string;
  /** Attempts per call, the first included. */
  readonly maxAttempts?: number;
}

export function createSqsClient(options: SqsClientOptions = {}): SQSClient {
  return new SQSClient({
    ...(options.region === undefined ? {} : { region: options.region }),
    // Adaptive retries also slow the client down when SQS throttles, instead of only backing off per call.
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
  });
}
