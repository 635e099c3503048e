// Checks a plan against its input, independently of the planner: the benchmarks report
// figures only for plans that hold every job exactly once and over-use nothing.

import type { InstanceType } from '../src/core/catalog/instance-type.ts';
import type { Plan, PlannerInput, WaitCode } from '../src/core/planner/plan-types.ts';
import { add, fits, formatResources, ZERO, type Resources } from '../src/core/resources.ts';
import { canHold } from '../src/core/planner/compatibility.ts';

export interface PlanCheckOptions {
  /** Wait codes allowed in this run (e.g. only 'no-compatible-type' under a generous policy). */
  readonly allowedWaitCodes?: readonly WaitCode[];
}

const PRICE_TOLERANCE = 1e-6;

/** Problems found, in plain sentences; empty when the plan is valid. */
export function validatePlan(input: PlannerInput, plan: Plan, options: PlanCheckOptions = {}): string[] {
  const problems: string[] = [];
  const jobs = new Map(input.jobs.map((j) => [j.id, j]));
  const nodes = new Map(input.nodes.map((n) => [n.id, n]));
  const types = new Map<string, InstanceType>(input.catalog.map((t) => [t.name, t]));
  const seen = new Map<string, string>();

  const claim = (jobId: string, where: string): boolean => {
    if (!jobs.has(jobId)) {
      problems.push(`${where}: unknown job ${jobId}`);
      return false;
    }
    const before = seen.get(jobId);
    if (before !== undefined) {
      problems.push(`job ${jobId} is in the plan twice: ${before} and ${where}`);
      return false;
    }
    seen.set(jobId, where);
    return true;
  };

  // Starts and bindings: per node, within its free capacity and allowed by the job's constraints.
  const loadOnNode = new Map<string, Resources>();
  const onNode = (entries: Plan['starts'], kind: 'start' | 'binding', state: string): void => {
    for (const { jobId, nodeId } of entries) {
      const where = `${kind} on ${nodeId}`;
      if (!claim(jobId, where)) continue;
      const node = nodes.get(nodeId);
      if (!node) {
        problems.push(`${where}: unknown node`);
        continue;
      }
      if (node.state !== state) problems.push(`${where}: node is ${node.state}, expected ${state}`);
      const job = jobs.get(jobId)!;
      const type = types.get(node.type);
      if (type && !canHold(type, job.demand, job.constraints)) problems.push(`${where}: job ${jobId} may not run on ${node.type}`);
      loadOnNode.set(nodeId, add(loadOnNode.get(nodeId) ?? ZERO, job.demand));
    }
  };
  onNode(plan.starts, 'start', 'registered');
  onNode(plan.bindings, 'binding', 'launching');
  for (const [nodeId, load] of loadOnNode) {
    const node = nodes.get(nodeId)!;
    if (!fits(load, node.free)) problems.push(`node ${nodeId}: jobs need ${formatResources(load)}, only ${formatResources(node.free)} free`);
  }

  // Launches: a known type, compatible jobs, within its allocatable resources.
  let cost = 0;
  plan.launches.forEach((launch, i) => {
    const where = `launch #${i} (${launch.type})`;
    const type = types.get(launch.type);
    if (!type) {
      problems.push(`${where}: type not in the catalog`);
      return;
    }
    cost += type.pricePerHour;
    if (launch.jobIds.length === 0) problems.push(`${where}: no jobs bound to it`);
    let load = ZERO;
    for (const jobId of launch.jobIds) {
      if (!claim(jobId, where)) continue;
      const job = jobs.get(jobId)!;
      if (!canHold(type, job.demand, job.constraints)) problems.push(`${where}: job ${jobId} may not run on it`);
      load = add(load, job.demand);
    }
    if (!fits(load, type.allocatable)) problems.push(`${where}: jobs need ${formatResources(load)}, it offers ${formatResources(type.allocatable)}`);
  });
  if (Math.abs(cost - plan.launchHourlyCost) > PRICE_TOLERANCE * Math.max(1, cost)) {
    problems.push(`launchHourlyCost is ${plan.launchHourlyCost}, the launches' prices sum to ${cost}`);
  }

  // Waiting: allowed codes only; a job said to fit no type must really fit none.
  for (const { jobId, reason } of plan.waiting) {
    const where = `waiting (${reason.code})`;
    if (!claim(jobId, where)) continue;
    if (options.allowedWaitCodes !== undefined && !options.allowedWaitCodes.includes(reason.code)) {
      problems.push(`job ${jobId} waits with ${reason.code}: ${reason.message}`);
    }
    const job = jobs.get(jobId)!;
    if (reason.code === 'no-compatible-type' && input.catalog.some((t) => canHold(t, job.demand, job.constraints))) {
      problems.push(`job ${jobId} waits with no-compatible-type, yet some catalog type can hold it`);
    }
  }

  const missing = input.jobs.filter((j) => !seen.has(j.id));
  if (missing.length > 0) problems.push(`${missing.length} job(s) missing from the plan, e.g. ${missing.slice(0, 3).map((j) => j.id).join(', ')}`);
  return problems;
}

/** USD/hour of the plan's launches, from the catalog's prices. */
export function launchCost(plan: Plan, catalog: readonly InstanceType[]): number {
  const price = new Map(catalog.map((t) => [t.name, t.pricePerHour]));
  return plan.launches.reduce((sum, l) => sum + (price.get(l.type) ?? NaN), 0);
}
