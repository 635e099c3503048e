import { randomIndex, type Random } from '../random.ts';
import { constructPatterns, type Pattern } from './construct-patterns.ts';
import type { KindLimit } from './pack-types.ts';
import type { PackingProblem } from './packing-problem.ts';

/** One bin during improvement: its kind, its items (internal group ids) and their summed demand. */
export interface WorkBin {
  kind: number;
  items: number[];
  load: Float64Array;
}

const EPSILON = 1e-9;

export function expandPatterns(p: PackingProblem, patterns: readonly Pattern[]): WorkBin[] {
  const bins: WorkBin[] = [];
  for (const pattern of patterns) {
    for (let c = 0; c < pattern.copies; c++) {
      const bin: WorkBin = { kind: pattern.kind, items: [], load: new Float64Array(p.dims) };
      pattern.groups.forEach((g, i) => {
        for (let n = 0; n < pattern.counts[i]!; n++) addItem(p, bin, g);
      });
      bins.push(bin);
    }
  }
  return bins;
}

/** Identical bins (same kind, same multiset of groups) folded back into patterns, in first-seen order. */
export function compressBins(bins: readonly WorkBin[]): Pattern[] {
  const byKey = new Map<string, { kind: number; groups: number[]; counts: number[]; copies: number }>();
  for (const bin of bins) {
    const sorted = bin.items.slice().sort((a, b) => a - b);
    const groups: number[] = [];
    const counts: number[] = [];
    for (const g of sorted) {
      if (groups.at(-1) === g) counts[counts.length - 1]! += 1;
      else {
        groups.push(g);
        counts.push(1);
      }
    }
    const key = `${bin.kind}|${groups.join(',')}|${counts.join(',')}`;
    const seen = byKey.get(key);
    if (seen) seen.copies += 1;
    else byKey.set(key, { kind: bin.kind, groups, counts, copies: 1 });
  }
  return [...byKey.values()];
}

function addItem(p: PackingProblem, bin: WorkBin, g: number): void {
  bin.items.push(g);
  for (let d = 0; d < p.dims; d++) bin.load[d] += p.demand[g * p.dims + d]!;
}





export interface ImproveOptions {
  /** Search steps × dimensions in total (roughly proportional to time): the improvement's budget. */
  readonly effort: number;
  readonly random: Random;
  readonly limits: readonly KindLimit[];
}

/** How many bins one attempt empties, to repack their items into one bin fewer. */
const VICTIMS = 3;
/** Steps an item that left a bin stays out of it (plus up to as many again, at random). */
const TABU_TENURE = 12;
/** Branch-and-bound steps for one bin refill, and per bin when repacking the pool. */
const REFILL_STEPS = 2_000;
const REPACK_STEPS = 2_000;

/**
 * Consistent-neighbourhood search on partial packings (after Buljubašić & Vasquez,
 * 2016). An attempt takes the least efficient bins out, their items forming a pool,
 * and succeeds when the pool packs into bins that cost less than the ones taken out.
 * Meanwhile it shrinks the pool: each bin in turn is refilled with the best subset of
 * its own items and the pool's (an exact small knapsack), and when no refill helps, a
 * tabu swap between the pool and a bin moves the search on even at a loss. Failure
 * restores every bin. Afterwards every bin moves to the cheapest kind that still
 * holds its contents. Stops at the budget or, for a single kind of bin, at the volume
 * lower bound.
 */
export function improveBins(p: PackingProblem, bins: WorkBin[], options: ImproveOptions): WorkBin[] {
  let work = 0;
  const lowerBound = singleKindLowerBound(p);
  const failures = new Set<WorkBin>();
  while (work < options.effort && bins.length > lowerBound && bins.length >= 2) {
    const victims = pickVictims(p, bins, failures, Math.min(VICTIMS, bins.length));
    if (victims === undefined) break;
    // An attempt may spend all that is left: long searches are what close the hard cases.
    const outcome = tryEliminate(p, bins, victims, options.effort - work, options);
    work += outcome.work;
    if (outcome.eliminated) failures.clear();
    else failures.add(victims[0]!);
  }
  downsize(p, bins, options.limits);
  return bins;
}

