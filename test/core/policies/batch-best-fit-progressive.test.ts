import { describe, expect, it } from 'vitest';
import { batchBestFitProgressivePolicy } from '../../../src/core/policies/batch-best-fit-progressive.ts';
import { GENEROUS, instanceType, job, node, placements } from './fixtures.ts';

// $/vCPU: c.large 0.05, m.2xlarge 0.04 (lowest), g.xlarge 0.25.
const catalog = [
  instanceType('c.large', 2, 4, 0.1),
  instanceType('m.2xlarge', 8, 16, 0.32),
  instanceType('g.xlarge', 4, 16, 1.0, { gpu: 1, gpuModel: 'A10G' }),
  instanceType('a.xlarge', 4, 8, 0.24, { architecture: 'arm64' }),
];
const policy = batchBestFitProgressivePolicy();

describe('batchBestFitProgressivePolicy', () => {
  it('launches the type with the lowest price per vCPU that holds the largest job, not the cheapest one', () => {
    const plan = policy.plan({ jobs: [job('a', 1, 1)], nodes: [], catalog, policy: GENEROUS });
    expect(plan.launches).toEqual([{ type: 'm.2xlarge', jobIds: ['a'] }]);
  });

  it('opens for the largest remaining job and fills first fit with the others in queue order', () => {
    const jobs = [job('a', 3, 2, { enqueuedAt: 0 }), job('b', 6, 2, { enqueuedAt: 1 }), job('c', 2, 2, { enqueuedAt: 2 }), job('d', 1, 2, { enqueuedAt: 3 })];
    const plan = policy.plan({ jobs, nodes: [], catalog, policy: GENEROUS });
    // b (6 vCPU) opens an m.2xlarge; a (3) does not fit beside it, c (2) does; a then opens the next one and d joins it.
    expect(plan.launches).toEqual([
      { type: 'm.2xlarge', jobIds: ['b', 'c'] },
      { type: 'm.2xlarge', jobIds: ['a', 'd'] },
    ]);
  });

  it('uses registered nodes first, then launching ones, first fit in queue order', () => {
    const nodes = [node('i-2', 'c.large', 'launching', 2, 4), node('i-1', 'c.large', 'registered', 1, 4), node('i-0', 'c.large', 'draining', 2, 4)];
    const jobs = [job('a', 2, 1, { enqueuedAt: 0 }), job('b', 1, 1, { enqueuedAt: 1 }), job('c', 1, 1, { enqueuedAt: 2 })];
    expect(placements(policy.plan({ jobs, nodes, catalog, policy: GENEROUS }))).toEqual({ a: 'bind:i-2', b: 'start:i-1', c: 'launch:0:m.2xlarge' });
  });

  it('only launches and fills types the job is allowed on', () => {
    const jobs = [job('gpu', 1, 1, { gpu: 1 }), job('arm', 1, 1, { constraints: { architecture: 'arm64' }, enqueuedAt: 1 }), job('any', 1, 1, { enqueuedAt: 2 })];
    const plan = policy.plan({ jobs, nodes: [], catalog, policy: GENEROUS });
    // Largest first by vCPU, then memory, then GPU: the GPU job opens g.xlarge and "any" fills it; "arm" needs its own a.xlarge.
    expect(placements(plan)).toEqual({ gpu: 'launch:0:g.xlarge', any: 'launch:0:g.xlarge', arm: 'launch:1:a.xlarge' });
  });

  it('falls back to a dearer $/vCPU type when the limits refuse the best one, and waits with the reason when none is left', () => {
    const limited = policy.plan({ jobs: [job('a', 1, 1)], nodes: [], catalog, policy: { ...GENEROUS, typeLimits: { 'm.*': 0 } } });
    expect(limited.launches).toEqual([{ type: 'c.large', jobIds: ['a'] }]);
    const poor = policy.plan({ jobs: [job('a', 1, 1)], nodes: [], catalog, policy: { ...GENEROUS, maxHourlyCost: 0.05 } });
    expect(poor.waiting).toEqual([{ jobId: 'a', reason: expect.objectContaining({ code: 'max-hourly-cost' }) }]);
  });

  it('batches as a periodic queue evaluation and scales down after 10 idle minutes (assumptions)', () => {
    expect(policy.batch).toEqual({ idleSeconds: 30, maxSeconds: 60 });
    expect(policy.idle).toEqual({ idleSeconds: 600, evaluationSeconds: 0 });
    expect(policy.consolidation).toBe(false);
  });
});
