import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clairvoyantLowerBound, integralWithLookAhead, type ArrivingJob } from '../../../src/core/bounds/clairvoyant-lower-bound.ts';
import { costLowerBound } from '../../../src/core/bounds/cost-lower-bound.ts';
import { groupBoundJobs } from '../../../src/core/bounds/job-groups.ts';
import { resourceTimeLowerBound } from '../../../src/core/bounds/resource-time-lower-bound.ts';
import { DEFAULT_OVERHEAD } from '../../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../../src/core/catalog/build-catalog.ts';
import type { InstanceType } from '../../../src/core/catalog/instance-type.ts';
import type { JobConstraints } from '../../../src/core/planner/plan-types.ts';
import { seededRandom } from '../../../src/core/random.ts';
import { arriving, type } from './bound-fixtures.ts';

const GIB = 1024;
const VCPU = 1024;

/** ∫ LP(S_t) dt the slow way: every segment's LP solved on its own (costLowerBound, with cuts). */
async function segmentBySegment(jobs: readonly ArrivingJob[], catalog: readonly InstanceType[]): Promise<number> {
  const times = [...new Set(jobs.flatMap((j) => (j.durationSeconds > 0 ? [j.arrivalSeconds, j.arrivalSeconds + j.durationSeconds] : [])))].sort((a, b) => a - b);
  let usd = 0;
  for (let i = 0; i + 1 < times.length; i++) {
    const running = jobs.filter((j) => j.durationSeconds > 0 && j.arrivalSeconds <= times[i]! && times[i]! < j.arrivalSeconds + j.durationSeconds);
    usd += ((await costLowerBound(running, catalog)).lpCuts * (times[i + 1]! - times[i]!)) / 3600;
  }
  return usd;
}

/** A feasible start-on-arrival schedule: each job alone on its cheapest compatible type for its duration. */
function oneInstanceEach(jobs: readonly ArrivingJob[], catalog: readonly InstanceType[]): number {
  const { groups, groupOf } = groupBoundJobs(jobs, catalog);
  return jobs.reduce((sum, job, i) => {
    const g = groupOf[i]!;
    return g < 0 ? sum : sum + (job.durationSeconds * Math.min(...groups[g]!.types.map((t) => catalog[t]!.pricePerHour))) / 3600;
  }, 0);
}

