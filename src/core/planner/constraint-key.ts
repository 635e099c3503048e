import type { JobConstraints } from './plan-types.ts';

/**
 * A string equal for two constraints exactly when they allow the same types: the type
 * names/patterns and GPU models are sets, so their order does not count. Jobs are grouped
 * by it, for the planner's job classes and for the lower bounds' job groups.
 */
export function constraintKey(constraints: JobConstraints): string {
  return JSON.stringify([
    constraints.instanceTypes === undefined ? null : [...constraints.instanceTypes].sort(),
    constraints.architecture ?? null,
    constraints.gpuModels === undefined ? null : [...constraints.gpuModels].sort(),
  ]);
}
