import { DIMENSIONS } from '../resources.ts';
import type { JobClass } from './job-classes.ts';
import { MinTree } from './min-tree.ts';
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
 * own, its remaining jobs are placed one slot at a time, oldest first: on the first slot the
 * rule lets the next of them join, else up to the count left on the first slot it does not,
 * counted off. `taken[c]` counts the jobs of class c already placed (its oldest), and grows.
 */
export function placeOnSlots(classes: readonly JobClass[], taken: Int32Array, sets: readonly SlotSet[], mayShare?: MayShare, exempt?: Int32Array): void {
  classes.forEach((jobClass, c) => {
    const demand = DIMENSIONS.map((d) => jobClass.demand[d]);
    const fits = (slot: Slot): number => {
      if (jobClass.allowedTypes[slot.typeIndex] !== 1) return 0;
      let n = jobClass.jobs.length - taken[c]!;
      demand.forEach((need, d) => {
        if (need > 0) n = Math.min(n, Math.floor(slot.free[d]! / need));
      });
      return n;
    };
    // The share rule's limit for the class's next job, asked again once jobs were placed.
    let limitFor = -1;
    let limit = Infinity;
    const limitOf = (next: number): number => {
      if (limitFor !== next) {
        limit = mayShare === undefined ? Infinity : mayShare(jobClass, next);
        limitFor = next;
      }
      return limit;
    };
    const admits = (slot: Slot): boolean =>
      mayShare === undefined || slot.jobs === undefined || slot.pricePerHour === undefined || slot.pricePerHour / (slot.jobs + 1) <= limitOf(taken[c]!);
    const put = (set: SlotSet, slot: Slot, n: number): void => {
      if (slot.jobs !== undefined) slot.jobs += n;
      demand.forEach((need, d) => (slot.free[d]! -= n * need));
      set.place(
        slot,
        jobClass.jobs.slice(taken[c]!, taken[c]! + n).map((j) => j.id),
      );
      taken[c]! += n;
    };

    for (const set of sets) {
      for (const slot of set.slots) {
        if (taken[c] === jobClass.jobs.length) return;
        const n = fits(slot);
        if (n > 0 && admits(slot)) put(set, slot, n);
      }
    }
    // The exempt jobs: each is placed on the first slot the rule lets it join by its own limit
    // (its algorithm's run time may let it in where the first pass's job was not), else, while
    // the class has exemptions left, on the first slot with room, counted off. The slots with
    // room are kept in a tree by price per job, so each placement costs a logarithm, not a scan.
    if ((exempt?.[c] ?? 0) <= 0 || taken[c] === jobClass.jobs.length) return;
    const live = sets.flatMap((set) => set.slots.filter((slot) => fits(slot) > 0).map((slot) => ({ set, slot })));
    const perJob = (slot: Slot): number => (slot.jobs !== undefined && slot.pricePerHour !== undefined ? slot.pricePerHour / (slot.jobs + 1) : -Infinity);
    const byPrice = new MinTree(live.map(({ slot }) => perJob(slot)));
    let head = 0; // the first live slot that may still have room
    while (taken[c]! < jobClass.jobs.length) {
      // Full slots hold +Infinity, which no finite bound reaches.
      let at = byPrice.firstAtMost(Math.min(limitOf(taken[c]!), Number.MAX_VALUE));
      let counted = false;
      if (at === undefined) {
        while (head < live.length && fits(live[head]!.slot) <= 0) head++;
        if (exempt![c]! <= 0 || head >= live.length) return;
        at = head;
        counted = true;
      }
      const { set, slot } = live[at]!;
      const n = counted ? Math.min(fits(slot), exempt![c]!) : fits(slot);
      if (counted) exempt![c] = exempt![c]! - n;
      put(set, slot, n);
      byPrice.set(at, fits(slot) > 0 ? perJob(slot) : Infinity);
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

