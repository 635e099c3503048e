// Identical jobs grouped for the lower-bound LPs: the LP has one row per group, not per job.

import type { InstanceType } from '../catalog/instance-type.ts';
import { canHold } from '../planner/compatibility.ts';
import { constraintKey } from '../planner/constraint-key.ts';
import type { JobConstraints, PendingJob } from '../planner/plan-types.ts';
import { DIMENSIONS, type Resources } from '../resources.ts';

/** What the bounds need of a job: what it asks for and where it may run. */
export type BoundJob = Pick<PendingJob, 'id' | 'demand' | 'constraints'>;

/** A job and how long it runs once started. */
export interface TimedJob extends BoundJob {
  readonly durationSeconds: number;
}

/** Identical jobs (same demand, same constraints) and the catalog types that can hold one. */
export interface JobGroup {
  readonly demand: Resources;
  readonly constraints: JobConstraints;
  /** Jobs in the group. */
  readonly count: number;
  /**
   * What the LP must place of the group: its job count for a fleet at one moment, or its
   * job-seconds for a fleet over time (resource-time-lower-bound.ts).
   */
  readonly weight: number;
  /** Indices into the catalog of the types that can hold one such job, ascending. */
  readonly types: readonly number[];
}

export interface GroupedJobs {
  readonly groups: JobGroup[];
  /** Ids of jobs no catalog type can hold, in input order of their groups. */
  readonly unplaceable: string[];
  /** Per input job, the index of its group in `groups`; -1 for an unplaceable job. */
  readonly groupOf: Int32Array;
}

function groupKey(demand: Resources, constraints: JobConstraints): string {
  return `${DIMENSIONS.map((d) => demand[d]).join(',')}|${constraintKey(constraints)}`;
}

/**
 * Groups identical jobs, each group weighing the sum of its jobs' `weightOf` (1 each by
 * default: a job count); jobs no type can hold go to `unplaceable`. Groups come in the
 * order of their first job, so the result is deterministic.
 */
export function groupBoundJobs<Job extends BoundJob>(jobs: readonly Job[], catalog: readonly InstanceType[], weightOf: (job: Job) => number = () => 1): GroupedJobs {
  const byKey = new Map<string, { demand: Resources; constraints: JobConstraints; ids: string[]; weight: number; index: number }>();
  const keyIndex = new Int32Array(jobs.length);
  for (const [i, job] of jobs.entries()) {
    const key = groupKey(job.demand, job.constraints);
    let group = byKey.get(key);
    if (group) {
      group.ids.push(job.id);
      group.weight += weightOf(job);
    } else {
      group = { demand: job.demand, constraints: job.constraints, ids: [job.id], weight: weightOf(job), index: byKey.size };
      byKey.set(key, group);
    }
    keyIndex[i] = group.index;
  }
  const groups: JobGroup[] = [];
  const unplaceable: string[] = [];
  const indexOfKey = new Int32Array(byKey.size);
  for (const g of byKey.values()) {
    const types: number[] = [];
    catalog.forEach((t, i) => {
      if (canHold(t, g.demand, g.constraints)) types.push(i);
    });
    if (types.length === 0) {
      unplaceable.push(...g.ids);
      indexOfKey[g.index] = -1;
    } else {
      indexOfKey[g.index] = groups.length;
      groups.push({ demand: g.demand, constraints: g.constraints, count: g.ids.length, weight: g.weight, types });
    }
  }
  return { groups, unplaceable, groupOf: keyIndex.map((k) => indexOfKey[k]!) };
}
