import type { InstanceType } from '../catalog/instance-type.ts';
import type { PendingJob, Plan, PlannerInput } from '../planner/plan-types.ts';
import type { FleetPolicy } from './fleet-policy.ts';
import { budgetRefusal, byName, launchBudget, launchRefusal, minBy, spend } from '../planner/launch-budget.ts';
import { canTake, nodeBins, noCompatibleType, PlanBuilder, queueOrder, typesHolding } from './peer-placement.ts';

/**
 * AWS Batch managed EC2 compute environment with allocation strategy BEST_FIT_PROGRESSIVE.
 * Sources: AWS Batch User Guide, "Instance type allocation strategies for AWS Batch"
 * (BEST_FIT_PROGRESSIVE picks additional types large enough for the queued jobs,
 * preferring a lower cost per vCPU); AWS Batch API Reference, "ComputeScalingPolicy"
 * (minScaleDownDelayMinutes).
 *
 * - Jobs in queue order (priority, then oldest) go first fit onto registered nodes with
 *   room (by id), then onto launching ones.
 * - For the rest, new instances: take the largest remaining job (vCPU, then memory, then
 *   GPUs; ties in queue order); among the types that can hold it, are allowed for it and
 *   fit the PlacementPolicy limits, launch the one with the lowest price per vCPU (ties:
 *   cheaper, then by name); fill it first fit with further remaining jobs in queue order
 *   that fit and are allowed on it; repeat.
 * - Modelling assumption: Batch evaluates its queue periodically, not per job; launches
 *   are batched with idle 30 s, max 60 s. AWS documents no figure.
 * - Scale-down: Batch terminates instances that are idle. It documents no default delay;
 *   the opt-in minScaleDownDelayMinutes is at least 20 minutes. Assumed here: 10 minutes
 *   of idleness, measured continuously. No consolidation (Batch does not move running jobs).
 *
 * A job no type may be launched for waits with the planner's reason (the cheapest candidate's refusal).
 */
export function batchBestFitProgressivePolicy(): FleetPolicy {
  return {
    name: 'batch-best-fit-progressive',
    plan: planBestFitProgressive,
    batch: { idleSeconds: 30, maxSeconds: 60 },
    idle: { idleSeconds: 600, evaluationSeconds: 0 },
    consolidation: false,
  };
}

function planBestFitProgressive(input: PlannerInput): Plan {
  const { catalog, policy } = input;
  const plan = new PlanBuilder();
  const registered = nodeBins(input, 'registered');
  const launching = nodeBins(input, 'launching');
  const budget = launchBudget(input);

  let remaining: PendingJob[] = [];
  for (const job of [...input.jobs].sort(queueOrder)) {
    const node = registered.find((n) => canTake(n, job));
    if (node) plan.start(job, node);
    else remaining.push(job);
  }
  remaining = remaining.filter((job) => {
    const node = launching.find((n) => canTake(n, job));
    if (node) plan.bind(job, node);
    return !node;
  });

  while (remaining.length > 0) {
    const largest = minBy(remaining, (a, b) => b.demand.cpu - a.demand.cpu || b.demand.memoryMiB - a.demand.memoryMiB || b.demand.gpu - a.demand.gpu || queueOrder(a, b))!;
    remaining = remaining.filter((job) => job !== largest);
    const candidates = typesHolding(largest, catalog);
    if (candidates.length === 0) {
      plan.wait(largest, noCompatibleType(largest, catalog));
      continue;
    }
    const type = minBy(
      candidates.filter((t) => budgetRefusal(budget, t, policy) === undefined),
      (a, b) => pricePerVcpu(a) - pricePerVcpu(b) || a.pricePerHour - b.pricePerHour || byName(a, b),
    );
    if (!type) {
      plan.wait(largest, launchRefusal(budget, candidates, policy)!);
      continue;
    }
    spend(budget, type);
    const instance = plan.launch(type);
    plan.launchOn(largest, instance);
    remaining = remaining.filter((job) => {
      const fitsHere = canTake(instance, job);
      if (fitsHere) plan.launchOn(job, instance);
      return !fitsHere;
    });
  }
  return plan.build();
}

function pricePerVcpu(type: InstanceType): number {
  return type.pricePerHour / type.vcpu;
}
