import { DIMENSIONS } from '../resources.ts';
import type { JobClass } from './job-classes.ts';
import type { MayShare } from './share-rule.ts';

/** Capacity a job can be put on this round: a registered node, a launching one, or an instance planned earlier in the round. */
export interface Slot {
  readonly id: string;
  readonly typeIndex: number;
  /** Free capacity per dimension, in DIMENSIONS order; lowered as jobs are placed. */
  readonly free: number[];
  /** Jobs on it (running, bound, placed this round), growing as jobs are placed; absent for a node that reports none, and for instances planned this round. */
  jobs?: number;
  /** USD/hour, for the share rule; with `jobs`. */
  readonly pricePerHour?: number;
}

/** Slots of one kind (registered nodes, launching ones, ...) and what placing jobs on one of them means. */
export interface SlotSet {
  readonly slots: readonly Slot[];
  readonly place: (slot: Slot, jobIds: readonly string[]) => void;
}

/**
 * First fit, classes in the order given (priority, then largest first), slot sets and their
 * slots in the order given (the caller puts the fullest first, so work consolidates and
 * emptier nodes can drain). As many jobs of a class as fit go on a slot at once, when
 * `mayShare` (the share rule) lets the first of them join it: the others then find it no
 * emptier. Then, for a class with `exempt[c]` jobs the budget refused an instance of their
 * own, a second pass puts up to that many (oldest first) on slots the rule refuses, and
 * counts them off: where the rule lets them in, they went in the first pass.
 * `taken[c]` counts the jobs of class c already placed (its oldest), and grows.
 */
export function placeOnSlots(classes: readonly JobClass[], taken: Int32Array, sets: readonly SlotSet[], mayShare?: MayShare, exempt?: Int32Array): void {
  classes.forEach((jobClass, c) => {
    const demand = DIMENSIONS.map((d) => jobClass.demand[d]);
    // The share rule's limit for the class's next job, asked again once jobs were placed.
    let limitFor = -1;
    let limit = Infinity;
    for (const spendExemptions of (exempt?.[c] ?? 0) > 0 ? [false, true] : [false]) {
      for (const { slots, place } of sets) {
        for (const slot of slots) {
          const left = jobClass.jobs.length - taken[c]!;
          if (left === 0) return;
          if (jobClass.allowedTypes[slot.typeIndex] !== 1) continue;
          let n = left;
          demand.forEach((need, d) => {
            if (need > 0) n = Math.min(n, Math.floor(slot.free[d]! / need));
          });
          if (n <= 0) continue;
          if (mayShare !== undefined && slot.jobs !== undefined && slot.pricePerHour !== undefined) {
            if (limitFor !== taken[c]) {
              limit = mayShare(jobClass, taken[c]!);
              limitFor = taken[c]!;
            }
            if (slot.pricePerHour / (slot.jobs + 1) > limit) {
              const quota = spendExemptions ? exempt![c]! : 0;
              if (quota <= 0) continue;
              n = Math.min(n, quota);
              exempt![c] = quota - n;
            }
          }
          if (slot.jobs !== undefined) slot.jobs += n;
          demand.forEach((need, d) => (slot.free[d]! -= n * need));
          place(
            slot,
            jobClass.jobs.slice(taken[c]!, taken[c]! + n).map((j) => j.id),
          );
          taken[c]! += n;
        }
      }
    }
  });
}

/** Mean used share over the dimensions the type has: higher is fuller. */
export function fullness(free: readonly number[], allocatable: readonly number[]): number {
  let used = 0;
  let dims = 0;
  allocatable.forEach((cap, d) => {
    if (cap > 0) {
      used += 1 - free[d]! / cap;
      dims++;
    }
  });
  return dims === 0 ? 0 : used / dims;
}
