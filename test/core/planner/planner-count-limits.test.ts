// When instance counts bind (policy.maxInstances, or a type limit that leaves jobs out),
// the planner re-packs for fewer, larger instances of the count-limited types, so the
// instances it may launch carry as much work as they can.
import { describe, expect, it } from 'vitest';
import type { PendingJob } from '../../../src/core/planner/plan-types.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import { GENEROUS, instanceType, job, node } from '../policies/fixtures.ts';

// Per job, the small types are cheaper than the large ones: with no count limit, the
// cheapest fleet is many small instances.
const catalog = [
  instanceType('c.large', 2, 4, 0.1),
  instanceType('c.2xlarge', 8, 16, 0.45),
  instanceType('g.small', 4, 16, 1, { gpu: 1, gpuModel: 'T4' }),
  instanceType('g.large', 16, 64, 5, { gpu: 4, gpuModel: 'T4' }),
];

function gpuJobs(n: number): PendingJob[] {
  return Array.from({ length: n }, (_, i) => job(`gpu-${i}`, 2, 8, { gpu: 1, enqueuedAt: i }));
}
function cpuJobs(n: number): PendingJob[] {
  return Array.from({ length: n }, (_, i) => job(`cpu-${i}`, 2, 4, { enqueuedAt: i, constraints: { instanceTypes: ['c.*'] } }));
}

describe('planFleet: re-packing when instance counts bind', () => {
  it('without a binding limit keeps the cheapest fleet of small instances', () => {
    const gpu = planFleet({ jobs: gpuJobs(4), nodes: [], catalog, policy: GENEROUS });
    expect(gpu.launches.map((l) => l.type)).toEqual(['g.small', 'g.small', 'g.small', 'g.small']);
    expect(gpu.launchHourlyCost).toBeCloseTo(4);
    const cpu = planFleet({ jobs: cpuJobs(4), nodes: [], catalog, policy: GENEROUS });
    expect(cpu.launches.map((l) => l.type)).toEqual(['c.large', 'c.large', 'c.large', 'c.large']);
  });

  it('a type limit of one GPU instance: one g.large carrying all four jobs, not one g.small carrying one', () => {
    const plan = planFleet({ jobs: gpuJobs(4), nodes: [], catalog, policy: { ...GENEROUS, typeLimits: { 'g.*': 1 } } });
    expect(plan.launches).toEqual([{ type: 'g.large', jobIds: ['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3'] }]);
    expect(plan.waiting).toEqual([]);
    expect(plan.launchHourlyCost).toBe(5);
  });

  it('counts existing instances against the type limit', () => {
    const existing = node('i-1', 'g.small', 'registered', 0, 0, 0);
    const plan = planFleet({ jobs: gpuJobs(4), nodes: [existing], catalog, policy: { ...GENEROUS, typeLimits: { 'g.*': 2 } } });
    expect(plan.launches).toEqual([{ type: 'g.large', jobIds: ['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3'] }]);
  });

  it('when even the largest allowed instance cannot carry them all, the oldest go and the rest wait on the type limit', () => {
    const plan = planFleet({ jobs: gpuJobs(6), nodes: [], catalog, policy: { ...GENEROUS, typeLimits: { 'g.*': 1 } } });
    expect(plan.launches).toEqual([{ type: 'g.large', jobIds: ['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3'] }]);
    expect(plan.waiting.map((w) => [w.jobId, w.reason.code])).toEqual([
      ['gpu-4', 'type-limit'],
      ['gpu-5', 'type-limit'],
    ]);
  });

  it('re-packs only the count-limited types: jobs on types with no limit keep the cheapest mix', () => {
    const plan = planFleet({ jobs: [...gpuJobs(4), ...cpuJobs(4)], nodes: [], catalog, policy: { ...GENEROUS, typeLimits: { 'g.*': 1 } } });
    expect(plan.waiting).toEqual([]);
    expect(plan.launches.filter((l) => l.type.startsWith('g.'))).toEqual([{ type: 'g.large', jobIds: ['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3'] }]);
    const cpu = plan.launches.filter((l) => l.type.startsWith('c.'));
    expect(cpu.map((l) => l.type)).toEqual(['c.large', 'c.large', 'c.large', 'c.large']);
    expect(cpu.flatMap((l) => l.jobIds).sort()).toEqual(['cpu-0', 'cpu-1', 'cpu-2', 'cpu-3']);
  });

  it('maxInstances 1: one larger instance carrying as many jobs as it holds', () => {
    const plan = planFleet({ jobs: cpuJobs(4), nodes: [], catalog, policy: { ...GENEROUS, maxInstances: 1 } });
    expect(plan.launches).toEqual([{ type: 'c.2xlarge', jobIds: ['cpu-0', 'cpu-1', 'cpu-2', 'cpu-3'] }]);
    expect(plan.waiting).toEqual([]);
  });

  it('maxInstances left by existing nodes binds the same way, and the jobs that do not fit wait on it', () => {
    const existing = node('i-1', 'c.large', 'registered', 0, 0);
    const plan = planFleet({ jobs: cpuJobs(6), nodes: [existing], catalog, policy: { ...GENEROUS, maxInstances: 2 } });
    expect(plan.launches).toEqual([{ type: 'c.2xlarge', jobIds: ['cpu-0', 'cpu-1', 'cpu-2', 'cpu-3'] }]);
    expect(plan.waiting.map((w) => [w.jobId, w.reason.code])).toEqual([
      ['cpu-4', 'max-instances'],
      ['cpu-5', 'max-instances'],
    ]);
  });

  it('uses as few larger instances as needed when maxInstances leaves more than one', () => {
    // 8 jobs: the cheapest fleet is 8 × c.large; 2 instances allowed hold them as 2 × c.2xlarge.
    const plan = planFleet({ jobs: cpuJobs(8), nodes: [], catalog, policy: { ...GENEROUS, maxInstances: 2 } });
    expect(plan.launches.map((l) => l.type)).toEqual(['c.2xlarge', 'c.2xlarge']);
    expect(plan.launches.flatMap((l) => l.jobIds).sort()).toEqual(cpuJobs(8).map((j) => j.id).sort());
    expect(plan.waiting).toEqual([]);
  });

  it('still respects maxHourlyCost when re-packing for fewer instances', () => {
    // One c.2xlarge ($0.45) would carry all four but the budget is $0.3: c.large it is.
    const plan = planFleet({ jobs: cpuJobs(4), nodes: [], catalog, policy: { ...GENEROUS, maxInstances: 1, maxHourlyCost: 0.3 } });
    expect(plan.launches).toEqual([{ type: 'c.large', jobIds: ['cpu-0'] }]);
    expect(plan.waiting.map((w) => w.jobId)).toEqual(['cpu-1', 'cpu-2', 'cpu-3']);
    expect(plan.launchHourlyCost).toBeLessThanOrEqual(0.3);
  });

  describe('a limit that does not bind changes nothing, whatever else is left out', () => {
    const unconstrained = (n: number): PendingJob[] => Array.from({ length: n }, (_, i) => job(`u-${i}`, 2, 4, { enqueuedAt: i }));
    const huge = job('huge', 128, 1);

    it('four GPU jobs and a job no type can hold, under g.* 10: four g.small', () => {
      const plan = planFleet({ jobs: [...gpuJobs(4), huge], nodes: [], catalog, policy: { ...GENEROUS, typeLimits: { 'g.*': 10 } } });
      expect(plan.launches.map((l) => l.type)).toEqual(['g.small', 'g.small', 'g.small', 'g.small']);
      expect(plan.waiting.map((w) => [w.jobId, w.reason.code])).toEqual([['huge', 'no-compatible-type']]);
    });

    it('four small jobs and a job no type can hold, under c.* 10: four c.large, not GPU instances', () => {
      const plan = planFleet({ jobs: [...unconstrained(4), huge], nodes: [], catalog, policy: { ...GENEROUS, typeLimits: { 'c.*': 10 } } });
      expect(plan.launches.map((l) => l.type)).toEqual(['c.large', 'c.large', 'c.large', 'c.large']);
      expect(plan.launchHourlyCost).toBeCloseTo(0.4);
    });

    it('four small jobs and an unaffordable GPU job, under c.* 10 and maxHourlyCost 0.5: four c.large', () => {
      const plan = planFleet({ jobs: [...unconstrained(4), ...gpuJobs(1)], nodes: [], catalog, policy: { ...GENEROUS, maxHourlyCost: 0.5, typeLimits: { 'c.*': 10 } } });
      expect(plan.launches.map((l) => l.type)).toEqual(['c.large', 'c.large', 'c.large', 'c.large']);
      expect(plan.waiting.map((w) => [w.jobId, w.reason.code])).toEqual([['gpu-0', 'max-hourly-cost']]);
    });
  });
});

