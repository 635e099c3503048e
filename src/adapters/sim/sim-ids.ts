// AWS-shaped identifiers, numbered in creation order so that runs are reproducible.

const ACCOUNT_ARN_PREFIX = 'arn:aws:ecs:us-east-1:000000000000';

export function instanceIdFor(serial: number): string {
  return `i-${serial.toString(16).padStart(17, '0')}`;
}

export function containerInstanceArnFor(serial: number): string {
  return `${ACCOUNT_ARN_PREFIX}:container-instance/loadmaster/${serial.toString(16).padStart(32, '0')}`;
}

export function taskArnFor(serial: number): string {
  return `${ACCOUNT_ARN_PREFIX}:task/loadmaster/${serial.toString(16).padStart(32, '0')}`;
}
