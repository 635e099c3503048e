import { planFleet } from '../planner/planner.ts';
import type { FleetPolicy, IdleRule } from './fleet-policy.ts';

/** The knobs of loadmaster's policy that live in the config's `controller` section. */
export interface LoadmasterTiming {
  readonly batch: FleetPolicy['batch'];
  readonly idle: IdleRule;
  readonly consolidation: boolean;
}

/**
 * Ours: the placement planner (registered nodes fullest first, then launching ones, then
 * the cheapest fleet the packing engine finds for the rest, within the policy's limits),
 * with the batching, idle shutdown and batch consolidation the config sets.
 */
export function loadmasterPolicy(timing: LoadmasterTiming): FleetPolicy {
  return { name: 'loadmaster', plan: planFleet, ...timing };
}