/** For one kind of bin, no packing beats Σ demand / capacity in any dimension. */
function singleKindLowerBound(p: PackingProblem): number {
  if (p.kindCount !== 1) return 0;
  let bound = 0;
  for (let d = 0; d < p.dims; d++) {
    let total = 0;
    for (let g = 0; g < p.groupCount; g++) total += p.count[g]! * p.demand[g * p.dims + d]!;
    const cap = p.capacity[d]!;
    if (cap > 0) bound = Math.max(bound, Math.ceil(total / cap - EPSILON));
  }
  return bound;
}

function binEfficiency(p: PackingProblem, bin: WorkBin): number {
  let value = 0;
  for (const g of bin.items) value += p.value[g]!;
  return value / p.cost[bin.kind]!;
}

/** The least efficient bin not yet failed with, plus the next least efficient ones. */
function pickVictims(p: PackingProblem, bins: readonly WorkBin[], failures: ReadonlySet<WorkBin>, count: number): WorkBin[] | undefined {
  const ranked = bins
    .map((bin, i) => ({ bin, i, score: binEfficiency(p, bin) + bin.items.length * 1e-9 }))
    .sort((a, b) => a.score - b.score || a.i - b.i)
    .map((r) => r.bin);
  const first = ranked.find((bin) => !failures.has(bin));
  if (first === undefined) return undefined;
  return [first, ...ranked.filter((bin) => bin !== first).slice(0, count - 1)];
}

interface Attempt {
  readonly eliminated: boolean;
  readonly work: number;
}

function tryEliminate(p: PackingProblem, bins: WorkBin[], victims: readonly WorkBin[], budget: number, options: ImproveOptions): Attempt {
  const { random } = options;
  // Out from the back, back in from the front: every bin returns to its old place on failure.
  const removed = victims.map((bin) => ({ bin, position: bins.indexOf(bin) })).sort((a, b) => a.position - b.position);
  for (const { position } of [...removed].reverse()) bins.splice(position, 1);
  let pool = victims.flatMap((v) => v.items);
  const victimCost = victims.reduce((sum, v) => sum + p.cost[v.kind]!, 0);
  const saved = new Map<WorkBin, { items: number[]; load: Float64Array }>();
  const touch = (bin: WorkBin): void => {
    if (!saved.has(bin)) saved.set(bin, { items: bin.items.slice(), load: bin.load.slice() });
  };
  // tabu.get(bin) maps group → the step until which it may not re-enter that bin.
  const tabu = new Map<WorkBin, Map<number, number>>();
  const isTabu = (bin: WorkBin, g: number, step: number): boolean => (tabu.get(bin)?.get(g) ?? -1) >= step;

  let work = 0;
  const repacked = (): WorkBin[] | undefined => {
    const outcome = repackCheaper(p, pool, victimCost, victims.length, options);
    work += outcome.steps * p.dims;
    return outcome.bins;
  };
  let home = repacked();
  for (let step = 0; home === undefined && work < budget; step++) {
    let improved = false;
    const start = randomIndex(random, bins.length);
    for (let offset = 0; offset < bins.length && home === undefined; offset++) {
      const bin = bins[(start + offset) % bins.length]!;
      const refill = bestRefill(p, bin, pool, (g) => isTabu(bin, g, step));
      work += refill.steps * p.dims;
      if (refill.items === undefined) continue;
      touch(bin);
      setItems(p, bin, refill.items);
      pool = refill.pool;
      improved = true;
      home = repacked();
    }
    if (home !== undefined || improved) continue;
    const swap = bestSwap(p, bins, pool, (bin, g) => isTabu(bin, g, step), randomIndex(random, bins.length));
    work += swap.work * p.dims;
    if (!swap.move) break;
    const { bin, inPositions, outGroups } = swap.move;
    touch(bin);
    for (const g of outGroups) removeItemAt(p, bin, bin.items.indexOf(g));
    for (const i of [...inPositions].sort((x, y) => y - x)) {
      addItem(p, bin, pool[i]!);
      pool.splice(i, 1);
    }
    pool.push(...outGroups);
    const entry = tabu.get(bin) ?? new Map<number, number>();
    for (const g of outGroups) entry.set(g, step + TABU_TENURE + randomIndex(random, TABU_TENURE));
    tabu.set(bin, entry);
    home = repacked();
  }
  if (home !== undefined) {
    bins.push(...home);
    return { eliminated: true, work };
  }
  for (const [bin, state] of saved) {
    bin.items = state.items;
    bin.load = state.load;
  }
  for (const { bin, position } of removed) bins.splice(position, 0, bin);
  return { eliminated: false, work };
}

