import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canHold } from '../../../src/core/planner/compatibility.ts';
import { chooseFixedTypes, type AlgorithmJob } from '../../../src/core/policies/fixed-types.ts';
import { GiB, instanceType, VCPU } from './fixtures.ts';

const catalog = [
  instanceType('c.large', 2, 4, 0.08),
  instanceType('a.large', 2, 4, 0.07, { architecture: 'arm64' }),
  instanceType('c.xlarge', 4, 8, 0.16),
  instanceType('r.large', 2, 16, 0.13),
  instanceType('m.2xlarge', 8, 32, 0.4),
  instanceType('g.xlarge', 4, 16, 1.0, { gpu: 1, gpuModel: 'T4' }),
  instanceType('g.4xlarge', 16, 64, 3.0, { gpu: 4, gpuModel: 'A10G' }),
];

function ajob(algorithm: string, vcpu: number, memoryGiB: number, extra: Partial<Omit<AlgorithmJob, 'algorithm' | 'demand'>> & { gpu?: number } = {}): AlgorithmJob {
  return { algorithm, demand: { cpu: vcpu * VCPU, memoryMiB: memoryGiB * GiB, gpu: extra.gpu ?? 0 }, constraints: extra.constraints ?? {} };
}

describe('chooseFixedTypes', () => {
  it('picks the cheapest type that holds every job of the algorithm', () => {
    expect(chooseFixedTypes([ajob('seg', 1, 2), ajob('seg', 1, 3)], catalog)).toEqual({ seg: 'a.large' });
  });

  it('sizes for the largest demand in each dimension, even when no single job is that large', () => {
    // One job is cpu-heavy, one memory-heavy: c.xlarge holds the first, r.large the second,
    // only m.2xlarge (4 vCPU and 16 GiB at once) holds the largest of each.
    expect(chooseFixedTypes([ajob('mix', 4, 1), ajob('mix', 1, 16)], catalog)).toEqual({ mix: 'm.2xlarge' });
  });

  it('takes only types every job of the algorithm may use', () => {
    // a.large is the cheapest that fits, but one job must run on x86_64.
    const jobs = [ajob('seg', 1, 2), ajob('seg', 1, 2, { constraints: { architecture: 'x86_64' } })];
    expect(chooseFixedTypes(jobs, catalog)).toEqual({ seg: 'c.large' });
    const gpu = [ajob('dl', 2, 8, { gpu: 1 }), ajob('dl', 2, 8, { gpu: 1, constraints: { gpuModels: ['A10G'] } })];
    expect(chooseFixedTypes(gpu, catalog)).toEqual({ dl: 'g.4xlarge' });
  });

  it('when no type holds them all, takes the type holding the most of its jobs, cheapest among those', () => {
    // No type is both arm64 and x86_64: c.large holds the three x86 jobs, a.large only one.
    const jobs = [
      ajob('split', 1, 2, { constraints: { architecture: 'arm64' } }),
      ajob('split', 1, 2, { constraints: { architecture: 'x86_64' } }),
      ajob('split', 1, 2, { constraints: { architecture: 'x86_64' } }),
      ajob('split', 1, 2, { constraints: { architecture: 'x86_64' } }),
    ];
    expect(chooseFixedTypes(jobs, catalog)).toEqual({ split: 'c.large' });
    // Two arm64 jobs and one x86_64: the arm64 type holds the most.
    const mostlyArm = [jobs[0]!, jobs[0]!, jobs[1]!];
    expect(chooseFixedTypes(mostlyArm, catalog)).toEqual({ split: 'a.large' });
  });

  it('the fallback counts jobs, not price: a dearer type that holds more wins', () => {
    // A job too large for every type: the others still get a type. r.large holds the two
    // memory jobs, c.xlarge the two cpu jobs and m.2xlarge all four that fit at all.
    const jobs = [ajob('odd', 4, 1), ajob('odd', 4, 1), ajob('odd', 1, 16), ajob('odd', 1, 16), ajob('odd', 64, 1)];
    expect(chooseFixedTypes(jobs, catalog)).toEqual({ odd: 'm.2xlarge' });
  });

  it('leaves out an algorithm no type can hold at all', () => {
    expect(chooseFixedTypes([ajob('huge', 128, 1), ajob('seg', 1, 1)], catalog)).toEqual({ seg: 'a.large' });
    expect(chooseFixedTypes([], catalog)).toEqual({});
  });

  it('chooses for each algorithm on its own jobs only', () => {
    const big = [ajob('big', 8, 32)];
    const small = [ajob('small', 1, 1)];
    const together = chooseFixedTypes([...small, ...big], catalog);
    expect(together).toEqual({ big: 'm.2xlarge', small: 'a.large' });
    expect(together).toEqual({ ...chooseFixedTypes(big, catalog), ...chooseFixedTypes(small, catalog) });
  });

  it('breaks price ties by catalog order, whatever the order of the jobs', () => {
    const tied = [instanceType('x.large', 2, 4, 0.1), instanceType('y.large', 2, 4, 0.1)];
    const jobs = [ajob('seg', 1, 1), ajob('seg', 2, 2)];
    expect(chooseFixedTypes(jobs, tied)).toEqual({ seg: 'x.large' });
    expect(chooseFixedTypes(jobs.slice().reverse(), tied)).toEqual({ seg: 'x.large' });
    expect(chooseFixedTypes(jobs, tied.slice().reverse())).toEqual({ seg: 'y.large' });
  });

  it('every type chosen can hold every job of its algorithm whenever some type can, and the choice does not depend on job order', () => {
    const jobArb = fc.record({
      algorithm: fc.constantFrom('a', 'b', 'c'),
      vcpu: fc.integer({ min: 1, max: 16 }),
      memoryGiB: fc.integer({ min: 1, max: 64 }),
      gpu: fc.constantFrom(0, 0, 0, 1),
      architecture: fc.constantFrom(undefined, 'x86_64' as const, 'arm64' as const),
    });
    fc.assert(
      fc.property(fc.array(jobArb, { maxLength: 12 }), fc.integer(), (drawn, seed) => {
        const jobs = drawn.map((j) => ajob(j.algorithm, j.vcpu, j.memoryGiB, { gpu: j.gpu, constraints: j.architecture ? { architecture: j.architecture } : {} }));
        const chosen = chooseFixedTypes(jobs, catalog);
        const rotated = jobs.map((_, i) => jobs[(i + (seed >>> 0)) % jobs.length]!);
        expect(chooseFixedTypes(rotated, catalog)).toEqual(chosen);
        for (const algorithm of new Set(jobs.map((j) => j.algorithm))) {
          const its = jobs.filter((j) => j.algorithm === algorithm);
          const holds = (name: string): number => its.filter((j) => canHold(catalog.find((t) => t.name === name)!, j.demand, j.constraints)).length;
          const anyHolds = catalog.some((t) => its.some((j) => canHold(t, j.demand, j.constraints)));
          expect(algorithm in chosen).toBe(anyHolds);
          if (!anyHolds) continue;
          // No type holds more of the algorithm's jobs than the one chosen.
          for (const t of catalog) expect(holds(t.name)).toBeLessThanOrEqual(holds(chosen[algorithm]!));
          // And among those holding as many, none is cheaper.
          const price = catalog.find((t) => t.name === chosen[algorithm])!.pricePerHour;
          for (const t of catalog) if (holds(t.name) === holds(chosen[algorithm]!)) expect(t.pricePerHour).toBeGreaterThanOrEqual(price);
        }
      }),
    );
  });
});
