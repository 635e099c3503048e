import type { InstanceType } from '../catalog/instance-type.ts';
import { allowsType } from '../planner/compatibility.ts';
import type { PendingJob, Plan, PlannerInput } from '../planner/plan-types.ts';
import { add, fits, resources, type Resources } from '../resources.ts';
import type { FleetPolicy } from './fleet-policy.ts';
import { budgetRefusal, cheapestType, launchBudget, launchRefusal, type LaunchBudget, refund, spend } from '../planner/launch-budget.ts';
import { canTake, nodeBins, noCompatibleType, PlanBuilder, typesHolding } from './peer-placement.ts';

/** consolidateAfter of the modelled NodePool (an assumption: see karpenterPolicy). */
const CONSOLIDATE_AFTER_SECONDS = 30;

/**
 * Karpenter's provisioner, as one scheduling round of its scheduler. Sources: Karpenter
 * source, kubernetes-sigs/karpenter pkg/controllers/provisioning/scheduling (queue.go:
 * byCPUAndMemoryDescending; scheduler.go: Scheduler.add); Karpenter docs, "Settings"
 * (BATCH_IDLE_DURATION, BATCH_MAX_DURATION), "NodePools" and "Disruption" (consolidationPolicy,
 * consolidateAfter).
 *
 * - Pending jobs sorted first fit decreasing: cpu, then memory, largest first; ties oldest
 *   first, then by id. Like Karpenter, priority plays no part in the order.
 * - Each job goes to the first existing node with room (Karpenter tries the nodes it knows,
 *   ready or still launching, before any new claim): registered nodes first, then in-flight
 *   (launching) ones, each by id.
 * - Else to a node claim made this round: claims are tried fewest jobs first (Karpenter
 *   re-sorts them so before each job), ties in the order they were made. A claim keeps
 *   the set of instance types that can still hold all its jobs; a job joins only if some
 *   type in the set can hold everything with it, and the set narrows to those.
 * - Else a new claim with every type that can hold the job and fits the limits.
 * - At the end each claim launches the cheapest type of its set.
 * - Launch batching: 1 s idle, 10 s max (BATCH_IDLE_DURATION, BATCH_MAX_DURATION defaults).
 * - Disruption: consolidationPolicy WhenEmpty, an empty node is removed consolidateAfter
 *   after its last job left. The Disruption page's defaults do not include consolidateAfter;
 *   30 s, the value in the NodePools page's example, is assumed here. Measured continuously.
 *   loadmaster's batch consolidation of busy nodes has no Karpenter counterpart under
 *   WhenEmpty, so it is off.
 *
 * Limits: Karpenter filters a new claim's types by the NodePool's remaining limits. Here each
 * claim reserves its cheapest type against the PlacementPolicy (instances, USD/hour, type
 * limits), a type the reservations leave no room for is dropped from a claim's set, and a
 * job that can neither join nor open a claim waits with the planner's reason.
 */
export function karpenterPolicy(): FleetPolicy {
  return {
    name: 'karpenter',
    plan: planKarpenter,
    batch: { idleSeconds: 1, maxSeconds: 10 },
    idle: { idleSeconds: CONSOLIDATE_AFTER_SECONDS, evaluationSeconds: 0 },
    consolidation: false,
  };
}

interface NodeClaim {
  /** When it was made this round: the launch order and the tie-break among equally full claims. */
  readonly made: number;
  readonly jobs: PendingJob[];
  total: Resources;
  /** Instance types that can hold all its jobs and the limits leave room for. */
  options: InstanceType[];
  /** Per dimension, the most any option offers: rules out a full claim without scanning its options. */
  largest: Resources;
  /** Its cheapest option, the type it will launch, charged to the budget while the round runs. */
  reserved: InstanceType;
}

function planKarpenter(input: PlannerInput): Plan {
  const { catalog, policy } = input;
  const plan = new PlanBuilder();
  const registered = nodeBins(input, 'registered');
  const launching = nodeBins(input, 'launching');
  const budget = launchBudget(input);
  const claims: NodeClaim[] = [];

  for (const job of [...input.jobs].sort(byCpuAndMemoryDescending)) {
    const existing = registered.find((n) => canTake(n, job));
    if (existing) {
      plan.start(job, existing);
      continue;
    }
    const inFlight = launching.find((n) => canTake(n, job));
    if (inFlight) {
      plan.bind(job, inFlight);
      continue;
    }
    // Nearly sorted already, so the (stable) sort costs about one pass.
    claims.sort((a, b) => a.jobs.length - b.jobs.length || a.made - b.made);
    if (claims.some((claim) => join(claim, job, budget, policy))) continue;

    const holding = typesHolding(job, catalog);
    const options = holding.filter((t) => budgetRefusal(budget, t, policy) === undefined);
    if (options.length === 0) {
      plan.wait(job, holding.length === 0 ? noCompatibleType(job, catalog) : launchRefusal(budget, holding, policy)!);
      continue;
    }
    const reserved = cheapestType(options)!;
    spend(budget, reserved);
    claims.push({ made: claims.length, jobs: [job], total: job.demand, options, largest: largestOf(options), reserved });
  }

  for (const claim of claims.sort((a, b) => a.made - b.made)) {
    const instance = plan.launch(claim.reserved);
    for (const job of claim.jobs) plan.launchOn(job, instance);
  }
  return plan.build();
}

/** Adds the job to the claim when some option can hold everything with it and the limits allow one. */
function join(claim: NodeClaim, job: PendingJob, budget: LaunchBudget, policy: PlannerInput['policy']): boolean {
  const total = add(claim.total, job.demand);
  if (!fits(total, claim.largest)) return false;
  // The claim's own reservation is released while its options are judged: it may move to a dearer type.
  refund(budget, claim.reserved);
  const options = claim.options.filter((t) => fits(total, t.allocatable) && allowsType(job.constraints, t) && budgetRefusal(budget, t, policy) === undefined);
  const reserved = cheapestType(options) ?? claim.reserved;
  spend(budget, reserved);
  if (options.length === 0) return false;
  claim.jobs.push(job);
  claim.total = total;
  claim.options = options;
  claim.largest = largestOf(options);
  claim.reserved = reserved;
  return true;
}

function largestOf(types: readonly InstanceType[]): Resources {
  return resources((d) => Math.max(...types.map((t) => t.allocatable[d])));
}

/** Karpenter's queue order: cpu, then memory, largest first; then oldest; then by id for a total order. */
function byCpuAndMemoryDescending(a: PendingJob, b: PendingJob): number {
  return b.demand.cpu - a.demand.cpu || b.demand.memoryMiB - a.demand.memoryMiB || a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