/**
 * The pool packed into fewer than `victimCount` bins costing less than the victims,
 * or undefined. A volume check (single kind) skips the packing when it cannot work.
 */
function repackCheaper(
  p: PackingProblem,
  pool: readonly number[],
  victimCost: number,
  victimCount: number,
  options: ImproveOptions,
): { bins: WorkBin[] | undefined; steps: number } {
  if (pool.length === 0) return { bins: [], steps: 1 };
  if (p.kindCount === 1) {
    for (let d = 0; d < p.dims; d++) {
      let total = 0;
      for (const g of pool) total += p.demand[g * p.dims + d]!;
      if (total > (victimCount - 1) * p.capacity[d]! + EPSILON) return { bins: undefined, steps: pool.length };
    }
  }
  const residual = new Int32Array(p.groupCount);
  for (const g of pool) residual[g] += 1;
  const { patterns, leftOver, steps } = constructPatterns(p, residual, options.limits, REPACK_STEPS);
  const cost = patterns.reduce((sum, pattern) => sum + pattern.copies * p.cost[pattern.kind]!, 0);
  const cheaper = !leftOver.some((n) => n > 0) && cost < victimCost - EPSILON;
  return { bins: cheaper ? expandPatterns(p, patterns) : undefined, steps: steps + pool.length };
}

function setItems(p: PackingProblem, bin: WorkBin, items: number[]): void {
  bin.items = items;
  bin.load = new Float64Array(p.dims);
  for (const g of items) for (let d = 0; d < p.dims; d++) bin.load[d] += p.demand[g * p.dims + d]!;
}

/** A better filling of one bin (its new items and the pool after it), or nothing better. */
type Refill = { readonly items: number[]; readonly pool: number[]; readonly steps: number } | { readonly items: undefined; readonly steps: number };

/**
 * The subset of the bin's items and the (non-tabu, compatible) pool items that fills
 * the bin most (by size), found by branch-and-bound; taken only when it holds
 * strictly more than the bin does now, so the pool strictly shrinks.
 */
