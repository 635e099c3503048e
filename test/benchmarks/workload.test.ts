import { describe, expect, it } from 'vitest';
import { canHold } from '../../src/core/planner/compatibility.ts';
import { ALGORITHMS, generateFleet, generateWorkload, syntheticCatalog, WORKLOAD_MIXES } from '../../benchmarks/workloads/image-processing-workload.ts';
import { weightedIndex } from '../../src/simulation/traces/random.ts';
import { seededRandom } from '../../src/core/random.ts';
import { DEFAULT_OVERHEAD } from '../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../src/core/catalog/build-catalog.ts';
import { DIMENSIONS } from '../../src/core/resources.ts';

const catalog = buildCatalog({ overhead: DEFAULT_OVERHEAD });

describe('random', () => {
  it('seededRandom is deterministic and uniform-ish in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(seededRandom(8)()).not.toBe(seededRandom(7)());
  });

  it('weightedIndex never picks a zero weight', () => {
    const r = seededRandom(1);
    for (let i = 0; i < 1000; i++) expect(weightedIndex(r, [0, 1, 0, 3, 0])).toBeOneOf([1, 3]);
  });
});

describe('generateWorkload', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateWorkload({ jobs: 500, mix: 'mixed', seed: 1 });
    expect(generateWorkload({ jobs: 500, mix: 'mixed', seed: 1 })).toEqual(a);
    expect(generateWorkload({ jobs: 500, mix: 'mixed', seed: 2 })).not.toEqual(a);
    expect(a).toHaveLength(500);
    expect(new Set(a.map((j) => j.id)).size).toBe(500);
  });

  it('gives jobs of one algorithm identical demands and constraints', () => {
    for (const mix of WORKLOAD_MIXES) {
      const jobs = generateWorkload({ jobs: 2000, mix, seed: 3 });
      for (const j of jobs) {
        const a = ALGORITHMS.find((x) => j.id.endsWith(`-${x.name}`))!;
        expect(j.demand).toEqual(a.demand);
        expect(j.constraints).toEqual(a.constraints);
      }
    }
  });

  it('follows the mix', () => {
    const count = (mix: (typeof WORKLOAD_MIXES)[number], pred: (gpu: number) => boolean) =>
      generateWorkload({ jobs: 5000, mix, seed: 4 }).filter((j) => pred(j.demand.gpu)).length;
    expect(count('cpu-only', (g) => g > 0)).toBe(0);
    expect(count('memory-heavy', (g) => g > 0)).toBe(0);
    expect(count('gpu-heavy', (g) => g > 0)).toBeGreaterThan(2500);
    const mixed = generateWorkload({ jobs: 5000, mix: 'mixed', seed: 4 });
    expect(mixed.some((j) => j.demand.gpu === 4)).toBe(true);
    expect(mixed.some((j) => j.constraints.architecture === 'arm64')).toBe(true);
    const memoryHeavy = generateWorkload({ jobs: 5000, mix: 'memory-heavy', seed: 4 });
    expect(memoryHeavy.filter((j) => j.demand.memoryMiB >= 60 * 1024).length).toBeGreaterThan(2000);
  });

  it('asks only for what some built-in type can hold', () => {
    for (const a of ALGORITHMS) expect(catalog.some((t) => canHold(t, a.demand, a.constraints)), a.name).toBe(true);
  });

  it('keeps enqueue times non-decreasing', () => {
    const jobs = generateWorkload({ jobs: 1000, mix: 'gpu-heavy', seed: 5 });
    for (let i = 1; i < jobs.length; i++) expect(jobs[i]!.enqueuedAt).toBeGreaterThanOrEqual(jobs[i - 1]!.enqueuedAt);
  });
});

describe('generateFleet', () => {
  it('is deterministic and never over-uses a node', () => {
    const nodes = generateFleet(3000, catalog, 9);
    expect(generateFleet(3000, catalog, 9)).toEqual(nodes);
    const byName = new Map(catalog.map((t) => [t.name, t]));
    for (const n of nodes) {
      const type = byName.get(n.type)!;
      expect(type).toBeDefined();
      for (const d of DIMENSIONS) {
        expect(n.free[d]).toBeGreaterThanOrEqual(0);
        expect(n.free[d]).toBeLessThanOrEqual(type.allocatable[d]);
        expect(Number.isInteger(n.free[d])).toBe(true);
      }
    }
    const states = new Set(nodes.map((n) => n.state));
    expect([...states].sort()).toEqual(['draining', 'launching', 'registered']);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(3000);
  });
});

describe('syntheticCatalog', () => {
  it('extends the catalog to the asked size with unique, plausible, deterministic types', () => {
    const big = syntheticCatalog(600, catalog);
    expect(big).toHaveLength(600);
    expect(syntheticCatalog(600, catalog)).toEqual(big);
    expect(big.slice(0, catalog.length)).toEqual(catalog);
    expect(new Set(big.map((t) => t.name)).size).toBe(600);
    for (const t of big.slice(catalog.length)) {
      expect(t.name).toMatch(/^x9z\d+[a-z0-9-]+\.[a-z0-9-]+$/);
      expect(t.name.startsWith(`${t.family}.`)).toBe(true);
      expect(t.pricePerHour).toBeGreaterThan(0);
      expect(t.allocatable.cpu).toBeGreaterThan(0);
      expect(t.allocatable.memoryMiB).toBeGreaterThan(0);
      expect(t.gpu > 0).toBe(t.gpuModel !== undefined);
    }
    expect(syntheticCatalog(10, catalog)).toEqual(catalog);
  });
});
