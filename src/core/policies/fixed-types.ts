import type { InstanceType } from '../catalog/instance-type.ts';
import { canHold } from '../planner/compatibility.ts';
import type { JobConstraints } from '../planner/plan-types.ts';
import { DIMENSIONS, resources, type Resources } from '../resources.ts';

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
  for (const job of jobs) byAlgorithm.set(job.algorithm, [...(byAlgorithm.get(job.algorithm) ?? []), job]);
  const chosen: Record<string, string> = {};
  for (const [algorithm, its] of [...byAlgorithm].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const largest = resources((d) => Math.max(...its.map((j) => j.demand[d])));
    const allowsAll = (t: InstanceType): boolean => its.every((j) => canHold(t, j.demand, j.constraints));
    const holdsAll = catalog.filter((t) => DIMENSIONS.every((d) => t.allocatable[d] >= largest[d]) && allowsAll(t));
    const best =
      cheapest(holdsAll) ??
      cheapest(
        catalog.filter((t) => its.some((j) => canHold(t, j.demand, j.constraints))),
        (t) => -its.filter((j) => canHold(t, j.demand, j.constraints)).length,
      );
    if (best) chosen[algorithm] = best.name;
  }
  return chosen;
}

/** The type with the smallest (rank, price), first in catalog order among equals. */
function cheapest(types: readonly InstanceType[], rank: (t: InstanceType) => number = () => 0): InstanceType | undefined {
  let best: InstanceType | undefined;
  for (const t of types) {
    if (!best || rank(t) < rank(best) || (rank(t) === rank(best) && t.pricePerHour < best.pricePerHour)) best = t;
  }
  return best;
}
