import type { BinKind, ItemGroup } from './pack-types.ts';

/**
 * The packing instance in flat arrays, with what every phase needs precomputed.
 * Groups are renumbered so that index order is decreasing size: the greedy and
 * search phases then walk groups in the first-fit-decreasing order for free.
 */
export interface PackingProblem {
  readonly dims: number;
  readonly groupCount: number;
  readonly kindCount: number;
  /** groupCount × dims */
  readonly demand: Float64Array;
  readonly count: Int32Array;
  /** kindCount × dims */
  readonly capacity: Float64Array;
  readonly cost: Float64Array;
  /** groupCount × kindCount: 1 when the group may go in the kind and one item fits an empty bin. */
  readonly compatible: Uint8Array;
  /** Per group, the kinds it may go in, cheapest first. */
  readonly kindsOf: readonly Int32Array[];
  /** Size used to order items and measure a pool: Σ_d demand / largest capacity of d. */
  readonly size: Float64Array;
  /**
   * What an item is worth when scoring a bin's contents: the cost of its dominant
   * share on the kind where that is cheapest (min_k cost_k · max_d demand_d / cap_kd).
   * A bin whose contents are worth more than it costs is a bargain.
   */
  readonly value: Float64Array;
  /** Original group index of each internal group. */
  readonly originalGroup: Int32Array;
  /** Per dimension, the largest capacity of any kind: the scale of `size`. */
  readonly largestCapacity: Float64Array;
}

export function buildPackingProblem(groups: readonly ItemGroup[], kinds: readonly BinKind[]): PackingProblem {
  const dims = kinds[0]?.capacity.length ?? groups[0]?.demand.length ?? 0;
  for (const [i, k] of kinds.entries()) {
    if (k.capacity.length !== dims) throw new Error(`bin kind ${i} has ${k.capacity.length} dimensions, expected ${dims}`);
  }
  for (const [i, g] of groups.entries()) {
    if (g.demand.length !== dims) throw new Error(`item group ${i} has ${g.demand.length} dimensions, expected ${dims}`);
  }
  const kindCount = kinds.length;
  const capacity = new Float64Array(kindCount * dims);
  const cost = new Float64Array(kindCount);
  const largest = new Float64Array(dims);
  kinds.forEach((k, i) => {
    cost[i] = k.cost;
    for (let d = 0; d < dims; d++) {
      capacity[i * dims + d] = k.capacity[d]!;
      largest[d] = Math.max(largest[d]!, k.capacity[d]!);
    }
  });

  const sizeOf = (g: ItemGroup): number => {
    let s = 0;
    for (let d = 0; d < dims; d++) if (largest[d]! > 0) s += g.demand[d]! / largest[d]!;
    return s;
  };
  // Decreasing size, then original index: a total order, so the result is deterministic.
  const order = groups.map((g, i) => ({ i, s: sizeOf(g) })).sort((a, b) => b.s - a.s || a.i - b.i);

  const groupCount = groups.length;
  const demand = new Float64Array(groupCount * dims);
  const count = new Int32Array(groupCount);
  const size = new Float64Array(groupCount);
  const value = new Float64Array(groupCount);
  const originalGroup = new Int32Array(groupCount);
  const compatible = new Uint8Array(groupCount * kindCount);
  const kindsOf: Int32Array[] = [];

  order.forEach(({ i: original, s }, g) => {
    const group = groups[original]!;
    originalGroup[g] = original;
    count[g] = group.count;
    size[g] = s;
    for (let d = 0; d < dims; d++) demand[g * dims + d] = group.demand[d]!;
    let best = Infinity;
    const allowed: number[] = [];
    for (const k of group.kinds) {
      let fitsEmpty = true;
      let dominant = 0;
      for (let d = 0; d < dims; d++) {
        const need = group.demand[d]!;
        const cap = capacity[k * dims + d]!;
        if (need > cap) fitsEmpty = false;
        else if (need > 0) dominant = Math.max(dominant, need / cap);
      }
      if (!fitsEmpty || compatible[g * kindCount + k] === 1) continue;
      compatible[g * kindCount + k] = 1;
      allowed.push(k);
      best = Math.min(best, cost[k]! * dominant);
    }
    value[g] = Number.isFinite(best) ? best : 0;
    allowed.sort((a, b) => cost[a]! - cost[b]! || a - b);
    kindsOf.push(Int32Array.from(allowed));
  });

  return { dims, groupCount, kindCount, demand, count, capacity, cost, compatible, kindsOf, size, value, originalGroup, largestCapacity: largest };
}

/** How many items of group g fit in `free` (a dims-long slice view). */
export function maxFit(p: PackingProblem, g: number, free: Float64Array, freeOffset = 0): number {
  let n = Infinity;
  const base = g * p.dims;
  for (let d = 0; d < p.dims; d++) {
    const need = p.demand[base + d]!;
    if (need > 0) n = Math.min(n, Math.floor(free[freeOffset + d]! / need));
  }
  return n;
}
