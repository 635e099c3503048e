// A lower bound on what any fleet that holds a set of jobs must cost per hour, so a plan's
// cost can be measured against the best possible, not only against another plan.

import type { InstanceType } from '../catalog/instance-type.ts';
import { DIMENSIONS } from '../resources.ts';
import { groupBoundJobs, type BoundJob, type JobGroup } from './job-groups.ts';
import { solveLpBound } from './lp-solver.ts';

export interface CostLowerBound {
  /**
   * USD/hour: the LP relaxation bound, certified by weak duality from the solver's duals
   * (so solver tolerances cannot push it above the true LP optimum). 0 when no job fits anywhere.
   */
  readonly lp: number;
  /** The LP optimum as HiGHS reports it (equal to `lp` up to solver tolerance). */
  readonly lpObjective: number;
  /** USD/hour: the LP with per-instance cuts (see costLowerBound), certified likewise; ≥ `lp`. */
  readonly lpCuts: number;
  readonly lpCutsObjective: number;
  /** USD/hour: the simpler per-dimension bound; always ≤ `lp`. */
  readonly perDimension: number;
  /** Job groups (identical jobs) that some type can hold. */
  readonly groups: number;
  /** Jobs the bound covers. */
  readonly boundedJobs: number;
  /** Ids of jobs no catalog type can hold; they are left out of every bound. */
  readonly unplaceable: readonly string[];
  /** Size of the LP with cuts, for reports. */
  readonly variables: number;
  readonly rows: number;
}

/**
 * The per-dimension bound. For any dimension d, a fleet x (instances per type) that holds the
 * jobs pays Σ_t price_t·x_t ≥ Σ_t (price_t / cap_{t,d}) · (load of d on t) ≥
 * Σ_j n_j · r_{j,d} · min_{t compatible with j} price_t / cap_{t,d}; the bound is the largest
 * over d. It is a feasible point of the LP's dual (all weight on one dimension), hence ≤ the LP
 * bound.
 *
 * (Per job min_t price_t · max_d r_d / cap_{t,d}, summed, is NOT a lower bound: a cpu-heavy and
 * a memory-heavy job can share one instance that each alone would "fill".)
 */
export function perDimensionBound(groups: readonly JobGroup[], catalog: readonly InstanceType[]): number {
  let best = 0;
  for (const d of DIMENSIONS) {
    let sum = 0;
    for (const g of groups) {
      if (g.demand[d] <= 0) continue;
      let cheapest = Infinity;
      for (const t of g.types) cheapest = Math.min(cheapest, catalog[t]!.pricePerHour / catalog[t]!.allocatable[d]);
      sum += g.weight * g.demand[d] * cheapest;
    }
    best = Math.max(best, sum);
  }
  return best;
}

/**
 * Lower bounds on the hourly cost of any fleet of new instances that holds all `jobs`.
 *
 * The LP relaxation of the assignment model (buildLpModel in lp-model.ts), with n_j the
 * number of jobs in group j. Every real fleet (integral x, integral y) is feasible, so the LP
 * optimum is ≤ its cost: that is `lp`. `lpCuts` adds y_{j,t} ≤ ⌊min_d cap_{t,d} / r_{j,d}⌋ · x_t
 * (an instance holds a whole number of jobs), which every real fleet also satisfies: a
 * tighter bound when jobs are large relative to the types (a 120 GiB job on a 124 GiB type
 * leaves the rest unusable by it). Both are certified by weak duality from the solver's duals
 * (certifyDuals), so solver tolerances cannot push them above the true optimum. Jobs no type
 * can hold are left out (a plan cannot place them either). Existing nodes are ignored: the
 * bound is for a fleet built from nothing.
 */
export async function costLowerBound(jobs: readonly BoundJob[], catalog: readonly InstanceType[]): Promise<CostLowerBound> {
  const { groups, unplaceable } = groupBoundJobs(jobs, catalog);
  const plain = await solveLpBound(groups, catalog);
  const withCuts = await solveLpBound(groups, catalog, { cuts: true });
  return {
    lp: plain.value,
    lpObjective: plain.objective,
    lpCuts: Math.max(plain.value, withCuts.value),
    lpCutsObjective: withCuts.objective,
    perDimension: perDimensionBound(groups, catalog),
    groups: groups.length,
    boundedJobs: groups.reduce((s, g) => s + g.count, 0),
    unplaceable,
    variables: withCuts.variables,
    rows: withCuts.rows,
  };
}
