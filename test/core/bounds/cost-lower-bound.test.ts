import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costLowerBound } from '../../../src/core/bounds/cost-lower-bound.ts';
import { groupBoundJobs } from '../../../src/core/bounds/job-groups.ts';
import { canHold } from '../../../src/core/planner/compatibility.ts';
import { jobs, type } from './bound-fixtures.ts';

describe('costLowerBound', () => {
  it('one type: the most loaded dimension sets the fractional instance count', async () => {
    // 10 jobs × 1 vCPU on 4 vCPU / 8 GiB: cpu needs 2.5 instances, memory 1.25 → 2.5 × 0.2.
    const b = await costLowerBound(jobs(10, 1024, 1024), [type('m.xlarge', 4096, 8192, 0.2)]);
    expect(b.lp).toBeCloseTo(0.5, 9);
    expect(b.lpObjective).toBeCloseTo(0.5, 9);
    expect(b.perDimension).toBeCloseTo(0.5, 9);
    expect(b.groups).toBe(1);
    expect(b.boundedJobs).toBe(10);
    expect(b.unplaceable).toEqual([]);
  });

  it('with cuts: an instance holds a whole number of jobs', async () => {
    // 3 jobs × 3 vCPU on 4 vCPU: the plain LP packs 3 × 3/4 = 2.25 instances; only one such
    // job fits an instance, so any fleet needs 3. Small jobs ride in the leftover vCPU for free.
    const catalog = [type('m.xlarge', 4096, 8192, 1)];
    const big = await costLowerBound(jobs(3, 3072, 1024), catalog);
    expect(big.lp).toBeCloseTo(2.25, 9);
    expect(big.lpCuts).toBeCloseTo(3, 9);
    expect(big.lpCutsObjective).toBeCloseTo(3, 9);
    const withSmall = await costLowerBound([...jobs(3, 3072, 1024), ...jobs(3, 1024, 1024)], catalog);
    expect(withSmall.lp).toBeCloseTo(3, 9);
    expect(withSmall.lpCuts).toBeCloseTo(3, 9);
  });

  it('two types: a mix is cheaper than either type alone', async () => {
    // cpu-heavy jobs fill exactly one compute instance, memory-heavy jobs exactly one memory
    // instance: cost 2. Either type alone needs 5 instances (cost 5).
    const catalog = [type('c.xlarge', 4096, 2048, 1), type('r.xlarge', 1024, 8192, 1)];
    const b = await costLowerBound([...jobs(4, 1024, 512), ...jobs(4, 256, 2048)], catalog);
    expect(b.lp).toBeCloseTo(2, 9);
    expect(b.lpObjective).toBeCloseTo(2, 9);
    // Per dimension: cpu 4·1024/4096 + 4·256/4096 = 1.25, memory likewise 1.25.
    expect(b.perDimension).toBeCloseTo(1.25, 9);
    expect(b.groups).toBe(2);
  });

  it('complementary jobs share an instance (the per-job max-ratio sum would overstate)', async () => {
    // (3 vCPU, 1 GiB) + (1 vCPU, 3 GiB) fill one 4 vCPU / 4 GiB instance exactly: 1.
    // Summing per job price × max_d r_d/cap_d would give 0.75 + 0.75 = 1.5, not a bound.
    const b = await costLowerBound([...jobs(1, 3072, 1024), ...jobs(1, 1024, 3072)], [type('m.xlarge', 4096, 4096, 1)]);
    expect(b.lp).toBeCloseTo(1, 9);
    expect(b.perDimension).toBeCloseTo(1, 9);
  });

  it('ignores types a job may not use: architecture, name patterns, GPU models, too small', async () => {
    const catalog = [
      type('c7g.4xlarge', 16384, 32768, 0.01, { architecture: 'arm64' }), // cheap but arm64
      type('t3.small', 2048, 2048, 0.001), // cheap but too small for 4 GiB
      type('m5.xlarge', 4096, 16384, 0.2),
      type('c5.xlarge', 4096, 8192, 0.17),
      type('g5.xlarge', 4096, 16384, 1.0, { gpu: 1, gpuModel: 'A10G' }),
      type('g6.xlarge', 4096, 16384, 0.8, { gpu: 1, gpuModel: 'L4' }),
    ];
    // 1 vCPU / 4 GiB jobs: an m5.xlarge holds 4 for 0.2, a c5.xlarge 2 for 0.17; the arm64
    // type would hold 8 for 0.01 and the t3.small would be cheapest per GiB, were they allowed.
    const x86 = jobs(4, 1024, 4096, 0, { architecture: 'x86_64' }); // one m5.xlarge: 0.2
    const m5only = jobs(4, 1024, 4096, 0, { instanceTypes: ['m5.*'] }); // one m5.xlarge: 0.2
    // Fill the g5 so the CPU jobs cannot ride along in the room GPU jobs leave.
    const a10g = jobs(2, 4096, 16384, 1, { gpuModels: ['A10G'] }); // two g5.xlarge (not the cheaper L4): 2.0
    const b = await costLowerBound([...x86, ...m5only, ...a10g], catalog);
    expect(b.lp).toBeCloseTo(0.2 + 0.2 + 2.0, 9);
    expect(b.groups).toBe(3);
  });

  it('leaves out jobs no type can hold and reports them', async () => {
    const catalog = [type('g5.xlarge', 4096, 16384, 1.0, { gpu: 1, gpuModel: 'A10G' })];
    const twoGpu = jobs(3, 1024, 1024, 2);
    const b = await costLowerBound([...twoGpu, ...jobs(1, 4096, 16384, 1)], catalog);
    expect(b.unplaceable).toEqual(twoGpu.map((j) => j.id));
    expect(b.boundedJobs).toBe(1);
    expect(b.lp).toBeCloseTo(1, 9);
  });

  it('is 0 with no jobs', async () => {
    const b = await costLowerBound([], [type('m.large', 2048, 8192, 0.1)]);
    expect(b).toMatchObject({ lp: 0, lpCuts: 0, perDimension: 0, boundedJobs: 0 });
  });

  it('groups identical jobs whatever the order of their patterns, and says which group each job is in', () => {
    const catalog = [type('g5.xlarge', 4096, 16384, 1.0, { gpu: 1, gpuModel: 'A10G' }), type('g6.xlarge', 4096, 16384, 0.8, { gpu: 1, gpuModel: 'L4' })];
    const all = [...jobs(2, 1024, 1024, 1, { instanceTypes: ['g5.*', 'g6.*'] }), ...jobs(1, 1024, 1024, 8), ...jobs(3, 1024, 1024, 1, { instanceTypes: ['g6.*', 'g5.*'] })];
    const { groups, unplaceable, groupOf } = groupBoundJobs(all, catalog);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.count).toBe(5);
    expect(groups[0]!.types).toEqual([0, 1]);
    expect(unplaceable).toEqual([all[2]!.id]);
    expect([...groupOf]).toEqual([0, 0, -1, 0, 0, 0]);
  });

  it('follows the planner: gpuModels narrows to types with one of those GPU models', () => {
    const c5 = type('c5.xlarge', 4096, 8192, 0.17);
    const g6 = type('g6.xlarge', 4096, 16384, 0.8, { gpu: 1, gpuModel: 'L4' });
    expect(canHold(c5, { cpu: 1024, memoryMiB: 1024, gpu: 0 }, { gpuModels: ['L4'] })).toBe(false);
    expect(canHold(g6, { cpu: 1024, memoryMiB: 1024, gpu: 1 }, { gpuModels: ['L4'] })).toBe(true);
    expect(canHold(g6, { cpu: 1024, memoryMiB: 1024, gpu: 1 }, { gpuModels: ['A10G'] })).toBe(false);
  });

  it('per-dimension ≤ LP ≤ LP with cuts ≤ one cheapest instance per job, on random small cases', async () => {
    const typeArb = fc.record({
      cpu: fc.integer({ min: 1, max: 16 }).map((v) => v * 1024),
      memoryMiB: fc.integer({ min: 1, max: 64 }).map((v) => v * 1024),
      gpu: fc.constantFrom(0, 0, 1, 4),
      price: fc.integer({ min: 1, max: 500 }).map((v) => v / 100),
    });
    const jobArb = fc.record({
      cpu: fc.integer({ min: 1, max: 16 }).map((v) => v * 512),
      memoryMiB: fc.integer({ min: 1, max: 64 }).map((v) => v * 512),
      gpu: fc.constantFrom(0, 0, 0, 1),
      count: fc.integer({ min: 1, max: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(typeArb, { minLength: 1, maxLength: 6 }), fc.array(jobArb, { minLength: 1, maxLength: 6 }), async (types, groups) => {
        const catalog = types.map((t, i) => type(`t${i}.large`, t.cpu, t.memoryMiB, t.price, t.gpu > 0 ? { gpu: t.gpu, gpuModel: 'T4' } : {}));
        const all = groups.flatMap((g) => jobs(g.count, g.cpu, g.memoryMiB, g.gpu));
        const b = await costLowerBound(all, catalog);
        const { groups: grouped } = groupBoundJobs(all, catalog);
        const oneEach = grouped.reduce((s, g) => s + g.count * Math.min(...g.types.map((t) => catalog[t]!.pricePerHour)), 0);
        expect(b.perDimension).toBeLessThanOrEqual(b.lp + 1e-7);
        expect(b.lp).toBeLessThanOrEqual(b.lpCuts + 1e-7);
        expect(b.lpCuts).toBeLessThanOrEqual(oneEach + 1e-7);
        expect(b.lpCuts).toBeLessThanOrEqual(b.lpCutsObjective + 1e-7);
        expect(b.lpCuts).toBeGreaterThanOrEqual(b.lpCutsObjective * (1 - 1e-6) - 1e-9);
        expect(b.lp).toBeLessThanOrEqual(b.lpObjective + 1e-7);
        expect(b.lp).toBeGreaterThanOrEqual(b.lpObjective * (1 - 1e-6) - 1e-9);
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});
