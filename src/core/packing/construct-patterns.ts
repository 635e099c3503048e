import type { KindLimit } from './pack-types.ts';
import { maxFit, type PackingProblem } from './packing-problem.ts';

/** `copies` bins of one kind, each holding counts[i] items of groups[i]. */
export interface Pattern {
  readonly kind: number;
  readonly groups: readonly number[];
  readonly counts: readonly number[];
  readonly copies: number;
}

export interface ConstructionResult {
  readonly patterns: Pattern[];
  /** Per internal group: items left out because every kind that could hold them is at its limit. */
  readonly leftOver: Int32Array;
  /** Search steps spent: what the construction cost, for callers that keep a budget. */
  readonly steps: number;
}

interface Candidate {
  kind: number;
  groups: number[];
  counts: number[];
  value: number;
}

/** How many kinds get the exhaustive fill after the greedy one has ranked them. */
const SEARCHED_KINDS = 3;

/**
 * Sequential pattern construction. Repeatedly take the largest item still unpacked
 * (the anchor), and for every kind that can hold it fill a bin around it; buy the
 * fill with the best value per unit of cost, as many identical copies as the
 * remaining items allow. Anchoring on the largest item keeps first-fit-decreasing's
 * strength (big items first, small ones fill the gaps); scoring fills by value per
 * cost chooses the instance type; replicating patterns makes 100,000 identical jobs
 * as cheap to plan as a dozen. The fill of the best-ranked kinds is improved by a
 * bounded branch-and-bound (minimum bin slack, generalized to vectors and prices).
 */
export function constructPatterns(
  p: PackingProblem,
  residual: Int32Array,
  limits: readonly KindLimit[],
  searchNodes: number,
): ConstructionResult {
  const room = limits.map((l) => l.max);
  const limitsOfKind: number[][] = Array.from({ length: p.kindCount }, () => []);
  limits.forEach((l, i) => l.kinds.forEach((k) => limitsOfKind[k]!.push(i)));
  const kindRoom = (k: number): number => Math.min(Infinity, ...limitsOfKind[k]!.map((i) => room[i]!));

  const patterns: Pattern[] = [];
  const leftOver = new Int32Array(p.groupCount);
  const scratch = new Float64Array(p.dims);
  let anchor = 0;
  let steps = 0;
  for (;;) {
    while (anchor < p.groupCount && residual[anchor] === 0) anchor++;
    if (anchor >= p.groupCount) break;

    const ranked: Candidate[] = [];
    for (const k of p.kindsOf[anchor]!) {
      if (kindRoom(k) <= 0) continue;
      ranked.push(greedyFill(p, k, anchor, residual, scratch));
      steps += p.groupCount - anchor;
    }
    if (ranked.length === 0) {
      leftOver[anchor] += residual[anchor]!;
      residual[anchor] = 0;
      continue;
    }
    ranked.sort((a, b) => efficiencyOrder(p, a, b));
    let best = ranked[0]!;
    for (const candidate of ranked.slice(0, SEARCHED_KINDS)) {
      const searched = searchFill(p, candidate, anchor, residual, searchNodes);
      steps += searched.steps;
      if (efficiencyOrder(p, searched.fill, best) < 0) best = searched.fill;
    }

    let copies = kindRoom(best.kind);
    best.groups.forEach((g, i) => (copies = Math.min(copies, Math.floor(residual[g]! / best.counts[i]!))));
    best.groups.forEach((g, i) => (residual[g] -= copies * best.counts[i]!));
    for (const i of limitsOfKind[best.kind]!) room[i] -= copies;
    patterns.push({ kind: best.kind, groups: best.groups, counts: best.counts, copies });
  }
  return { patterns, leftOver, steps };
}

/**
 * Better value per cost first. At equal value per cost (prices are linear within a
 * family), the larger bin: fewer instances to boot, call and watch for the same money,
 * and more headroom under an instance-count limit. Then the lower kind index.
 */
function efficiencyOrder(p: PackingProblem, a: Candidate, b: Candidate): number {
  const ea = a.value / p.cost[a.kind]!;
  const eb = b.value / p.cost[b.kind]!;
  if (Math.abs(ea - eb) > 1e-9 * Math.max(ea, eb)) return eb - ea;
  return b.value - a.value || a.kind - b.kind;
}

