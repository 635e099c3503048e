import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERHEAD } from '../../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../../src/core/catalog/build-catalog.ts';
import type { FleetNode, PendingJob, PlacementPolicy } from '../../../src/core/planner/plan-types.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import type { Resources } from '../../../src/core/resources.ts';

const catalog = buildCatalog({ overhead: DEFAULT_OVERHEAD, include: ['c7g.*', 'm7i.*', 'r7g.*', 'g5.*', 'g6.*'] });
const policy: PlacementPolicy = { maxInstances: 100, maxHourlyCost: 1000, typeLimits: {}, instancePenaltyPerHour: 0 };
const price = (name: string): number => catalog.find((t) => t.name === name)!.pricePerHour;

function jobs(prefix: string, n: number, demand: Resources, extra: Partial<PendingJob> = {}): PendingJob[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, demand, constraints: {}, priority: 0, enqueuedAt: i, ...extra }));
}
const small: Resources = { cpu: 1024, memoryMiB: 1536, gpu: 0 };

describe('planFleet decisions', () => {
  it('uses registered capacity first, then launching nodes, then buys', () => {
    const nodes: FleetNode[] = [
      { id: 'i-launching', type: 'c7g.xlarge', state: 'launching', free: { cpu: 2048, memoryMiB: 4000, gpu: 0 } },
      { id: 'i-registered', type: 'c7g.xlarge', state: 'registered', free: { cpu: 2048, memoryMiB: 4000, gpu: 0 } },
    ];
    const plan = planFleet({ jobs: jobs('seg', 6, small), nodes, catalog, policy });
    expect(plan.starts.map((s) => s.nodeId)).toEqual(['i-registered', 'i-registered']);
    expect(plan.bindings.map((s) => s.nodeId)).toEqual(['i-launching', 'i-launching']);
    expect(plan.launches.flatMap((l) => l.jobIds)).toHaveLength(2);
    // The oldest jobs get the capacity that is there already.
    expect(plan.starts.map((s) => s.jobId)).toEqual(['seg-0', 'seg-1']);
  });

  it('never places on a draining node', () => {
    const nodes: FleetNode[] = [{ id: 'i-draining', type: 'm7i.4xlarge', state: 'draining', free: { cpu: 16384, memoryMiB: 60000, gpu: 0 } }];
    const plan = planFleet({ jobs: jobs('seg', 3, small), nodes, catalog, policy });
    expect(plan.starts).toEqual([]);
    expect(plan.launches.length).toBeGreaterThan(0);
  });

  it('fills the fuller of two registered nodes first, so the emptier one can drain', () => {
    const nodes: FleetNode[] = [
      { id: 'i-empty', type: 'm7i.2xlarge', state: 'registered', free: { cpu: 8192, memoryMiB: 30000, gpu: 0 } },
      { id: 'i-busy', type: 'm7i.2xlarge', state: 'registered', free: { cpu: 2048, memoryMiB: 6000, gpu: 0 } },
    ];
    const plan = planFleet({ jobs: jobs('seg', 2, small), nodes, catalog, policy });
    expect(plan.starts.map((s) => s.nodeId)).toEqual(['i-busy', 'i-busy']);
  });

  it('buys the cheapest type that holds a single job, not the largest', () => {
    const plan = planFleet({ jobs: jobs('seg', 1, small), nodes: [], catalog, policy });
    expect(plan.launches).toHaveLength(1);
    const cheapestFitting = catalog.filter((t) => t.allocatable.cpu >= 1024 && t.allocatable.memoryMiB >= 1536).sort((a, b) => a.pricePerHour - b.pricePerHour)[0]!;
    expect(plan.launches[0]!.type).toBe(cheapestFitting.name);
  });

  it('packs a burst of identical jobs onto few instances at close to the price of their total demand', () => {
    const burst = jobs('seg', 400, small);
    const plan = planFleet({ jobs: burst, nodes: [], catalog, policy });
    expect(plan.waiting).toEqual([]);
    expect(plan.launches.flatMap((l) => l.jobIds)).toHaveLength(400);
    // 400 vCPU of work: c7g costs ~$0.036 per vCPU-hour; allow 10 % for memory and rounding.
    const perVcpu = price('c7g.large') / 2;
    expect(plan.launchHourlyCost).toBeLessThan(400 * perVcpu * 1.1);
  });

  it('respects GPU models and gives the impossible job a reason that names the shortfall', () => {
    const gpu = jobs('dl', 2, { cpu: 4096, memoryMiB: 12000, gpu: 1 }, { constraints: { gpuModels: ['L4'] } });
    const impossible = jobs('huge', 1, { cpu: 4096, memoryMiB: 12000, gpu: 16 });
    const plan = planFleet({ jobs: [...gpu, ...impossible], nodes: [], catalog, policy });
    for (const l of plan.launches) expect(l.type.startsWith('g6.')).toBe(true);
    expect(plan.waiting).toHaveLength(1);
    expect(plan.waiting[0]!.reason.code).toBe('no-compatible-type');
    expect(plan.waiting[0]!.reason.message).toMatch(/needs .*16 GPU, which fits no instance type it may run on; the largest candidate, g\S+, offers .*8 GPU allocatable \(short on gpu\)/);
  });

  it('gives the last instance to the higher priority when maxInstances binds', () => {
    const low = jobs('low', 1, { cpu: 8192, memoryMiB: 12000, gpu: 0 }, { priority: 0, enqueuedAt: 0 });
    const high = jobs('high', 1, { cpu: 8192, memoryMiB: 12000, gpu: 0 }, { priority: 5, enqueuedAt: 50 });
    const plan = planFleet({ jobs: [...low, ...high], nodes: [], catalog, policy: { ...policy, maxInstances: 1 } });
    expect(plan.launches.flatMap((l) => l.jobIds)).toEqual(['high-0']);
    expect(plan.waiting).toEqual([{ jobId: 'low-0', reason: expect.objectContaining({ code: 'max-instances' }) }]);
  });

  it('stops buying at maxHourlyCost and says so', () => {
    const plan = planFleet({ jobs: jobs('big', 4, { cpu: 30000, memoryMiB: 100000, gpu: 0 }), nodes: [], catalog, policy: { ...policy, maxHourlyCost: 3 } });
    expect(plan.launchHourlyCost).toBeLessThanOrEqual(3);
    expect(plan.waiting.length).toBeGreaterThan(0);
    expect(plan.waiting[0]!.reason.code).toBe('max-hourly-cost');
    expect(plan.waiting[0]!.reason.message).toContain('policy.maxHourlyCost');
  });

  it('when the budget refuses a large instance, packs its jobs onto smaller ones the budget affords', () => {
    const plan = planFleet({ jobs: jobs('seg', 64, small), nodes: [], catalog, policy: { ...policy, maxHourlyCost: 1.2 } });
    expect(plan.launches.length).toBeGreaterThan(0);
    expect(plan.launchHourlyCost).toBeLessThanOrEqual(1.2);
    const launched = plan.launches.flatMap((l) => l.jobIds).length;
    // $1.2/h buys about 1.2 / (price per vCPU) one-vCPU jobs.
    expect(launched).toBeGreaterThanOrEqual(Math.floor(1.2 / (price('c7g.large') / 2)) - 2);
    expect(plan.waiting.every((w) => w.reason.code === 'max-hourly-cost')).toBe(true);
    expect(launched + plan.waiting.length).toBe(64);
  });

  it('falls back to another type when a type limit is reached, and waits when none is left', () => {
    const gpu = jobs('dl', 3, { cpu: 2048, memoryMiB: 8000, gpu: 1 });
    const limited = planFleet({ jobs: gpu, nodes: [], catalog, policy: { ...policy, typeLimits: { 'g6.*': 1 } } });
    expect(limited.launches.filter((l) => l.type.startsWith('g6.')).length).toBeLessThanOrEqual(1);
    expect(limited.waiting).toEqual([]);
    const none = planFleet({ jobs: gpu, nodes: [], catalog, policy: { ...policy, typeLimits: { 'g6.*': 0, 'g5.*': 0 } } });
    expect(none.launches).toEqual([]);
    expect(none.waiting.map((w) => w.reason.code)).toEqual(['type-limit', 'type-limit', 'type-limit']);
    expect(none.waiting[0]!.reason.message).toContain('g6.* (0)');
  });

  it('puts lower-priority jobs into room left on instances bought for higher ones', () => {
    const high = jobs('high', 1, { cpu: 2048, memoryMiB: 8000, gpu: 1 }, { priority: 1 });
    const low = jobs('low', 1, { cpu: 1024, memoryMiB: 2000, gpu: 0 });
    const plan = planFleet({ jobs: [...high, ...low], nodes: [], catalog, policy: { ...policy, maxInstances: 1 } });
    expect(plan.launches).toHaveLength(1);
    expect(plan.launches[0]!.jobIds).toEqual(['high-0', 'low-0']);
  });
});
