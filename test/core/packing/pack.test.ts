import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packItems } from '../../../src/core/packing/pack.ts';
import { seededRandom } from '../../../src/core/random.ts';
import type { BinKind, ItemGroup, PackingResult } from '../../../src/core/packing/pack-types.ts';

function loads(result: PackingResult, groups: readonly ItemGroup[], dims: number): number[][] {
  return result.bins.map((bin) => Array.from({ length: dims }, (_, d) => bin.contents.reduce((s, c) => s + c.count * groups[c.group]!.demand[d]!, 0)));
}

function packedCounts(result: PackingResult, groupCount: number): number[] {
  const counts = new Array<number>(groupCount).fill(0);
  for (const bin of result.bins) for (const c of bin.contents) counts[c.group]! += c.count * bin.copies;
  return counts;
}

describe('packItems', () => {
  it('finds the optimum of a small 1-D instance that first-fit-decreasing misses', () => {
    // FFD: [5,4] [4,3,2] [2] = 3 bins; optimum 2: [5,3,2] [4,4,2].
    const groups = [5, 4, 3, 2].map((w, i) => ({ demand: [w], count: [1, 2, 1, 2][i]!, kinds: [0] }));
    const result = packItems(groups, [{ capacity: [10], cost: 1 }]);
    expect(result.cost).toBe(2);
  });

  it('packs triplets that fill bins exactly', () => {
    // 4 bins of exactly 3 items summing to 100.
    const items = [45, 30, 25, 40, 35, 25, 50, 26, 24, 42, 31, 27];
    const groups = items.map((w) => ({ demand: [w], count: 1, kinds: [0] }));
    expect(packItems(groups, [{ capacity: [100], cost: 1 }]).cost).toBe(4);
  });

  it('closes the gap construction leaves on triplet instances (every bin exactly full)', () => {
    // Falkenauer-style triplets: each optimal bin holds three items summing to exactly 1000.
    for (const seed of [1, 4]) {
      const random = seededRandom(seed);
      const items: number[] = [];
      for (let i = 0; i < 20; i++) {
        const a = 380 + Math.floor(random() * 111);
        const b = 250 + Math.floor(random() * (1000 - a - 500 + 1));
        items.push(a, b, 1000 - a - b);
      }
      const counts = new Map<number, number>();
      for (const w of items) counts.set(w, (counts.get(w) ?? 0) + 1);
      const groups = [...counts].map(([w, count]) => ({ demand: [w], count, kinds: [0] }));
      const kinds = [{ capacity: [1000], cost: 1 }];
      expect(packItems(groups, kinds, { effort: 0 }).cost).toBe(21);
      expect(packItems(groups, kinds, { effort: 2_000_000 }).cost).toBe(20);
    }
  });

  it('chooses the cheaper mix of bin kinds', () => {
    // Four 3-unit items: one 12-unit bin at 1.5 beats two 6-unit bins at 1 each.
    const groups = [{ demand: [3], count: 4, kinds: [0, 1] }];
    const kinds: BinKind[] = [{ capacity: [6], cost: 1 }, { capacity: [12], cost: 1.5 }];
    const result = packItems(groups, kinds);
    expect(result.cost).toBe(1.5);
    expect(result.bins).toEqual([{ kind: 1, copies: 1, contents: [{ group: 0, count: 4 }] }]);
  });

  it('leaves out what no kind can hold and what only kinds at their limit could', () => {
    const groups = [
      { demand: [20], count: 2, kinds: [0] },
      { demand: [4], count: 3, kinds: [1] },
    ];
    const kinds: BinKind[] = [{ capacity: [10], cost: 1 }, { capacity: [4], cost: 1 }];
    const result = packItems(groups, kinds, { limits: [{ kinds: [1], max: 2 }] });
    expect(result.unpacked).toEqual([2, 1]);
    expect(result.cost).toBe(2);
  });

  it('replicates identical bins instead of listing them', () => {
    const result = packItems([{ demand: [1, 1], count: 100_000, kinds: [0] }], [{ capacity: [10, 10], cost: 1 }]);
    expect(result.bins).toEqual([{ kind: 0, copies: 10_000, contents: [{ group: 0, count: 10 }] }]);
  });

  it('never over-fills a bin, packs every item it can, and is deterministic (vector, two kinds)', () => {
    const groupArb = fc.record({ demand: fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 2 })), count: fc.integer({ min: 1, max: 6 }), kinds: fc.constantFrom([0], [1], [0, 1]) });
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 1, maxLength: 12 }), (groups) => {
        const kinds: BinKind[] = [{ capacity: [10, 10, 0], cost: 1 }, { capacity: [16, 12, 2], cost: 2.5 }];
        const result = packItems(groups, kinds, { effort: 5_000 });
        const fitsSomewhere = groups.map((g) => g.kinds.some((k) => g.demand.every((v, d) => v <= kinds[k]!.capacity[d]!)));
        const packed = packedCounts(result, groups.length);
        groups.forEach((g, i) => expect(packed[i]! + result.unpacked[i]!).toBe(g.count));
        groups.forEach((g, i) => expect(result.unpacked[i]).toBe(fitsSomewhere[i] ? 0 : g.count));
        loads(result, groups, 3).forEach((load, b) => load.forEach((v, d) => expect(v).toBeLessThanOrEqual(kinds[result.bins[b]!.kind]!.capacity[d]!)));
        for (const bin of result.bins) for (const c of bin.contents) expect(groups[c.group]!.kinds).toContain(bin.kind);
        expect(packItems(groups, kinds, { effort: 5_000 })).toEqual(result);
      }),
      { numRuns: 200 },
    );
  });
});