/** First-fit-decreasing into one empty bin of kind k, anchor first. */
function greedyFill(p: PackingProblem, k: number, anchor: number, residual: Int32Array, free: Float64Array): Candidate {
  const { dims } = p;
  for (let d = 0; d < dims; d++) free[d] = p.capacity[k * dims + d]!;
  const groups: number[] = [];
  const counts: number[] = [];
  let value = 0;
  for (let g = anchor; g < p.groupCount; g++) {
    if (residual[g] === 0 || p.compatible[g * p.kindCount + k] === 0) continue;
    const n = Math.min(residual[g]!, maxFit(p, g, free));
    if (n <= 0) continue;
    groups.push(g);
    counts.push(n);
    value += n * p.value[g]!;
    for (let d = 0; d < dims; d++) free[d] -= n * p.demand[g * dims + d]!;
  }
  return { kind: k, groups, counts, value };
}

/**
 * Branch-and-bound for the most valuable fill of one bin of kind k holding at least
 * one anchor item, within `nodeBudget` steps (nodes plus groups examined). Bound: in each dimension d the rest
 * can add at most free_d × (best value per unit of d among the groups still open).
 */
function searchFill(p: PackingProblem, start: Candidate, anchor: number, residual: Int32Array, nodeBudget: number): { fill: Candidate; steps: number } {
  const { dims } = p;
  const k = start.kind;
  const open: number[] = [];
  for (let g = anchor; g < p.groupCount; g++) {
    if (residual[g]! > 0 && p.compatible[g * p.kindCount + k] === 1) open.push(g);
  }
  // suffixDensity[i·dims + d]: max value per unit of d among open[i..]; Infinity when one of them needs none of d.
  const suffixDensity = new Float64Array((open.length + 1) * dims);
  for (let i = open.length - 1; i >= 0; i--) {
    const g = open[i]!;
    for (let d = 0; d < dims; d++) {
      const need = p.demand[g * dims + d]!;
      const density = need > 0 ? p.value[g]! / need : Infinity;
      suffixDensity[i * dims + d] = Math.max(suffixDensity[(i + 1) * dims + d]!, density);
    }
  }

  const free = new Float64Array(dims);
  for (let d = 0; d < dims; d++) free[d] = p.capacity[k * dims + d]!;
  const taken = new Int32Array(open.length);
  let bestValue = start.value;
  let bestTaken: Int32Array | null = null;
  let nodes = 0;

  const bound = (i: number, value: number): number => {
    let b = Infinity;
    for (let d = 0; d < dims; d++) b = Math.min(b, value + free[d]! * suffixDensity[i * dims + d]!);
    return b;
  };
  const take = (i: number, n: number): void => {
    taken[i] = n;
    for (let d = 0; d < dims; d++) free[d] -= n * p.demand[open[i]! * dims + d]!;
  };
  const untake = (i: number): void => {
    for (let d = 0; d < dims; d++) free[d] += taken[i]! * p.demand[open[i]! * dims + d]!;
    taken[i] = 0;
  };
  // Each node adds n ≥ 1 items of one group; groups that do not fit cost nothing.
  const visit = (from: number, value: number): void => {
    nodes++;
    if (value > bestValue + 1e-12) {
      bestValue = value;
      bestTaken = taken.slice();
    }
    for (let i = from; i < open.length && nodes <= nodeBudget; i++) {
      // Every group looked at costs a step, so wide instances cannot run away.
      nodes++;
      if (bound(i, value) <= bestValue + 1e-12) return;
      const g = open[i]!;
      for (let n = Math.min(residual[g]!, maxFit(p, g, free)); n >= 1 && nodes <= nodeBudget; n--) {
        take(i, n);
        visit(i + 1, value + n * p.value[g]!);
        untake(i);
      }
    }
  };
  // open[0] is the anchor, which the bin must hold.
  for (let n = Math.min(residual[anchor]!, maxFit(p, anchor, free)); n >= 1 && nodes <= nodeBudget; n--) {
    take(0, n);
    visit(1, n * p.value[anchor]!);
    untake(0);
  }

  const found: Int32Array | null = bestTaken;
  if (found === null) return { fill: start, steps: nodes };
  const groups: number[] = [];
  const counts: number[] = [];
  open.forEach((g, i) => {
    if (found[i]! > 0) {
      groups.push(g);
      counts.push(found[i]!);
    }
  });
  return { fill: { kind: k, groups, counts, value: bestValue }, steps: nodes };
}
