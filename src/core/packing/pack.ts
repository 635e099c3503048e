import { seededRandom } from '../random.ts';
import { constructPatterns, type Pattern } from './construct-patterns.ts';
import { compressBins, expandPatterns, improveBins } from './improve-bins.ts';
import type { BinKind, ItemGroup, PackedBins, PackingOptions, PackingResult } from './pack-types.ts';
import { buildPackingProblem, type PackingProblem } from './packing-problem.ts';

/**
 * Improvement budgets (search steps × dimensions, roughly proportional to time).
 * `planning` is the default: tens of milliseconds, for a reconcile round. `offline`
 * suits a packing that may take up to about a second (the packing benchmarks).
 */
export const EFFORT = { planning: 200_000, offline: 10_000_000 } as const;
/** Branch-and-bound steps per searched bin fill. */
const SEARCH_NODES = 40_000;
/** Above this many bins, improvement is skipped: construction is already near the bound there. */
const MAX_IMPROVED_BINS = 20_000;

/**
 * Packs every item into bins bought from `kinds`, minimizing total cost: a
 * sequential pattern construction, then a bin-eliminating local search. Pure and
 * deterministic: same input, same options, same packing.
 */
export function packItems(groups: readonly ItemGroup[], kinds: readonly BinKind[], options: PackingOptions = {}): PackingResult {
  const p = buildPackingProblem(groups, kinds);
  const residual = Int32Array.from(p.count);
  const unpacked = new Array<number>(groups.length).fill(0);
  for (let g = 0; g < p.groupCount; g++) {
    if (p.kindsOf[g]!.length === 0) {
      unpacked[p.originalGroup[g]!] = residual[g]!;
      residual[g] = 0;
    }
  }
  const limits = options.limits ?? [];
  const constructed = constructPatterns(p, residual, limits, SEARCH_NODES);
  constructed.leftOver.forEach((n, g) => (unpacked[p.originalGroup[g]!]! += n));

  let patterns: Pattern[] = constructed.patterns;
  const effort = options.effort ?? EFFORT.planning;
  const binCount = patterns.reduce((n, pattern) => n + pattern.copies, 0);
  if (effort > 0 && binCount > 1 && binCount <= MAX_IMPROVED_BINS) {
    const random = seededRandom(options.seed ?? 1);
    const bins = improveBins(p, expandPatterns(p, patterns), { effort, random, limits });
    patterns = compressBins(bins);
  }
  return toResult(p, patterns, unpacked);
}

function toResult(p: PackingProblem, patterns: readonly Pattern[], unpacked: number[]): PackingResult {
  const bins: PackedBins[] = patterns.map((pattern) => ({
    kind: pattern.kind,
    copies: pattern.copies,
    contents: pattern.groups.map((g, i) => ({ group: p.originalGroup[g]!, count: pattern.counts[i]! })),
  }));
  const cost = patterns.reduce((sum, pattern) => sum + pattern.copies * p.cost[pattern.kind]!, 0);
  return { bins, unpacked, cost };
}
