// The share rule (policy.sharePriceRatio): whether a job should join a node that already runs
// or holds other jobs, or get an instance of its own.
//
// Joining is free only while the node's other jobs keep it alive anyway. If the joining job
// outlasts them, the node's whole price is paid for it alone. With m jobs there and run times
// alike (and not known apart), the joining one is the last to end with probability 1/(m + 1),
// and for memoryless run times what it then adds is its whole expected run time D; so it is
// expected to add about D / (m + 1) of the node's life, at price / (m + 1) per hour of D. Its
// own instance costs its type's price for D plus a boot (billed from launch, 60 s at least).
// The rule compares the two, with a ratio above 1 for what the model leaves out: the boot a
// job waits for on a new instance, and nodes whose other jobs run longer than the newcomer.
import type { InstanceType } from '../catalog/instance-type.ts';
import { budgetRefusal, cheapestType, type LaunchBudget } from './launch-budget.ts';
import type { JobClass } from './job-classes.ts';
import type { Slot } from './place-on-slots.ts';
import type { PlannerInput } from './plan-types.ts';

/** Whether the job at `classJobs[next]` may join `slot` (asked before each batch placed on it). */
export type MayShare = (jobClass: JobClass, next: number, slot: Slot) => boolean;

/** EC2 bills at least this much of every instance. */
const MINIMUM_BILLED_SECONDS = 60;

/** The rule for this round, or undefined when the policy turns it off (every job may join any node). */
export function shareRule(input: PlannerInput, catalog: readonly InstanceType[], budget: LaunchBudget): MayShare | undefined {
  const ratio = input.policy.sharePriceRatio ?? 0;
  if (!(ratio > 0)) return undefined;
  const typePrice = new Map(input.catalog.map((t) => [t.name, t.pricePerHour]));
  const nodePrice = new Map(input.nodes.map((n) => [n.id, n.pricePerHour ?? typePrice.get(n.type)]));
  // Keyed by the class's allowed types: the planner passes copies of a class with fewer jobs.
  const ownPrice = new Map<Uint8Array, number | undefined>();
  const ownPriceOf = ({ allowedTypes }: JobClass): number | undefined => {
    if (!ownPrice.has(allowedTypes)) {
      const own = cheapestType(catalog.filter((_, k) => allowedTypes[k] === 1));
      // When the budget refuses the job's own instance, sharing is all there is.
      ownPrice.set(allowedTypes, own && budgetRefusal(budget, own, input.policy) === undefined ? own.pricePerHour : undefined);
    }
    return ownPrice.get(allowedTypes);
  };
  const boot = input.expectedBootSeconds;
  return (jobClass, next, slot) => {
    const price = nodePrice.get(slot.id);
    const own = ownPriceOf(jobClass);
    if (slot.jobs === undefined || price === undefined || own === undefined) return true;
    const run = jobClass.jobs[next]?.expectedRunSeconds;
    const billed = run === undefined ? undefined : Math.max(MINIMUM_BILLED_SECONDS, run);
    const ownCost = billed === undefined || boot === undefined ? own : (own * (billed + boot)) / billed;
    return price / (slot.jobs + 1) <= ratio * ownCost;
  };
}