function bestRefill(p: PackingProblem, bin: WorkBin, pool: readonly number[], forbidden: (g: number) => boolean): Refill {
  const { dims } = p;
  // A bin without free space holds the most it can already (the bound below would say so, at a higher price).
  let room = 0;
  for (let d = 0; d < dims; d++) if (p.largestCapacity[d]! > 0) room += (p.capacity[bin.kind * dims + d]! - bin.load[d]!) / p.largestCapacity[d]!;
  if (room <= EPSILON) return { items: undefined, steps: 1 };
  const available = new Map<number, number>();
  for (const g of bin.items) available.set(g, (available.get(g) ?? 0) + 1);
  const inBin = new Map(available);
  for (const g of pool) {
    if (p.compatible[g * p.kindCount + bin.kind] === 1 && !forbidden(g)) available.set(g, (available.get(g) ?? 0) + 1);
  }
  const groups = [...available.keys()].sort((a, b) => a - b); // internal order is decreasing size
  const counts = groups.map((g) => available.get(g)!);
  const suffixSize = new Float64Array(groups.length + 1);
  for (let i = groups.length - 1; i >= 0; i--) suffixSize[i] = suffixSize[i + 1]! + counts[i]! * p.size[groups[i]!]!;
  const current = bin.items.reduce((sum, g) => sum + p.size[g]!, 0);

  const free = new Float64Array(dims);
  for (let d = 0; d < dims; d++) free[d] = p.capacity[bin.kind * dims + d]!;
  const largestShare = (): number => {
    let room = 0;
    for (let d = 0; d < dims; d++) if (p.largestCapacity[d]! > 0) room += free[d]! / p.largestCapacity[d]!;
    return room;
  };
  const taken = new Int32Array(groups.length);
  let best = current + EPSILON;
  let bestTaken: Int32Array | undefined;
  let steps = 0;
  const visit = (i: number, size: number): void => {
    if (++steps > REFILL_STEPS) return;
    if (size > best) {
      best = size;
      bestTaken = taken.slice();
    }
    if (i >= groups.length || size + Math.min(suffixSize[i]!, largestShare()) <= best) return;
    const g = groups[i]!;
    let most = counts[i]!;
    for (let d = 0; d < dims; d++) {
      const need = p.demand[g * dims + d]!;
      if (need > 0) most = Math.min(most, Math.floor((free[d]! + EPSILON) / need));
    }
    for (let n = most; n >= 0 && steps <= REFILL_STEPS; n--) {
      taken[i] = n;
      for (let d = 0; d < dims; d++) free[d] -= n * p.demand[g * dims + d]!;
      visit(i + 1, size + n * p.size[g]!);
      for (let d = 0; d < dims; d++) free[d] += n * p.demand[g * dims + d]!;
    }
    taken[i] = 0;
  };
  visit(0, 0);

  const chosen: Int32Array | undefined = bestTaken;
  if (chosen === undefined) return { items: undefined, steps };
  const items: number[] = [];
  // What leaves the pool, per group: chosen beyond what the bin held.
  const fromPool = new Map<number, number>();
  const toPool: number[] = [];
  groups.forEach((g, i) => {
    const n = chosen[i]!;
    for (let k = 0; k < n; k++) items.push(g);
    const held = inBin.get(g) ?? 0;
    if (n > held) fromPool.set(g, n - held);
    for (let k = n; k < held; k++) toPool.push(g);
  });
  const nextPool: number[] = [];
  for (const g of pool) {
    const left = fromPool.get(g) ?? 0;
    if (left > 0) fromPool.set(g, left - 1);
    else nextPool.push(g);
  }
  nextPool.push(...toPool);
  return { items, pool: nextPool, steps };
}

/**
 * The swap of one or two pool items for none, one or two of a bin's items, over all
 * bins, that fits, is not tabu, and shrinks the pool most; it may grow the pool when
 * nothing shrinks it (the tabu search's way out of a local optimum). Ties go to the
 * first bin from a random start.
 */
