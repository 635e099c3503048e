// The PlacementPolicy limits (maxInstances, maxHourlyCost, typeLimits) as a running account
// of what may still be launched this round, spent one instance at a time: by loadmaster's
// planner as it accepts packed instances, and by the peer policies as they launch.
import type { InstanceType } from '../catalog/instance-type.ts';
import { matchesTypePattern } from '../catalog/type-pattern.ts';
import type { PlacementPolicy, PlannerInput, WaitReason } from './plan-types.ts';

/** What may still be launched this round: instances, USD/hour, and room per typeLimits pattern. */
export interface LaunchBudget {
  instances: number;
  cost: number;
  readonly typeRooms: { readonly pattern: string; readonly max: number; room: number }[];
}

/** USD/hour of the fleet: every node counts, draining ones too, as the planner counts them. */
export function fleetHourlyCost({ catalog, nodes }: Pick<PlannerInput, 'catalog' | 'nodes'>): number {
  const price = new Map(catalog.map((t) => [t.name, t.pricePerHour]));
  // A node carries its price when its type may have left the catalog (unavailable for a while).
  return nodes.reduce((sum, n) => sum + (n.pricePerHour ?? price.get(n.type) ?? 0), 0);
}

/** The budget left by the fleet as it is. */
export function launchBudget(input: PlannerInput): LaunchBudget {
  const { nodes, policy } = input;
  return {
    instances: policy.maxInstances - nodes.length,
    cost: policy.maxHourlyCost - fleetHourlyCost(input),
    typeRooms: Object.entries(policy.typeLimits).map(([pattern, max]) => ({
      pattern,
      max,
      room: max - nodes.filter((n) => matchesTypePattern(n.type, pattern)).length,
    })),
  };
}

/** Why one more instance of `type` may not be launched, in the planner's order: instances, cost, type limits. */
export function budgetRefusal(budget: LaunchBudget, type: InstanceType, policy: PlacementPolicy): WaitReason | undefined {
  if (budget.instances <= 0) {
    return { code: 'max-instances', message: `policy.maxInstances (${policy.maxInstances}) reached: no more instances may be launched` };
  }
  if (type.pricePerHour > budget.cost + 1e-9) {
    return {
      code: 'max-hourly-cost',
      message: `policy.maxHourlyCost ($${policy.maxHourlyCost}/h) reached: ${type.name} costs $${type.pricePerHour}/h and $${Math.max(0, budget.cost).toFixed(2)}/h is left`,
    };
  }
  const full = budget.typeRooms.filter((r) => r.room <= 0 && matchesTypePattern(type.name, r.pattern));
  if (full.length > 0) {
    return {
      code: 'type-limit',
      message: `${type.name} is at its limit in policy.typeLimits: ${full.map((r) => `${r.pattern} (${r.max})`).join(', ')}`,
    };
  }
  return undefined;
}

/** Why none of `candidates` may be launched: the cheapest one's refusal, the first a human would try to lift. */
export function launchRefusal(budget: LaunchBudget, candidates: readonly InstanceType[], policy: PlacementPolicy): WaitReason | undefined {
  if (candidates.length === 0 || candidates.some((t) => budgetRefusal(budget, t, policy) === undefined)) return undefined;
  return budgetRefusal(budget, cheapestType(candidates)!, policy);
}

export function spend(budget: LaunchBudget, type: InstanceType): void {
  charge(budget, type, 1);
}

/** Gives back what `spend` took: a planned instance that changes type is re-charged at its new one. */
export function refund(budget: LaunchBudget, type: InstanceType): void {
  charge(budget, type, -1);
}

function charge(budget: LaunchBudget, type: InstanceType, count: number): void {
  budget.instances -= count;
  budget.cost -= count * type.pricePerHour;
  for (const r of budget.typeRooms) if (matchesTypePattern(type.name, r.pattern)) r.room -= count;
}

/** Lowest price per hour; among equals the first by name, so the choice never depends on catalog order. */
export function cheapestType(types: readonly InstanceType[]): InstanceType | undefined {
  return minBy(types, (a, b) => a.pricePerHour - b.pricePerHour || byName(a, b));
}

export function byName(a: InstanceType, b: InstanceType): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function minBy<T>(items: readonly T[], compare: (a: T, b: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || compare(item, best) < 0) best = item;
  return best;
}
