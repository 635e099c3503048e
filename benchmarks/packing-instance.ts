// A textbook bin packing instance (one bin size, unit cost) in the shape the
// packing engine speaks, and back: a PackingResult expanded into bins of item
// indices, and a check that such bins are a valid packing.

import type { BinKind, ItemGroup, PackingResult } from '../src/core/packing/pack-types.ts';

/** One bin size; items listed in file order, one demand vector each (same length as `capacity`). */
export interface PackingInstance {
  readonly name: string;
  readonly capacity: readonly number[];
  readonly items: readonly (readonly number[])[];
}

export interface PackingInput {
  readonly groups: ItemGroup[];
  /** A single kind: the instance's bin, cost 1. */
  readonly kinds: BinKind[];
  /** Per group, the 0-based indices of its items, in file order. */
  readonly groupItems: number[][];
}

/**
 * Groups identical item vectors (groups in order of first appearance), with one
 * bin kind of the instance's capacity and cost 1 that every group may use.
 */
export function toPackingInput(instance: PackingInstance): PackingInput {
  const d = instance.capacity.length;
  const byDemand = new Map<string, number>();
  const demands: (readonly number[])[] = [];
  const groupItems: number[][] = [];
  instance.items.forEach((item, index) => {
    if (item.length !== d) {
      throw new Error(`${instance.name}: item ${index} has ${item.length} dimensions, the bin has ${d}`);
    }
    const key = item.join(',');
    let group = byDemand.get(key);
    if (group === undefined) {
      group = demands.length;
      byDemand.set(key, group);
      demands.push([...item]);
      groupItems.push([]);
    }
    groupItems[group]!.push(index);
  });
  const groups: ItemGroup[] = demands.map((demand, g) => ({ demand, count: groupItems[g]!.length, kinds: [0] }));
  const kinds: BinKind[] = [{ capacity: [...instance.capacity], cost: 1 }];
  return { groups, kinds, groupItems };
}

export interface ExpandedSolution {
  /** One entry per bin (copies expanded), each the item indices it holds. */
  readonly bins: number[][];
  /** Inconsistencies in the result itself (bad indices, more items than a group has, wrong cost). */
  readonly problems: string[];
}

/**
 * Expands a PackingResult into bins of item indices: bins in result order, each
 * copy taking the next `count` unused indices of each listed group.
 */
export function expandResult(input: PackingInput, result: PackingResult): ExpandedSolution {
  const problems: string[] = [];
  const bins: number[][] = [];
  const next = input.groupItems.map(() => 0);
  let cost = 0;
  let kindsKnown = true;
  result.bins.forEach((packed, b) => {
    const where = `result.bins[${b}]`;
    const kind = input.kinds[packed.kind];
    if (kind === undefined) {
      problems.push(`${where}: unknown kind ${packed.kind}`);
      kindsKnown = false;
    } else {
      cost += kind.cost * packed.copies;
    }
    if (!Number.isSafeInteger(packed.copies) || packed.copies < 0) {
      problems.push(`${where}: copies must be a non-negative integer, got ${packed.copies}`);
      return;
    }
    for (const entry of packed.contents) {
      if (input.groupItems[entry.group] === undefined) {
        problems.push(`${where}: unknown group ${entry.group}`);
      } else if (!Number.isSafeInteger(entry.count) || entry.count < 0) {
        problems.push(`${where}: group ${entry.group} count must be a non-negative integer, got ${entry.count}`);
      } else if (!input.groups[entry.group]!.kinds.includes(packed.kind)) {
        problems.push(`${where}: group ${entry.group} is not allowed in kind ${packed.kind}`);
      }
    }
    for (let copy = 0; copy < packed.copies; copy++) {
      const bin: number[] = [];
      for (const entry of packed.contents) {
        const members = input.groupItems[entry.group];
        if (members === undefined || !Number.isSafeInteger(entry.count) || entry.count < 0) continue;
        const start = next[entry.group]!;
        const available = Math.max(0, Math.min(entry.count, members.length - start));
        bin.push(...members.slice(start, start + available));
        if (available < entry.count) {
          problems.push(
            `${where} copy ${copy}: group ${entry.group} has ${members.length} items, the result places more than that`,
          );
        }
        next[entry.group] = start + entry.count;
      }
      bins.push(bin);
    }
  });
  if (kindsKnown && Math.abs(cost - result.cost) > 1e-9 * Math.max(1, Math.abs(cost))) {
    problems.push(`result.cost is ${result.cost}, the bins cost ${cost}`);
  }
  input.groupItems.forEach((members, g) => {
    const placed = Math.min(next[g]!, members.length);
    const unpacked = result.unpacked[g] ?? 0;
    if (placed + unpacked !== members.length) {
      problems.push(`group ${g}: ${members.length} items, ${placed} placed in bins and ${unpacked} reported unpacked`);
    }
  });
  return { bins, problems };
}

/**
 * Checks bins of item indices against the instance: every item in exactly one
 * bin, and no bin over capacity in any dimension. Returns the problems found
 * (empty when valid).
 */
export function validateSolution(instance: PackingInstance, bins: readonly (readonly number[])[]): string[] {
  const problems: string[] = [];
  const n = instance.items.length;
  const d = instance.capacity.length;
  const placedIn = new Array<number>(n).fill(-1);
  bins.forEach((bin, b) => {
    const load = new Array<number>(d).fill(0);
    for (const item of bin) {
      if (!Number.isSafeInteger(item) || item < 0 || item >= n) {
        problems.push(`bin ${b}: item index ${item} out of range (${n} items)`);
        continue;
      }
      if (placedIn[item] !== -1) {
        const first = placedIn[item];
        problems.push(first === b ? `bin ${b}: item ${item} appears twice` : `item ${item} is in bins ${first} and ${b}`);
        continue;
      }
      placedIn[item] = b;
      const demand = instance.items[item]!;
      for (let k = 0; k < d; k++) load[k]! += demand[k] ?? 0;
    }
    for (let k = 0; k < d; k++) {
      if (load[k]! > instance.capacity[k]!) {
        problems.push(`bin ${b}: load ${load[k]} exceeds capacity ${instance.capacity[k]} in dimension ${k}`);
      }
    }
  });
  const missing = placedIn.flatMap((bin, item) => (bin === -1 ? [item] : []));
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).join(', ');
    problems.push(`${missing.length} item(s) in no bin: ${shown}${missing.length > 10 ? ', …' : ''}`);
  }
  return problems;
}