function bestSwap(
  p: PackingProblem,
  bins: readonly WorkBin[],
  pool: readonly number[],
  forbidden: (bin: WorkBin, g: number) => boolean,
  start: number,
): { move: SwapMove | null; work: number } {
  const { dims, demand, size } = p;
  const usable = new Uint8Array(pool.length);
  let work = 0;
  let best: SwapMove | null = null;
  let bestGain = -Infinity;
  // Hot loop: positions instead of arrays, -1 for "no item"; nothing is allocated per candidate.
  const fits = (bin: WorkBin, a: number, b: number, x: number, y: number): boolean => {
    const cap = bin.kind * dims;
    for (let d = 0; d < dims; d++) {
      let load = bin.load[d]! + demand[a * dims + d]!;
      if (b >= 0) load += demand[b * dims + d]!;
      if (x >= 0) load -= demand[x * dims + d]!;
      if (y >= 0) load -= demand[y * dims + d]!;
      if (load > p.capacity[cap + d]! + EPSILON) return false;
    }
    return true;
  };
  for (let offset = 0; offset < bins.length; offset++) {
    const bin = bins[(start + offset) % bins.length]!;
    const items = bin.items;
    for (let i = 0; i < pool.length; i++) usable[i] = accepts(p, bin, pool[i]!) && !forbidden(bin, pool[i]!) ? 1 : 0;
    for (let i = 0; i < pool.length; i++) {
      if (usable[i] === 0) continue;
      for (let j = i; j <= pool.length; j++) {
        // j === pool.length: one item goes in; otherwise the pair (i, j), j > i.
        if (j === i || (j < pool.length && usable[j] === 0)) continue;
        const a = pool[i]!;
        const b = j < pool.length ? pool[j]! : -1;
        const inSize = size[a]! + (b >= 0 ? size[b]! : 0);
        // Out: nothing (x = y = -1), item y (x = -1), or the pair x < y.
        for (let x = -1; x < items.length; x++) {
          for (let y = x < 0 ? -1 : x + 1; y < items.length; y++) {
            const gx = x >= 0 ? items[x]! : -1;
            const gy = y >= 0 ? items[y]! : -1;
            work++;
            // Moving the same multiset back and forth changes nothing.
            if (b < 0 ? gx < 0 && gy === a : gx >= 0 && ((gx === a && gy === b) || (gx === b && gy === a))) continue;
            const gain = inSize - (gx >= 0 ? size[gx]! : 0) - (gy >= 0 ? size[gy]! : 0);
            if (gain <= bestGain + EPSILON || !fits(bin, a, b, gx, gy)) continue;
            bestGain = gain;
            best = { bin, inPositions: b >= 0 ? [i, j] : [i], outGroups: gx >= 0 ? [gx, gy] : gy >= 0 ? [gy] : [] };
          }
        }
      }
    }
  }
  return { move: best, work };
}

interface SwapMove {
  readonly bin: WorkBin;
  /** Positions in the pool of the items that go in. */
  readonly inPositions: readonly number[];
  /** Groups of the items that come out. */
  readonly outGroups: readonly number[];
}

function removeItemAt(p: PackingProblem, bin: WorkBin, index: number): number {
  const g = bin.items[index]!;
  bin.items[index] = bin.items[bin.items.length - 1]!;
  bin.items.pop();
  for (let d = 0; d < p.dims; d++) bin.load[d] -= p.demand[g * p.dims + d]!;
  return g;
}


function accepts(p: PackingProblem, bin: WorkBin, g: number): boolean {
  return p.compatible[g * p.kindCount + bin.kind] === 1;
}


/** Every bin to the cheapest kind that accepts all its items and holds their load, within the limits. */
function downsize(p: PackingProblem, bins: readonly WorkBin[], limits: readonly KindLimit[]): void {
  const used = limits.map((l) => bins.filter((b) => l.kinds.includes(b.kind)).length);
  const inLimit = limits.map((l) => new Set(l.kinds));
  for (const bin of bins) {
    if (bin.items.length === 0) continue;
    for (const k of p.kindsOf[bin.items[0]!]!) {
      if (p.cost[k]! >= p.cost[bin.kind]!) break;
      if (!bin.items.every((g) => p.compatible[g * p.kindCount + k] === 1)) continue;
      if (!fitsIn(p, bin.load, k)) continue;
      if (limits.some((_, i) => inLimit[i]!.has(k) && !inLimit[i]!.has(bin.kind) && used[i]! >= limits[i]!.max)) continue;
      limits.forEach((_, i) => {
        if (inLimit[i]!.has(bin.kind)) used[i]! -= 1;
        if (inLimit[i]!.has(k)) used[i]! += 1;
      });
      bin.kind = k;
      break;
    }
  }
}

function fitsIn(p: PackingProblem, load: Float64Array, k: number): boolean {
  for (let d = 0; d < p.dims; d++) if (load[d]! > p.capacity[k * p.dims + d]! + EPSILON) return false;
  return true;
}
