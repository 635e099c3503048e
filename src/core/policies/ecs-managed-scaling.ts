import type { InstanceType } from '../catalog/instance-type.ts';
import type { PendingJob, Plan, PlannerInput } from '../planner/plan-types.ts';
import type { FleetPolicy } from './fleet-policy.ts';
import { budgetRefusal, launchBudget, minBy, spend } from '../planner/launch-budget.ts';
import { type Bin, canTake, type FixedTypes, nodeBins, noCompatibleType, pinnedType, PlanBuilder, queueOrder } from './peer-placement.ts';

export interface EcsManagedScalingOptions {
  /** Algorithm → the instance type of the Auto Scaling group behind its capacity provider. */
  readonly fixedTypes: FixedTypes;
}

/**
 * ECS capacity providers with managed scaling at target capacity 100 %, one Auto Scaling
 * group (one instance type) per algorithm. Sources: Amazon ECS Developer Guide, "Amazon
 * ECS cluster auto scaling" (managed scaling, targetCapacity, the CapacityProviderReservation
 * metric M / N × 100) and "Use strategies to define Amazon ECS task placement"; ECS API
 * Reference, "PlacementStrategy" (binpack); AWS Containers blog, "Deep Dive on Amazon ECS
 * Cluster Auto Scaling" (tasks in PROVISIONING count toward M; the scale-in alarm's 15
 * one-minute data points).
 *
 * - The group's type is `fixedTypes[job.algorithm]`, with pinnedType's fallback (the
 *   cheapest type that can hold a job its group's type cannot). Groups of the same type
 *   are one group here: nodes carry a type, not the group that launched them.
 * - Placement strategy binpack on memory: a task goes to the instance with the least memory
 *   left that still has enough for it, among the registered nodes of the group's type
 *   (ties: by id). Jobs in queue order.
 * - A task that fits nowhere stays in PROVISIONING and is counted toward the instances
 *   needed (M). Model: it is bound to a launching node of its group with room (those are
 *   already in N), else to a new instance of the group's type, new instances packed first
 *   fit decreasing (memory, then cpu, then gpu; ties in queue order). Only the group's
 *   type is ever launched for a job (its fallback when the group's type cannot hold it).
 * - CapacityProviderReservation is published and evaluated every minute: launches are
 *   batched 60 s (idle 60 s, max 60 s).
 * - Scale-in when the target-tracking low alarm sees 15 consecutive one-minute data points
 *   below target: idle 900 s counted from the end of the minute the node emptied. No
 *   consolidation (ECS does not move running tasks).
 *
 * Every limit of the PlacementPolicy is kept; a job refused by one waits with the planner's reason.
 */
export function ecsManagedScalingPolicy(options: EcsManagedScalingOptions): FleetPolicy {
  return {
    name: 'ecs-managed-scaling',
    plan: (input) => planEcsManagedScaling(input, options.fixedTypes),
    batch: { idleSeconds: 60, maxSeconds: 60 },
    idle: { idleSeconds: 900, evaluationSeconds: 60 },
    consolidation: false,
  };
}

function planEcsManagedScaling(input: PlannerInput, fixedTypes: FixedTypes): Plan {
  const { catalog, policy } = input;
  const plan = new PlanBuilder();
  const registered = nodeBins(input, 'registered');
  const launching = nodeBins(input, 'launching');
  const budget = launchBudget(input);

  const provisioning: { job: PendingJob; type: InstanceType }[] = [];
  for (const job of [...input.jobs].sort(queueOrder)) {
    const type = pinnedType(job, fixedTypes, catalog);
    if (!type) {
      plan.wait(job, noCompatibleType(job, catalog));
      continue;
    }
    const candidates = registered.filter((n) => n.type.name === type.name && canTake(n, job));
    // binpack on memory; candidates are in id order and minBy keeps the first of equals.
    const node = minBy(candidates, (a, b) => a.free.memoryMiB - b.free.memoryMiB);
    if (node) plan.start(job, node);
    else provisioning.push({ job, type });
  }

  provisioning.sort(
    (a, b) =>
      b.job.demand.memoryMiB - a.job.demand.memoryMiB || b.job.demand.cpu - a.job.demand.cpu || b.job.demand.gpu - a.job.demand.gpu || queueOrder(a.job, b.job),
  );
  for (const { job, type } of provisioning) {
    const inGroup = (n: Bin): boolean => n.type.name === type.name && canTake(n, job);
    const node = launching.find(inGroup);
    if (node) {
      plan.bind(job, node);
      continue;
    }
    let instance = plan.launches.find(inGroup);
    if (!instance) {
      const refusal = budgetRefusal(budget, type, policy);
      if (refusal) {
        plan.wait(job, refusal);
        continue;
      }
      spend(budget, type);
      instance = plan.launch(type);
    }
    plan.launchOn(job, instance);
  }
  return plan.build();
}
