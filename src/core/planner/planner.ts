import type { Plan, PlannerInput } from './plan-types.ts';

/** The placement planner. Work in progress. */
export function planFleet(_input: PlannerInput): Plan {
  throw new Error('planFleet: not written yet');
}
