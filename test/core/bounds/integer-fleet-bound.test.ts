import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costLowerBound } from '../../../src/core/bounds/cost-lower-bound.ts';
import { loadHighsOnce } from '../../../src/core/bounds/highs.ts';
import { integerFleetBound, MIP_MARGIN } from '../../../src/core/bounds/integer-fleet-bound.ts';
import { groupBoundJobs, type BoundJob } from '../../../src/core/bounds/job-groups.ts';
import { perInstance } from '../../../src/core/bounds/lp-model.ts';
import type { InstanceType } from '../../../src/core/catalog/instance-type.ts';
import { canHold } from '../../../src/core/planner/compatibility.ts';
import { jobs, type } from './bound-fixtures.ts';

const GIB = 1024;
const VCPU = 1024;
const LIMITS = { maxNodes: 10_000, maxColumns: 10_000 };

// Sizes of one family priced in proportion (whole multiples: dominance may leave some out),
// a cheaper-per-vCPU odd size, and a memory-heavy type.
const CATALOG = [
  type('m.large', 2 * VCPU, 8 * GIB, 0.1),
  type('m.xlarge', 4 * VCPU, 16 * GIB, 0.2),
  type('m.4xlarge', 16 * VCPU, 64 * GIB, 0.8),
  type('c.3xlarge', 12 * VCPU, 24 * GIB, 0.45),
  type('r.xlarge', 4 * VCPU, 32 * GIB, 0.26),
];
const SHAPES = [
  { cpu: 3 * VCPU, memoryMiB: 4 * GIB },
  { cpu: 1 * VCPU, memoryMiB: 12 * GIB },
  { cpu: 5 * VCPU, memoryMiB: 6 * GIB },
  { cpu: 512, memoryMiB: 1 * GIB },
  { cpu: 2 * VCPU, memoryMiB: 20 * GIB },
];

async function bound(boundJobs: readonly BoundJob[], catalog: readonly InstanceType[] = CATALOG) {
  const { groups } = groupBoundJobs(boundJobs, catalog);
  return integerFleetBound(await loadHighsOnce(), groups, catalog, LIMITS);
}

/** The cheapest whole instances for n identical jobs: min Σ price · x with Σ jobs-per-instance · x ≥ n, by brute force. */
function cheapestCover(n: number, perType: readonly { price: number; holds: number }[]): number {
  const usable = perType.filter((t) => t.holds > 0);
  const best = (i: number, left: number): number => {
    if (left <= 0) return 0;
    if (i === usable.length) return Infinity;
    let cheapest = Infinity;
    for (let x = 0; x <= Math.ceil(left / usable[i]!.holds); x++) cheapest = Math.min(cheapest, x * usable[i]!.price + best(i + 1, left - x * usable[i]!.holds));
    return cheapest;
  };
  return best(0, n);
}

/** The cheapest real fleet: every partition of the jobs into instances, each block on its cheapest type that holds it all. */
function cheapestRealFleet(all: readonly BoundJob[], catalog: readonly InstanceType[]): number {
  let best = Infinity;
  const blocks: BoundJob[][] = [];
  const blockPrice = (block: readonly BoundJob[]): number => {
    const total = { cpu: 0, memoryMiB: 0, gpu: 0 };
    for (const j of block) {
      total.cpu += j.demand.cpu;
      total.memoryMiB += j.demand.memoryMiB;
      total.gpu += j.demand.gpu;
    }
    return Math.min(...catalog.filter((t) => block.every((j) => canHold(t, j.demand, j.constraints)) && canHold(t, total, {})).map((t) => t.pricePerHour));
  };
  const place = (i: number): void => {
    if (i === all.length) {
      best = Math.min(best, blocks.reduce((sum, b) => sum + blockPrice(b), 0));
      return;
    }
    for (const block of blocks) {
      block.push(all[i]!);
      place(i + 1);
      block.pop();
    }
    blocks.push([all[i]!]);
    place(i + 1);
    blocks.pop();
  };
  place(0);
  return best;
}

