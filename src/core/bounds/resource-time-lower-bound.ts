// A lower bound on what any fleet must cost to run a set of jobs of known durations, however
// and whenever it runs them: the LP of cost-lower-bound.ts over resource-time instead of
// resources.

import type { InstanceType } from '../catalog/instance-type.ts';
import { perDimensionBound } from './cost-lower-bound.ts';
import { groupBoundJobs, type TimedJob } from './job-groups.ts';
import { solveLpBound } from './lp-solver.ts';

export interface ResourceTimeLowerBound {
  /** USD: the LP relaxation over resource-time, certified by weak duality (see costLowerBound). */
  readonly lp: number;
  /** USD: the same LP with "an instance holds a whole number of each job" cuts; ≥ `lp`. */
  readonly lpCuts: number;
  /** USD: the per-dimension bound over resource-time; ≤ `lp`. */
  readonly perDimension: number;
  /** Jobs the bound covers, and their run time in total. */
  readonly boundedJobs: number;
  readonly jobSeconds: number;
  /** Ids of jobs no catalog type can hold; left out. */
  readonly unplaceable: readonly string[];
}

export const SECONDS_PER_HOUR = 3600;

/** Throws unless every job's duration is a finite number ≥ 0. */
export function checkDurations(jobs: readonly TimedJob[], caller: string): void {
  for (const job of jobs) {
    if (!(Number.isFinite(job.durationSeconds) && job.durationSeconds >= 0)) {
      throw new RangeError(`${caller}: job ${job.id} runs ${job.durationSeconds} s; expected a duration >= 0`);
    }
  }
}

/**
 * Lower bounds on the cost in USD of any fleet, however and whenever it is launched, that
 * runs every job for its duration.
 *
 * It is costLowerBound's LP with each job group weighted by its job-seconds instead of its
 * job count: y_{j,t} is job-seconds of group j run on type t, x_t instance-seconds of type t,
 * and the price is per second:
 *
 *     minimize   Σ_t (price_t / 3600) · x_t
 *     subject to Σ_t y_{j,t} = Σ_{jobs i of j} duration_i          for every group j
 *                Σ_j r_{j,d} · y_{j,t} ≤ cap_{t,d} · x_t           for every type t and dimension d
 *
 * Any real schedule is feasible: at every instant the jobs on an instance fit in it, so
 * integrating over the instance's life gives the capacity rows, and it is billed at least
 * for that life. The cuts (y_{j,t} ≤ ⌊min_d cap/r⌋ · x_t) hold instant by instant, hence
 * integrated too. The bound ignores boot time (billed, unusable), the 60 s billing minimum,
 * arrival times (jobs could run whenever suits the packing), policy limits and the warm
 * minimum, each of which only adds to a real run's cost: it is below the cost of any real
 * schedule, and a good one approaches it when the load is steady and large. For a tighter
 * bound on schedules that start every job on arrival, see clairvoyantLowerBound.
 */
export async function resourceTimeLowerBound(jobs: readonly TimedJob[], catalog: readonly InstanceType[]): Promise<ResourceTimeLowerBound> {
  checkDurations(jobs, 'resourceTimeLowerBound');
  const { groups, unplaceable } = groupBoundJobs(jobs, catalog, (job) => job.durationSeconds);
  const plain = await solveLpBound(groups, catalog);
  const withCuts = await solveLpBound(groups, catalog, { cuts: true });
  // Prices are per hour and the weights seconds: the LP's optimum is in USD·s/h.
  return {
    lp: plain.value / SECONDS_PER_HOUR,
    lpCuts: Math.max(plain.value, withCuts.value) / SECONDS_PER_HOUR,
    perDimension: perDimensionBound(groups, catalog) / SECONDS_PER_HOUR,
    boundedJobs: groups.reduce((sum, g) => sum + g.count, 0),
    jobSeconds: groups.reduce((sum, g) => sum + g.weight, 0),
    unplaceable,
  };
}