describe('planFleet: under maxInstances, only as much surcharge per instance as the limit needs', () => {
  // A dear giant that holds the most: the full surcharge (its own price on every instance)
  // would buy it for CPU jobs that mid-size CPU types carry for a fraction of the price.
  const wide = [
    instanceType('c.large', 2, 4, 0.1),
    instanceType('c.8xlarge', 32, 64, 1.8),
    instanceType('g.giant', 192, 768, 16.288, { gpu: 8, gpuModel: 'A10G' }),
  ];
  const jobs = Array.from({ length: 120 }, (_, i) => job(`cpu-${i}`, 2, 4, { enqueuedAt: i }));

  it('fits 120 two-vCPU jobs into 10 instances with CPU types, not GPU giants', () => {
    const free = planFleet({ jobs, nodes: [], catalog: wide, policy: GENEROUS });
    expect(free.launches.length).toBe(120);
    const capped = planFleet({ jobs, nodes: [], catalog: wide, policy: { ...GENEROUS, maxInstances: 10 } });
    expect(capped.waiting).toEqual([]);
    expect(capped.launches.length).toBeLessThanOrEqual(10);
    expect(capped.launches.every((l) => l.type.startsWith('c.'))).toBe(true);
    // 8 × c.8xlarge (16 jobs each) = 14.4 USD/h, against 2 giants at 32.58.
    expect(capped.launchHourlyCost).toBeLessThan(16);
  });
});