describe('clairvoyantLowerBound', () => {
  // One 4 vCPU / 4 GiB type at 3.6 USD/h (0.001 USD/s). A (3 vCPU, 1 GiB) and B (1 vCPU, 3 GiB)
  // fill one instance together; alone, each still needs a whole instance (one per instance).
  const square = [type('m.xlarge', 4 * VCPU, 4 * GIB, 3.6)];
  const a = (at: number): ArrivingJob => arriving(at, 1000, 3 * VCPU, 1 * GIB);
  const b = (at: number): ArrivingJob => arriving(at, 1000, 1 * VCPU, 3 * GIB);

  it('one type, two jobs at the same time: they share an instance', async () => {
    const bound = await clairvoyantLowerBound([a(0), b(0)], square);
    expect(bound.usd).toBeCloseTo(1.0, 9); // 1000 s × 1 instance
    expect(bound.upperUsd).toBeCloseTo(1.0, 9);
    expect(bound.segments).toBe(1);
    expect(bound.boundedJobs).toBe(2);
  });

  it('one type, two jobs one after the other: an instance each', async () => {
    const jobs = [a(0), b(1000)];
    const bound = await clairvoyantLowerBound(jobs, square);
    expect(bound.usd).toBeCloseTo(2.0, 9);
    expect(bound.segments).toBe(2);
    // The any-schedule bound may run them together.
    expect((await resourceTimeLowerBound(jobs, square)).lpCuts).toBeCloseTo(1.0, 9);
  });

  it('one type, two jobs overlapping half their time: one instance for 1500 s', async () => {
    const bound = await clairvoyantLowerBound([a(0), b(500)], square);
    expect(bound.usd).toBeCloseTo(1.5, 9);
    expect(bound.segments).toBe(3);
  });

  it('two types: compatibility forces the expensive one', async () => {
    const catalog = [type('c7g.xlarge', 4 * VCPU, 8 * GIB, 0.1, { architecture: 'arm64' }), type('m6i.xlarge', 4 * VCPU, 8 * GIB, 0.4)];
    const x86 = arriving(0, 3600, 4 * VCPU, 8 * GIB, { architecture: 'x86_64' }); // a whole m6i for an hour: 0.4
    const any = arriving(0, 3600, 4 * VCPU, 8 * GIB); // a whole c7g for an hour: 0.1
    expect((await clairvoyantLowerBound([x86, any], catalog)).usd).toBeCloseTo(0.5, 9);
    // Half an hour each, one after the other: 0.2 + 0.05.
    const later = arriving(1800, 1800, 4 * VCPU, 8 * GIB);
    expect((await clairvoyantLowerBound([{ ...x86, durationSeconds: 1800 }, later], catalog)).usd).toBeCloseTo(0.25, 9);
  });

  it('leaves out jobs no type can hold, costs nothing for no work, and refuses bad input', async () => {
    const tooBig = arriving(0, 60, 8 * VCPU, GIB);
    const bound = await clairvoyantLowerBound([tooBig, arriving(10, 0, VCPU, GIB)], square);
    expect(bound).toMatchObject({ usd: 0, upperUsd: 0, lpSolved: 0, segments: 0, boundedJobs: 1, unplaceable: [tooBig.id] });
    expect((await clairvoyantLowerBound([], square)).usd).toBe(0);
    await expect(clairvoyantLowerBound([arriving(0, -1, VCPU, GIB)], square)).rejects.toThrow(/expected a duration >= 0/);
    await expect(clairvoyantLowerBound([arriving(NaN, 1, VCPU, GIB)], square)).rejects.toThrow(/expected a finite time/);
    await expect(clairvoyantLowerBound([a(0)], square, { tolerance: -1 })).rejects.toThrow(/tolerance/);
    await expect(clairvoyantLowerBound([a(0)], square, { bootSeconds: -1 })).rejects.toThrow(/bootSeconds -1; expected a finite number >= 0/);
    await expect(clairvoyantLowerBound([a(0)], square, { bootSeconds: Infinity })).rejects.toThrow(/bootSeconds/);
  });

  it('bills each instance a boot before it runs anything: a rise in the running set is paid from a boot earlier', async () => {
    // One job: 100 s of boot, then 1000 s of work.
    expect((await clairvoyantLowerBound([a(0)], square, { bootSeconds: 100 })).usd).toBeCloseTo(1.1, 9);
    // One after the other: the second instance boots while the first still runs, 100 s overlap.
    expect((await clairvoyantLowerBound([a(0), b(1000)], square, { bootSeconds: 100 })).usd).toBeCloseTo(2.1, 9);
    // With a gap longer than the boot, each pays its own.
    expect((await clairvoyantLowerBound([a(0), b(1500)], square, { bootSeconds: 100 })).usd).toBeCloseTo(2.2, 9);
    // Together: one boot for the shared instance.
    expect((await clairvoyantLowerBound([a(0), b(0)], square, { bootSeconds: 100 })).upperUsd).toBeCloseTo(1.1, 9);
  });

  it('bounds the stretches where few jobs run with whole instances, not fractions of one', async () => {
    // One 3 vCPU job for an hour. The LP takes half of an 8 vCPU type (two such jobs fit
    // there): 0.5 USD. A real fleet needs a whole instance: the 4 vCPU type, 0.6 USD.
    const catalog = [type('big.2xlarge', 8 * VCPU, 8 * GIB, 1.0), type('small.xlarge', 4 * VCPU, 4 * GIB, 0.6)];
    const job = arriving(0, 3600, 3 * VCPU, GIB);
    const fractional = await clairvoyantLowerBound([job], catalog, { integerSegments: 0 });
    expect(fractional.usd).toBeCloseTo(0.5, 9);
    expect(fractional.integerSegments).toBe(0);
    const whole = await clairvoyantLowerBound([job], catalog);
    expect(whole.usd).toBeCloseTo(0.6, 5);
    expect(whole.usd).toBeLessThanOrEqual(0.6);
    expect(whole.integerSegments).toBe(1);
    // Two of them share the big type: whole and fractional agree.
    const pair = await clairvoyantLowerBound([job, arriving(0, 3600, 3 * VCPU, GIB)], catalog);
    expect(pair.usd).toBeCloseTo(1.0, 5);
    // Only the stretches with the most room are re-solved: one of three here.
    const spread = [arriving(0, 3600, 3 * VCPU, GIB), arriving(7200, 600, 3 * VCPU, GIB), arriving(9000, 60, 3 * VCPU, GIB)];
    const first = await clairvoyantLowerBound(spread, catalog, { integerSegments: 1 });
    expect(first.integerSegments).toBe(1);
    expect(first.usd).toBeCloseTo(0.6 + (0.5 * 660) / 3600, 5);
    await expect(clairvoyantLowerBound([job], catalog, { integerSegments: 1.5 })).rejects.toThrow(/integerSegments 1.5; expected a whole number >= 0/);
  });

  interface JobSpec {
    readonly at: number;
    readonly duration: number;
    readonly shape: number;
  }
  const jobArb: fc.Arbitrary<JobSpec> = fc.record({
    at: fc.integer({ min: 0, max: 20 }).map((v) => v * 100),
    duration: fc.integer({ min: 0, max: 12 }).map((v) => v * 150),
    shape: fc.nat(5),
  });
  const SHAPES: readonly { cpu: number; memoryMiB: number; constraints: JobConstraints }[] = [
    { cpu: 3 * VCPU, memoryMiB: 1 * GIB, constraints: {} },
    { cpu: 1 * VCPU, memoryMiB: 6 * GIB, constraints: {} },
    { cpu: 2 * VCPU, memoryMiB: 2 * GIB, constraints: { architecture: 'x86_64' } },
    { cpu: 512, memoryMiB: 512, constraints: {} },
    { cpu: 6 * VCPU, memoryMiB: 20 * GIB, constraints: {} },
    { cpu: 1 * VCPU, memoryMiB: 2 * GIB, constraints: { instanceTypes: ['c.*'] } },
  ];
  const CATALOG = [
    type('c.xlarge', 4 * VCPU, 8 * GIB, 0.17),
    type('c.2xlarge', 8 * VCPU, 16 * GIB, 0.34),
    type('m.xlarge', 4 * VCPU, 16 * GIB, 0.19),
    type('r.2xlarge', 8 * VCPU, 64 * GIB, 0.5),
    type('g.xlarge', 4 * VCPU, 16 * GIB, 0.12, { architecture: 'arm64' }),
  ];
  const jobsOf = (specs: readonly JobSpec[]): ArrivingJob[] =>
    specs.map(({ at, duration, shape }) => arriving(at, duration, SHAPES[shape]!.cpu, SHAPES[shape]!.memoryMiB, SHAPES[shape]!.constraints));

  it('lies between the any-schedule resource-time bound and a simple start-on-arrival schedule, on random cases', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jobArb, { minLength: 1, maxLength: 25 }), async (specs) => {
        const jobs = jobsOf(specs);
        const bound = await clairvoyantLowerBound(jobs, CATALOG);
        const resourceTime = await resourceTimeLowerBound(jobs, CATALOG);
        const scale = 1e-9 * (1 + bound.upperUsd);
        // ∫ LP(S_t) dt ≥ LP(∫ S_t dt): LP is convex and homogeneous in the job counts. Guaranteed
        // here by the seed duals, not only in exact arithmetic.
        expect(bound.usd).toBeGreaterThanOrEqual(resourceTime.lpCuts - scale);
        expect(bound.usd).toBeLessThanOrEqual(bound.upperUsd + scale);
        expect(bound.upperUsd).toBeLessThanOrEqual(oneInstanceEach(jobs, CATALOG) + scale);
        expect(bound.usd).toBeGreaterThanOrEqual((1 - 0.005) * bound.upperUsd - scale);
        expect(bound.lpSolved).toBeLessThanOrEqual(bound.segments + 1);
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it('with a boot, lies between the bound without one and each job alone on an instance launched a boot ahead', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jobArb, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 400 }), async (specs, boot) => {
        const jobs = jobsOf(specs);
        const instant = await clairvoyantLowerBound(jobs, CATALOG);
        const booting = await clairvoyantLowerBound(jobs, CATALOG, { bootSeconds: boot });
        const scale = 1e-9 * (1 + booting.upperUsd);
        expect(booting.usd).toBeGreaterThanOrEqual(instant.usd - scale);
        expect(booting.usd).toBeLessThanOrEqual(booting.upperUsd + scale);
        const launchedAhead = jobs.map((j) => (j.durationSeconds > 0 ? { ...j, arrivalSeconds: j.arrivalSeconds - boot, durationSeconds: j.durationSeconds + boot } : j));
        expect(booting.upperUsd).toBeLessThanOrEqual(oneInstanceEach(launchedAhead, CATALOG) + scale);
      }),
      { numRuns: 40, seed: 5 },
    );
  });

  it('integralWithLookAhead: each segment counts from the look-ahead before it starts, the highest where they meet', () => {
    // [0, 10) at 1 and [10, 20) at 3, look-ahead 5: 1 on [-5, 5), 3 on [5, 20).
    expect(integralWithLookAhead([0, 10], [10, 20], [1, 3], 5)).toBe(55);
    // Falling: 3 on [-5, 10), then 1 on [10, 20).
    expect(integralWithLookAhead([0, 10], [10, 20], [3, 1], 5)).toBe(55);
    // A gap longer than the look-ahead: 3 on [-5, 10), nothing, 1 on [25, 40).
    expect(integralWithLookAhead([0, 30], [10, 40], [3, 1], 5)).toBe(60);
    expect(integralWithLookAhead([], [], [], 5)).toBe(0);
    // Brute force on integer segments: the maximum is constant on each unit interval, so sample midpoints.
    fc.assert(
      fc.property(fc.array(fc.record({ gap: fc.nat(6), length: fc.integer({ min: 1, max: 6 }), rate: fc.nat(9) }), { maxLength: 12 }), fc.nat(10), (specs, lookAhead) => {
        const start: number[] = [];
        const end: number[] = [];
        let t = 0;
        for (const { gap, length } of specs) {
          start.push((t += gap));
          end.push((t += length));
        }
        const rate = specs.map((s) => s.rate);
        let brute = 0;
        for (let k = -lookAhead - 1; k < t + 1; k++) {
          const mid = k + 0.5;
          brute += Math.max(0, ...start.flatMap((s, i) => (s - lookAhead <= mid && mid < end[i]! ? [rate[i]!] : [])));
        }
        expect(integralWithLookAhead(start, end, rate, lookAhead)).toBe(brute);
      }),
      { numRuns: 300, seed: 6 },
    );
  });

  it('with tolerance 0 and no integer segments, is the LP integrated segment by segment (and never above it with the default tolerance)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jobArb, { minLength: 1, maxLength: 12 }), async (specs) => {
        const jobs = jobsOf(specs);
        const exact = await segmentBySegment(jobs, CATALOG);
        const strict = await clairvoyantLowerBound(jobs, CATALOG, { tolerance: 0, integerSegments: 0 });
        expect(strict.usd).toBeCloseTo(exact, 6);
        expect(strict.upperUsd).toBeCloseTo(exact, 6);
        const usual = await clairvoyantLowerBound(jobs, CATALOG, { integerSegments: 0 });
        expect(usual.usd).toBeLessThanOrEqual(exact + 1e-7);
        expect(usual.upperUsd).toBeGreaterThanOrEqual(exact - 1e-7);
        // Whole instances only raise it, and never above a real schedule.
        const whole = await clairvoyantLowerBound(jobs, CATALOG, { tolerance: 0 });
        expect(whole.usd).toBeGreaterThanOrEqual(strict.usd * (1 - 1e-6) - 1e-9);
        expect(whole.usd).toBeLessThanOrEqual(oneInstanceEach(jobs, CATALOG) + 1e-9);
      }),
      { numRuns: 25, seed: 4 },
    );
  });

  it('10k random jobs on the built-in catalog (timing printed, not asserted)', async () => {
    const catalog = buildCatalog({ overhead: DEFAULT_OVERHEAD });
    const random = seededRandom(11);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    // 40 job shapes like a toolbox of algorithms: cpu, memory per vCPU, some GPU, some pinned.
    const shapes = Array.from({ length: 40 }, () => {
      const vcpu = pick([0.25, 0.5, 1, 2, 4, 8, 16]);
      const gpu = random() < 0.1 ? pick([1, 1, 1, 4]) : 0;
      const r = random();
      const constraints: JobConstraints = gpu > 0 ? {} : r < 0.1 ? { architecture: 'arm64' } : r < 0.15 ? { instanceTypes: ['c6i.*', 'c7i.*', 'm6i.*'] } : {};
      return { cpu: vcpu * VCPU, memoryMiB: Math.min(Math.max(0.5, Math.round(vcpu * (1 + random() * 10) * 2) / 2), 180) * GIB, gpu, constraints };
    });
    const jobs: ArrivingJob[] = Array.from({ length: 10_000 }, (_, i) => {
      const s = pick(shapes);
      return { id: `j${i}`, demand: { cpu: s.cpu, memoryMiB: s.memoryMiB, gpu: s.gpu }, constraints: s.constraints, arrivalSeconds: Math.round(random() * 86_400), durationSeconds: Math.round(60 * Math.exp(random() * 4)) };
    });
    const started = performance.now();
    const bound = await clairvoyantLowerBound(jobs, catalog);
    const ms = performance.now() - started;
    const resourceTime = await resourceTimeLowerBound(jobs, catalog);
    console.log(
      `clairvoyant bound, 10k jobs, 40 shapes, ${catalog.length} types: ${bound.usd.toFixed(2)} USD (exact within [${bound.usd.toFixed(2)}, ${bound.upperUsd.toFixed(2)}]), ` +
        `${bound.lpSolved} LPs for ${bound.segments} segments, ${ms.toFixed(0)} ms; resource-time bound ${resourceTime.lpCuts.toFixed(2)} USD`,
    );
    expect(bound.segments).toBeGreaterThan(10_000);
    expect(bound.usd).toBeGreaterThanOrEqual(resourceTime.lpCuts * (1 - 1e-9));
  }, 120_000);
});