describe('integerFleetBound', () => {
  it('for identical jobs, is the cheapest cover by whole instances (brute force), above the LP', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(SHAPES.length - 1), fc.integer({ min: 1, max: 9 }), async (shape, count) => {
        const { cpu, memoryMiB } = SHAPES[shape]!;
        const exact = cheapestCover(
          count,
          CATALOG.map((t) => ({ price: t.pricePerHour, holds: canHold(t, { cpu, memoryMiB, gpu: 0 }, {}) ? perInstance({ cpu, memoryMiB, gpu: 0 }, t) : 0 })),
        );
        const result = (await bound(jobs(count, cpu, memoryMiB)))!;
        expect(result.value).toBeLessThanOrEqual(exact);
        expect(result.value).toBeGreaterThanOrEqual(exact * (1 - MIP_MARGIN) - 1e-9);
        expect(result.fleetCost).toBeCloseTo(exact, 9);
        expect(result.value).toBeGreaterThanOrEqual((await costLowerBound(jobs(count, cpu, memoryMiB), CATALOG)).lpCuts * (1 - MIP_MARGIN) - 1e-9);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('for mixed jobs, lies between the LP and the cheapest real fleet (brute force over every packing)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(SHAPES.length - 1), { minLength: 1, maxLength: 6 }), async (shapes) => {
        const mixed = shapes.flatMap((s) => jobs(1, SHAPES[s]!.cpu, SHAPES[s]!.memoryMiB));
        const result = (await bound(mixed))!;
        expect(result.value).toBeGreaterThanOrEqual((await costLowerBound(mixed, CATALOG)).lpCuts * (1 - MIP_MARGIN) - 1e-9);
        expect(result.value).toBeLessThanOrEqual(cheapestRealFleet(mixed, CATALOG) + 1e-9);
      }),
      { numRuns: 40, seed: 8 },
    );
  });

  it('needs a whole GPU instance for one GPU job, where the LP takes a quarter of a 4-GPU type', async () => {
    const catalog = [type('g.12xlarge', 48 * VCPU, 192 * GIB, 3.912, { gpu: 4 }), type('g.4xlarge', 16 * VCPU, 64 * GIB, 1.204, { gpu: 1 })];
    const one = jobs(1, 12 * VCPU, 32 * GIB, 1);
    expect((await costLowerBound(one, catalog)).lpCuts).toBeCloseTo(3.912 / 4, 9);
    expect((await bound(one, catalog))!.value).toBeCloseTo(1.204, 5);
    // Four of them fill the big one.
    expect((await bound(jobs(4, 12 * VCPU, 32 * GIB, 1), catalog))!.value).toBeCloseTo(3.912, 5);
  });

  it('leaves a type out as dominated only where whole instances of the other hold as many of each job', async () => {
    // Two smalls cost what one large does and offer as much, but hold two 2 vCPU jobs where
    // the large holds three: the large stays, and one large holds all three for 2 USD.
    const catalog = [type('s.large', 3 * VCPU, 12 * GIB, 1), type('s.xlarge', 6 * VCPU, 24 * GIB, 2)];
    const three = jobs(3, 2 * VCPU, GIB);
    expect(cheapestRealFleet(three, catalog)).toBe(2);
    const result = (await bound(three, catalog))!;
    expect(result.value).toBeLessThanOrEqual(2);
    expect(result.value).toBeCloseTo(2, 5);
  });

  it('stopped early by its node limit, is still below the cheapest real fleet', async () => {
    const highs = await loadHighsOnce();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(SHAPES.length - 1), { minLength: 2, maxLength: 6 }), async (shapes) => {
        const mixed = shapes.flatMap((s) => jobs(1, SHAPES[s]!.cpu, SHAPES[s]!.memoryMiB));
        const { groups } = groupBoundJobs(mixed, CATALOG);
        const early = integerFleetBound(highs, groups, CATALOG, { maxNodes: 1, maxColumns: 10_000 })!;
        expect(early.value).toBeLessThanOrEqual(cheapestRealFleet(mixed, CATALOG) + 1e-9);
        expect(early.value).toBeLessThanOrEqual((await bound(mixed))!.value + 1e-9);
      }),
      { numRuns: 30, seed: 9 },
    );
  });

  it('is not attempted above its column limit, and costs nothing for no jobs', async () => {
    const { groups } = groupBoundJobs(jobs(3, VCPU, GIB), CATALOG);
    const highs = await loadHighsOnce();
    expect(integerFleetBound(highs, groups, CATALOG, { maxNodes: 10, maxColumns: 2 })).toBeUndefined();
    expect(integerFleetBound(highs, [], CATALOG, LIMITS)).toEqual({ value: 0, fleetCost: 0 });
  });
});
