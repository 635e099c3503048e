import type { Resources } from '../resources.ts';
import type { Release } from './plan-types.ts';

/**
 * Weight of the newest run in an algorithm's run-time estimate (an exponentially weighted
 * mean): recent runs count most, so a new image version is learnt within a few runs.
 */
export const NEWEST_RUN_WEIGHT = 0.2;

export function nextRunTimeEstimate(previous: number | undefined, observedSeconds: number): number {
  return previous === undefined ? observedSeconds : previous + NEWEST_RUN_WEIGHT * (observedSeconds - previous);
}

export interface RunningTask {
  readonly startedAtSeconds: number;
  readonly demand: Resources;
  /** Expected run time of its algorithm; undefined when none has finished yet. */
  readonly estimateSeconds: number | undefined;
}

/**
 * When a node's running tasks are expected to give their resources back. A task already
 * past its estimate is due any moment (0), unless it is late by more than `horizonSeconds`:
 * then it is not counted at all, so no job waits on a task that runs far longer than usual.
 * Tasks of algorithms with no estimate yet are not counted either.
 */
export function expectedReleases(tasks: readonly RunningTask[], nowSeconds: number, horizonSeconds: number): Release[] {
  return tasks.flatMap((task) => {
    if (task.estimateSeconds === undefined) return [];
    const remaining = task.startedAtSeconds + task.estimateSeconds - nowSeconds;
    if (remaining < -horizonSeconds || remaining > horizonSeconds) return [];
    return [{ inSeconds: Math.max(0, remaining), resources: task.demand }];
  });
}

/**
 * Seconds until the first release expectedReleases counts now stops being counted (its task
 * late by more than the horizon), if no task ends first: when a job waiting for that room
 * must be planned again. Undefined when none is counted.
 */
export function releasesRecheckIn(tasks: readonly RunningTask[], nowSeconds: number, horizonSeconds: number): number | undefined {
  let soonest: number | undefined;
  for (const task of tasks) {
    if (task.estimateSeconds === undefined) continue;
    const remaining = task.startedAtSeconds + task.estimateSeconds - nowSeconds;
    if (remaining < -horizonSeconds || remaining > horizonSeconds) continue;
    soonest = Math.min(soonest ?? Infinity, remaining + horizonSeconds);
  }
  return soonest;
}
