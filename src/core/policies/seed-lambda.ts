import type { Plan, PlannerInput } from '../planner/plan-types.ts';
import type { FleetPolicy } from './fleet-policy.ts';
import { budgetRefusal, launchBudget, spend } from '../planner/launch-budget.ts';
import { canTake, type FixedTypes, nodeBins, noCompatibleType, pinnedType, PlanBuilder, queueOrder } from './peer-placement.ts';

export interface SeedLambdaOptions {
  /** Algorithm → the one instance type its Lambda launches. */
  readonly fixedTypes: FixedTypes;
}

/**
 * The original toolbox this project replaces (DESIGN.md, "Where it comes from"): one
 * Lambda per algorithm did placement on every invocation.
 *
 * - One fixed instance type per algorithm (`fixedTypes[job.algorithm]`). A job whose
 *   algorithm has none, or that the type cannot hold, gets the cheapest type that can
 *   (see pinnedType): the original would have failed it; we do not, so that the
 *   comparison measures placement, not misconfiguration.
 * - The Lambda listed and described the container instances: a job starts on the first
 *   registered node of its type with room for it (nodes by id).
 * - Otherwise it launched an instance for that job alone. It could not see instances
 *   still launching, so nothing is ever bound to a launching node, and two jobs that
 *   would share an instance each get their own.
 * - No batching: each invocation launched at once.
 * - Shutdown only by the CloudWatch alarm CPU < 1 % for 2 consecutive 5-minute periods
 *   (CloudWatch alarms evaluate whole periods): idle 600 s counted from the end of the
 *   300 s period in which the node emptied. No consolidation.
 *
 * Jobs are taken in queue order (priority, then oldest); every limit of the
 * PlacementPolicy is kept and a job refused by one waits with the planner's reason.
 */
export function seedLambdaPolicy(options: SeedLambdaOptions): FleetPolicy {
  return {
    name: 'seed-lambda',
    plan: (input) => planSeedLambda(input, options.fixedTypes),
    batch: { idleSeconds: 0, maxSeconds: 0 },
    idle: { idleSeconds: 600, evaluationSeconds: 300 },
    consolidation: false,
  };
}

function planSeedLambda(input: PlannerInput, fixedTypes: FixedTypes): Plan {
  const { catalog, policy } = input;
  const plan = new PlanBuilder();
  const registered = nodeBins(input, 'registered');
  const budget = launchBudget(input);

  for (const job of [...input.jobs].sort(queueOrder)) {
    const type = pinnedType(job, fixedTypes, catalog);
    if (!type) {
      plan.wait(job, noCompatibleType(job, catalog));
      continue;
    }
    const node = registered.find((n) => n.type.name === type.name && canTake(n, job));
    if (node) {
      plan.start(job, node);
      continue;
    }
    const refusal = budgetRefusal(budget, type, policy);
    if (refusal) {
      plan.wait(job, refusal);
      continue;
    }
    spend(budget, type);
    plan.launchOn(job, plan.launch(type));
  }
  return plan.build();
}
