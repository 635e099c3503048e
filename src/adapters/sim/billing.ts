// EC2 Linux on-demand billing: per second, with a 60 s minimum per instance.
import { MINIMUM_BILLED_SECONDS } from '../../core/catalog/instance-type.ts';

/**
 * Seconds billed for an instance from `launchedAt` until `endAt` (ms). The minimum is
 * owed from the moment of launch, and a started second counts as a whole one.
 */
export function billedSeconds(launchedAt: number, endAt: number): number {
  const elapsedSeconds = Math.ceil(Math.max(0, endAt - launchedAt) / 1000);
  return Math.max(MINIMUM_BILLED_SECONDS, elapsedSeconds);
}

export function billedUsd(launchedAt: number, endAt: number, pricePerHour: number): number {
  return (billedSeconds(launchedAt, endAt) * pricePerHour) / 3600;
}
