import type { InstanceType } from '../catalog/instance-type.ts';
import { canHold } from '../planner/compatibility.ts';
import { minBy } from '../planner/launch-budget.ts';
import type { JobConstraints } from '../planner/plan-types.ts';
import type { Resources } from '../resources.ts';

export interface AlgorithmJob {
  readonly algorithm: string;
  readonly demand: Resources;
  readonly constraints: JobConstraints;
}

/**
 * The one instance type per algorithm that policies keeping a fixed type per algorithm
 * (the original Lambda, an ECS capacity provider's Auto Scaling group) use: what an
 * operator who knew the whole workload would pick, so the comparison is generous to
 * them. Per algorithm, the cheapest type every one of its jobs may use that holds the
 * largest demand seen in each dimension; when no type holds them all, the cheapest type
 * that holds the most of its jobs (the others fall back to their cheapest compatible type).
 * Ties go to the catalog's order.
 */
export function chooseFixedTypes(jobs: readonly AlgorithmJob[], catalog: readonly InstanceType[]): Record<string, string> {
  const byAlgorithm = new Map<string, AlgorithmJob[]>();
  for (const job of jobs) {
    const its = byAlgorithm.get(job.algorithm);
    if (its) its.push(job);
    else byAlgorithm.set(job.algorithm, [job]);
  }
  const chosen: Record<string, string> = {};
  for (const [algorithm, its] of [...byAlgorithm].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // Holding each job alone is holding the largest demand in every dimension.
    const held = catalog.map((type) => ({ type, count: its.filter((j) => canHold(type, j.demand, j.constraints)).length }));
    // minBy keeps the first of equals: catalog order breaks ties.
    const best = minBy(
      held.filter((h) => h.count > 0),
      (a, b) => b.count - a.count || a.type.pricePerHour - b.type.pricePerHour,
    );
    if (best) chosen[algorithm] = best.type.name;
  }
  return chosen;
}
