import type { InstanceType } from '../catalog/instance-type.ts';
import { DIMENSIONS, fits, resources, type Resources } from '../resources.ts';
import { allowsType } from './compatibility.ts';
import { constraintKey } from './constraint-key.ts';
import type { JobConstraints, PendingJob } from './plan-types.ts';

/** Jobs the planner cannot tell apart: same demand, same constraints, same priority. */
export interface JobClass {
  readonly demand: Resources;
  readonly constraints: JobConstraints;
  readonly priority: number;
  /** Oldest first: when only some of a class get capacity, the oldest do. */
  readonly jobs: PendingJob[];
  /** Per catalog type index: 1 when the constraints allow it and one job fits it empty. */
  readonly allowedTypes: Uint8Array;
  /** Σ_d demand / largest allocatable of d in the catalog: the first-fit-decreasing key. */
  readonly size: number;
}

/**
 * Above this many distinct shapes, demands are rounded up (never down: rounding must
 * not over-commit a node) to a grid of 16 steps per doubling, at most 6.25 % more than
 * asked. Real queues hold a few dozen algorithms; the cap keeps a queue of unique
 * one-off overrides plannable in the same time.
 */
export const MAX_EXACT_CLASSES = 1000;

export function roundUpToGrid(value: number): number {
  if (value <= 16) return Math.ceil(value);
  const step = 2 ** (Math.floor(Math.log2(value)) - 4);
  return Math.ceil(value / step) * step;
}

export function buildJobClasses(jobs: readonly PendingJob[], catalog: readonly InstanceType[]): JobClass[] {
  let classes = groupJobs(jobs, catalog, (r) => r);
  if (classes.length > MAX_EXACT_CLASSES) classes = groupJobs(jobs, catalog, (r) => resources((d) => roundUpToGrid(r[d])));
  return classes;
}

function groupJobs(jobs: readonly PendingJob[], catalog: readonly InstanceType[], shape: (r: Resources) => Resources): JobClass[] {
  const largest = resources((d) => Math.max(0, ...catalog.map((t) => t.allocatable[d])));
  const allowedByConstraints = new Map<string, Uint8Array>();
  const byKey = new Map<string, { demand: Resources; constraints: JobConstraints; priority: number; jobs: PendingJob[]; constraintKey: string }>();
  for (const job of jobs) {
    const demand = shape(job.demand);
    const byConstraints = constraintKey(job.constraints);
    const key = `${DIMENSIONS.map((d) => demand[d]).join(',')}|${byConstraints}|${job.priority}`;
    const entry = byKey.get(key);
    if (entry) entry.jobs.push(job);
    else byKey.set(key, { demand, constraints: job.constraints, priority: job.priority, jobs: [job], constraintKey: byConstraints });
  }
  const classes: JobClass[] = [];
  for (const entry of byKey.values()) {
    let allowed = allowedByConstraints.get(entry.constraintKey);
    if (!allowed) {
      allowed = Uint8Array.from(catalog, (t) => (allowsType(entry.constraints, t) ? 1 : 0));
      allowedByConstraints.set(entry.constraintKey, allowed);
    }
    const allowedTypes = Uint8Array.from(allowed, (a, i) => (a === 1 && fits(entry.demand, catalog[i]!.allocatable) ? 1 : 0));
    const size = DIMENSIONS.reduce((s, d) => (largest[d] > 0 ? s + entry.demand[d] / largest[d] : s), 0);
    entry.jobs.sort(olderFirst);
    classes.push({ demand: entry.demand, constraints: entry.constraints, priority: entry.priority, jobs: entry.jobs, allowedTypes, size });
  }
  // Higher priority first; then larger first; then a total order so the plan is deterministic.
  return classes.sort((a, b) => b.priority - a.priority || b.size - a.size || olderFirst(a.jobs[0]!, b.jobs[0]!));
}

export function olderFirst(a: PendingJob, b: PendingJob): number {
  return a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
