import { randomIndex, type Random } from '../random.ts';
import type { Pattern } from './construct-patterns.ts';
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
  /** Move evaluations in total: the search's budget. */
  readonly effort: number;
  readonly random: Random;
  readonly limits: readonly KindLimit[];
}

/** Steps an item that left a bin stays out of it (plus up to as many again, at random). */
const TABU_TENURE = 5;

/**
 * Local search that removes bins. A victim bin (the least value per cost) is
 * emptied into a pool; pool items go into the other bins directly, or by swaps that
 * push smaller items out (the pool's total size strictly shrinks), or, when no swap
 * improves, by a random forced move with a short tabu so the search does not undo
 * it. The pool emptied means one bin fewer; budget spent means the victim is
 * restored untouched. Afterwards every bin moves to the cheapest kind that still
 * holds its contents. Stops at the budget or, for a single kind of bin, at the
 * volume lower bound.
 */
export function improveBins(p: PackingProblem, bins: WorkBin[], options: ImproveOptions): WorkBin[] {
  let work = 0;
  const lowerBound = singleKindLowerBound(p);
  const failures = new Set<WorkBin>();
  // A single bin cannot be emptied into nothing; the lower bound cannot be beaten.
  while (work < options.effort && bins.length > Math.max(lowerBound, 1)) {
    const victim = pickVictim(p, bins, failures);
    if (victim === undefined) break;
    const attemptBudget = Math.min(options.effort - work, Math.max(options.effort / 8, 1));
    const outcome = tryEliminate(p, bins, victim, attemptBudget, options.random);
    work += outcome.work;
    if (outcome.eliminated) failures.clear();
    else failures.add(victim);
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

function pickVictim(p: PackingProblem, bins: readonly WorkBin[], failures: ReadonlySet<WorkBin>): WorkBin | undefined {
  let best: WorkBin | undefined;
  let bestScore = Infinity;
  for (const bin of bins) {
    if (failures.has(bin)) continue;
    const score = binEfficiency(p, bin) + bin.items.length * 1e-9;
    if (score < bestScore) {
      best = bin;
      bestScore = score;
    }
  }
  return best;
}

interface Attempt {
  readonly eliminated: boolean;
  readonly work: number;
}

function tryEliminate(p: PackingProblem, bins: WorkBin[], victim: WorkBin, budget: number, random: Random): Attempt {
  const victimIndex = bins.indexOf(victim);
  bins.splice(victimIndex, 1);
  const pool = victim.items.slice();
  const saved = new Map<WorkBin, { items: number[]; load: Float64Array }>();
  const touch = (bin: WorkBin): void => {
    if (!saved.has(bin)) saved.set(bin, { items: bin.items.slice(), load: bin.load.slice() });
  };
  // tabu.get(bin) maps group → the step until which it may not re-enter that bin.
  const tabu = new Map<WorkBin, Map<number, number>>();
  const isTabu = (bin: WorkBin, g: number, step: number): boolean => (tabu.get(bin)?.get(g) ?? -1) >= step;

  let work = 0;
  for (let step = 0; work < budget; step++) {
    work += insertDirectly(p, bins, pool, touch);
    if (pool.length === 0) return { eliminated: true, work };
    const swap = findImprovingSwap(p, bins, pool, step, isTabu, randomIndex(random, bins.length));
    work += swap.work;
    if (swap.move) {
      const { bin, inPositions, outGroups } = swap.move;
      touch(bin);
      for (const g of outGroups) removeItemAt(p, bin, bin.items.indexOf(g));
      for (const i of [...inPositions].sort((a, b) => b - a)) {
        addItem(p, bin, pool[i]!);
        pool.splice(i, 1);
      }
      pool.push(...outGroups);
      continue;
    }
    work += kick(p, bins, pool, random, touch, (bin, g) => {
      const entry = tabu.get(bin) ?? new Map<number, number>();
      entry.set(g, step + TABU_TENURE + randomIndex(random, TABU_TENURE));
      tabu.set(bin, entry);
    });
  }
  for (const [bin, state] of saved) {
    bin.items = state.items;
    bin.load = state.load;
  }
  bins.splice(victimIndex, 0, victim);
  return { eliminated: false, work };
}

/** Largest pool items first, each into the bin it fills most tightly. */
function insertDirectly(p: PackingProblem, bins: readonly WorkBin[], pool: number[], touch: (bin: WorkBin) => void): number {
  pool.sort((a, b) => p.size[b]! - p.size[a]! || a - b);
  let work = 0;
  for (let i = 0; i < pool.length; i++) {
    const g = pool[i]!;
    let target: WorkBin | undefined;
    let tightest = Infinity;
    for (const bin of bins) {
      work++;
      if (!accepts(p, bin, g) || !fitsWith(p, bin, [g], [])) continue;
      const slack = slackAfter(p, bin, g);
      if (slack < tightest) {
        tightest = slack;
        target = bin;
      }
    }
    if (target) {
      touch(target);
      addItem(p, target, g);
      pool.splice(i, 1);
      i--;
    }
  }
  return work;
}

interface SwapMove {
  readonly bin: WorkBin;
  /** Positions in the pool of the items that go in. */
  readonly inPositions: readonly number[];
  /** Groups of the items that come out. */
  readonly outGroups: readonly number[];
}

/**
 * The first bin (from a rotating start) that has a swap of one or two pool items
 * for one or two of its own items, fitting, not tabu, with the pool's size strictly
 * shrinking; within that bin the swap with the largest gain.
 */
function findImprovingSwap(
  p: PackingProblem,
  bins: readonly WorkBin[],
  pool: readonly number[],
  step: number,
  isTabu: (bin: WorkBin, g: number, step: number) => boolean,
  start: number,
): { move: SwapMove | null; work: number } {
  const inSets: number[][] = [];
  for (let i = 0; i < pool.length; i++) {
    inSets.push([i]);
    for (let j = i + 1; j < pool.length; j++) inSets.push([i, j]);
  }
  let work = 0;
  for (let offset = 0; offset < bins.length; offset++) {
    const bin = bins[(start + offset) % bins.length]!;
    const outSets = distinctSubsets(bin.items);
    let best: SwapMove | null = null;
    let bestGain = EPSILON;
    for (const inSet of inSets) {
      const added = inSet.map((i) => pool[i]!);
      if (added.some((g) => !accepts(p, bin, g) || isTabu(bin, g, step))) continue;
      const addedSize = added.reduce((s, g) => s + p.size[g]!, 0);
      for (const removed of outSets) {
        work++;
        const gain = addedSize - removed.reduce((s, g) => s + p.size[g]!, 0);
        if (gain <= bestGain || !fitsWith(p, bin, added, removed)) continue;
        bestGain = gain;
        best = { bin, inPositions: inSet, outGroups: removed };
      }
    }
    if (best) return { move: best, work };
  }
  return { move: null, work };
}

/** Forces a random pool item into a random bin that accepts it, evicting random items until it fits. */
function kick(
  p: PackingProblem,
  bins: readonly WorkBin[],
  pool: number[],
  random: Random,
  touch: (bin: WorkBin) => void,
  forbidReturn: (bin: WorkBin, g: number) => void,
): number {
  const position = randomIndex(random, pool.length);
  const g = pool[position]!;
  const candidates = bins.filter((bin) => accepts(p, bin, g));
  if (candidates.length === 0) return bins.length + 1;
  const bin = candidates[randomIndex(random, candidates.length)]!;
  touch(bin);
  pool.splice(position, 1);
  while (!fitsWith(p, bin, [g], [])) {
    const evicted = removeItemAt(p, bin, randomIndex(random, bin.items.length));
    pool.push(evicted);
    forbidReturn(bin, evicted);
  }
  addItem(p, bin, g);
  return bins.length;
}

function removeItemAt(p: PackingProblem, bin: WorkBin, index: number): number {
  const g = bin.items[index]!;
  bin.items[index] = bin.items[bin.items.length - 1]!;
  bin.items.pop();
  for (let d = 0; d < p.dims; d++) bin.load[d] -= p.demand[g * p.dims + d]!;
  return g;
}

function fitsWith(p: PackingProblem, bin: WorkBin, added: readonly number[], removed: readonly number[]): boolean {
  const { dims } = p;
  const cap = bin.kind * dims;
  for (let d = 0; d < dims; d++) {
    let load = bin.load[d]!;
    for (const g of added) load += p.demand[g * dims + d]!;
    for (const g of removed) load -= p.demand[g * dims + d]!;
    if (load > p.capacity[cap + d]! + EPSILON) return false;
  }
  return true;
}

function accepts(p: PackingProblem, bin: WorkBin, g: number): boolean {
  return p.compatible[g * p.kindCount + bin.kind] === 1;
}

/** Σ_d free share after adding `g`: smaller means a tighter fit. */
function slackAfter(p: PackingProblem, bin: WorkBin, g: number): number {
  let slack = 0;
  for (let d = 0; d < p.dims; d++) {
    const cap = p.capacity[bin.kind * p.dims + d]!;
    if (cap > 0) slack += (cap - bin.load[d]! - p.demand[g * p.dims + d]!) / cap;
  }
  return slack;
}

/** One- and two-item subsets of a bin's items, identical groups counted once. */
function distinctSubsets(items: readonly number[]): number[][] {
  const sorted = items.slice().sort((a, b) => a - b);
  const subsets: number[][] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    subsets.push([sorted[i]!]);
    for (let j = i + 1; j < sorted.length; j++) {
      if (j > i + 1 && sorted[j] === sorted[j - 1]) continue;
      subsets.push([sorted[i]!, sorted[j]!]);
    }
  }
  return subsets;
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
