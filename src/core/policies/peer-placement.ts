// What the peer policies share: capacity that jobs are put on one at a time (existing
// nodes and instances planned this round), queue order, the fixed type per algorithm,
// and the assembly of a Plan. Compatibility is the planner's (allowsType, canHold,
// explainNoCompatibleType), so a peer never places a job where loadmaster would refuse to.
import type { InstanceType } from '../catalog/instance-type.ts';
import { allowsType, canHold, explainNoCompatibleType } from '../planner/compatibility.ts';
import { olderFirst } from '../planner/job-classes.ts';
import type { NodeState, PendingJob, Plan, PlannerInput, WaitReason } from '../planner/plan-types.ts';
import { fits, subtract, type Resources } from '../resources.ts';
import { cheapestType } from '../planner/launch-budget.ts';

/** A node, or an instance planned this round, with the room left on it and the jobs put there. */
export interface Bin {
  /** The node id; for a planned instance, `new-<n>` (never reported: launches carry no id). */
  readonly id: string;
  readonly type: InstanceType;
  free: Resources;
  readonly jobIds: string[];
}

export function canTake(bin: Bin, job: PendingJob): boolean {
  return fits(job.demand, bin.free) && allowsType(job.constraints, bin.type);
}

function take(bin: Bin, job: PendingJob): void {
  bin.free = subtract(bin.free, job.demand);
  bin.jobIds.push(job.id);
}

/**
 * The nodes in `state` that can take work, by id so the plan does not depend on the order
 * AWS listed them in. Draining nodes never take work; a node whose type is not in the
 * catalog (unavailable for now) is skipped, since nothing is known of what it allows.
 */
export function nodeBins(input: PlannerInput, state: Exclude<NodeState, 'draining'>): Bin[] {
  const types = new Map(input.catalog.map((t) => [t.name, t]));
  return input.nodes
    .filter((n) => n.state === state && types.has(n.type))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => ({ id: n.id, type: types.get(n.type)!, free: n.free, jobIds: [] }));
}

/** Queue order: higher priority first, then oldest, then by id. */
export function queueOrder(a: PendingJob, b: PendingJob): number {
  return b.priority - a.priority || olderFirst(a, b);
}

/** Types that can hold the job on their own: its constraints allow them and it fits them empty. */
export function typesHolding(job: PendingJob, catalog: readonly InstanceType[]): InstanceType[] {
  return catalog.filter((t) => canHold(t, job.demand, job.constraints));
}

/** Algorithm name → the one instance type its jobs run on. */
export type FixedTypes = Readonly<Record<string, string>>;

/**
 * The type a job runs on under a one-type-per-algorithm policy: its algorithm's fixed type.
 * Fallback, when the algorithm has no fixed type, the type is not in the catalog, or it
 * cannot hold the job (constraints or size): the cheapest type that can. That is what an
 * operator does for the odd job, and it keeps a peer from failing jobs loadmaster runs.
 * Undefined only when no catalog type can hold the job.
 */
export function pinnedType(job: PendingJob, fixedTypes: FixedTypes, catalog: readonly InstanceType[]): InstanceType | undefined {
  const name = job.algorithm === undefined ? undefined : fixedTypes[job.algorithm];
  const fixed = name === undefined ? undefined : catalog.find((t) => t.name === name);
  if (fixed && canHold(fixed, job.demand, job.constraints)) return fixed;
  return cheapestType(typesHolding(job, catalog));
}

/** The wait reason of a job no catalog type can hold, worded as the planner and the config check word it. */
export function noCompatibleType(job: PendingJob, catalog: readonly InstanceType[]): WaitReason {
  const why = explainNoCompatibleType(job.demand, job.constraints, catalog);
  return { code: 'no-compatible-type', message: why?.message ?? 'no instance type in the catalog can hold it' };
}

/** Collects a round's decisions, placing each job on its bin as it goes, and turns them into a Plan. */
export class PlanBuilder {
  readonly #starts: { jobId: string; nodeId: string }[] = [];
  readonly #bindings: { jobId: string; nodeId: string }[] = [];
  readonly #launches: Bin[] = [];
  readonly #waiting: { jobId: string; reason: WaitReason }[] = [];

  /** Instances planned so far this round, in the order they were planned. */
  get launches(): readonly Bin[] {
    return this.#launches;
  }

  start(job: PendingJob, node: Bin): void {
    take(node, job);
    this.#starts.push({ jobId: job.id, nodeId: node.id });
  }

  bind(job: PendingJob, node: Bin): void {
    take(node, job);
    this.#bindings.push({ jobId: job.id, nodeId: node.id });
  }

  /** Plans a new instance; the caller has checked the budget and spent it. */
  launch(type: InstanceType): Bin {
    const instance: Bin = { id: `new-${this.#launches.length}`, type, free: type.allocatable, jobIds: [] };
    this.#launches.push(instance);
    return instance;
  }

  launchOn(job: PendingJob, instance: Bin): void {
    take(instance, job);
  }

  wait(job: PendingJob, reason: WaitReason): void {
    this.#waiting.push({ jobId: job.id, reason });
  }

  build(): Plan {
    // Every instance is planned for a job, so none is empty; the filter keeps that promise if a caller breaks it.
    const launches = this.#launches.filter((l) => l.jobIds.length > 0);
    return {
      starts: this.#starts,
      bindings: this.#bindings,
      launches: launches.map((l) => ({ type: l.type.name, jobIds: l.jobIds })),
      waiting: this.#waiting,
      launchHourlyCost: launches.reduce((sum, l) => sum + l.type.pricePerHour, 0),
    };
  }
}
