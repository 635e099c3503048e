// Translates SDK errors into the port's CloudError codes; the controller decides what to do
// with each code (back off, try another type, forget the instance).
import { CloudError } from '../../ports/cloud.ts';

// Auto Scaling's "a change to this group is still in progress" asks for the same: try again later.
const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'ResourceContentionFault',
  'ResourceContention',
  'ScalingActivityInProgressFault',
  'ScalingActivityInProgress',
]);
// Account vCPU / instance quotas behave like missing capacity for the type: try another.
const NO_CAPACITY = new Set(['InsufficientInstanceCapacity', 'InsufficientHostCapacity', 'InsufficientCapacity', 'InstanceLimitExceeded', 'VcpuLimitExceeded']);
const NOT_FOUND = new Set(['InvalidInstanceID.NotFound', 'ClusterNotFoundException', 'TargetNotFoundException', 'AWS.SimpleQueueService.NonExistentQueue', 'QueueDoesNotExist']);

export function toCloudError(operation: string, error: unknown): CloudError {
  if (error instanceof CloudError) return error;
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = `${operation}: ${name}: ${error instanceof Error ? error.message : String(error)}`;
  return new CloudError(codeOf(name, error), message);
}

function codeOf(name: string, error: unknown): CloudError['code'] {
  if (THROTTLING.has(name) || isMarkedThrottling(error)) return 'throttled';
  if (NO_CAPACITY.has(name)) return 'insufficient-capacity';
  // "Unsupported": the type is not offered in the subnet's zone. InvalidParameterValue is
  // type-related only when it names the instance type (it also covers e.g. a bad AMI).
  if (name === 'Unsupported' || name === 'InvalidInstanceType') return 'unsupported-type';
  if ((name === 'InvalidParameterValue' || name === 'InvalidParameterCombination') && /instance ?type/i.test(errorMessage(error))) return 'unsupported-type';
  if (NOT_FOUND.has(name)) return 'not-found';
  return 'other';
}

/**
 * Whether a failed call may still have been carried out: the service answered with a
 * server error, or did not answer at all (time-out, connection reset). Only a client error
 * (4xx: refused, throttled, invalid) proves that nothing happened.
 */
export function outcomeUnknown(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const fault = '$fault' in error ? error.$fault : undefined;
  const status = '$metadata' in error && typeof error.$metadata === 'object' && error.$metadata !== null && 'httpStatusCode' in error.$metadata ? error.$metadata.httpStatusCode : undefined;
  if (typeof status === 'number') return status >= 500;
  return fault !== 'client';
}

function isMarkedThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('$retryable' in error)) return false;
  const retryable = error.$retryable;
  return typeof retryable === 'object' && retryable !== null && 'throttling' in retryable && retryable.throttling === true;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs one SDK call, rethrowing its failure as a CloudError. */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toCloudError(operation, error);
  }
}
