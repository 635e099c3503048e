// The share rule (policy.sharePriceRatio): whether a job should join an existing node (busy
// or empty) or get an instance of its own.
//
// Joining is free only while the node's other jobs keep it alive anyway. If the joining job
// outlasts them, the node's whole price is paid for it alone. With m jobs there and run times
// alike (and not known apart), the joining one is the last to end with probability 1/(m + 1),
// and for memoryless run times what it then adds is its whole expected run time D; so it is
// expected to add about D / (m + 1) of the node's life, at price / (m + 1) per hour of D (an
// empty node, m = 0, lives on for it alone). Its own instance costs its type's price for a
// boot plus D, billed 60 s at least: per hour of D, price · max(60, boot + D) / D. The rule
// compares the two, with a ratio above 1 for what the model leaves out: the boot a job waits
// for on a new instance, and nodes whose other jobs run longer than the newcomer.
import { MINIMUM_BILLED_SECONDS, type InstanceType } from '../catalog/instance-type.ts';
import { matchesAnyTypePattern } from '../catalog/type-pattern.ts';
import { budgetRefusal, cheapestType, type LaunchBudget } from './launch-budget.ts';
import type { JobClass } from './job-classes.ts';
import type { PlannerInput } from './plan-types.ts';

/**
 * The most a node may cost per job, the joining one counted (price / (jobs + 1)), for the job
 * at `jobClass.jobs[next]` to join it; Infinity: any node. Asked once per job placed first on
 * a node, so placement compares numbers, node by node.
 */
export type MayShare = (jobClass: JobClass, next: number) => number;

/**
 * The job count a node gives the rule (FleetNode.jobs): none for a node of a warm pattern
 * (controller.warmNodes), which stays whatever joins it, so joining it costs nothing.
 */
export function shareRuleJobs(type: string, jobs: number, warmPatterns: readonly string[]): { readonly jobs?: number } {
  return matchesAnyTypePattern(type, warmPatterns) ? {} : { jobs };
}

/** The rule for this round, or undefined when the policy turns it off (every job may join any node). */
export function shareRule(input: PlannerInput, catalog: readonly InstanceType[], budget: LaunchBudget): MayShare | undefined {
  const ratio = input.policy.sharePriceRatio ?? 0;
  if (!(ratio > 0)) return undefined;
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
  return (jobClass, next) => {
    const job = jobClass.jobs[next];
    const own = ownPriceOf(jobClass);
    if (own === undefined) return Infinity;
    const run = job?.expectedRunSeconds;
    // Per second of its run, its own instance costs the boot and the billing minimum on top.
    const ownCost = run === undefined ? own : run <= 0 ? Infinity : (own * Math.max(MINIMUM_BILLED_SECONDS, run + (boot ?? 0))) / run;
    return ratio * ownCost;
  };
}
