import { describe, expect, it } from 'vitest';
import { retireAt } from '../../../src/core/policies/fleet-policy.ts';
import { karpenterPolicy } from '../../../src/core/policies/karpenter.ts';
import { GENEROUS, instanceType, job, node, placements } from './fixtures.ts';

const catalog = [
  instanceType('s.large', 2, 4, 0.08),
  instanceType('s.xlarge', 4, 8, 0.16),
  instanceType('s.2xlarge', 8, 16, 0.32),
  instanceType('r.xlarge', 4, 32, 0.26),
  instanceType('a.xlarge', 4, 8, 0.13, { architecture: 'arm64' }),
];
const policy = karpenterPolicy();

describe('karpenterPolicy', () => {
  it('places the largest job first (first fit decreasing by cpu), whatever the queue order', () => {
    const nodes = [node('i-1', 's.xlarge', 'registered', 4, 8)];
    const jobs = [job('small', 1, 1, { enqueuedAt: 0, priority: 5 }), job('big', 4, 4, { enqueuedAt: 1 })];
    expect(placements(policy.plan({ jobs, nodes, catalog, policy: GENEROUS }))).toEqual({ big: 'start:i-1', small: 'launch:0:s.large' });
  });

  it('narrows a claim to the types that still hold all its jobs and launches the cheapest of them', () => {
    const three = [job('j1', 1, 1), job('j2', 1, 1), job('j3', 1, 1)];
    // 3 vCPU rule out s.large; of the rest a.xlarge is cheapest.
    expect(policy.plan({ jobs: three, nodes: [], catalog, policy: GENEROUS }).launches).toEqual([{ type: 'a.xlarge', jobIds: ['j1', 'j2', 'j3'] }]);
    // A job that may only run on x86_64 joins and leaves s.xlarge the cheapest.
    const withX86 = [...three, job('j4', 1, 1, { constraints: { architecture: 'x86_64' } })];
    expect(policy.plan({ jobs: withX86, nodes: [], catalog, policy: GENEROUS }).launches).toEqual([{ type: 's.xlarge', jobIds: ['j1', 'j2', 'j3', 'j4'] }]);
  });

  it('uses registered nodes, then launching ones, before making claims', () => {
    const nodes = [node('i-launching', 's.xlarge', 'launching', 4, 8), node('i-registered', 's.large', 'registered', 2, 4), node('i-draining', 's.2xlarge', 'draining', 8, 16)];
    const jobs = [job('a', 2, 2), job('b', 2, 2), job('c', 2, 2), job('d', 2, 2)];
    expect(placements(policy.plan({ jobs, nodes, catalog, policy: GENEROUS }))).toEqual({
      a: 'start:i-registered',
      b: 'bind:i-launching',
      c: 'bind:i-launching',
      d: 'launch:0:s.large',
    });
  });

  it('tries the claims of this round fewest jobs first', () => {
    // x and y need a claim each (s.2xlarge); z goes to the first made; w to the one with fewer jobs, not the first that fits.
    const jobs = [job('x', 6, 1), job('y', 6, 1), job('z', 1, 1, { enqueuedAt: 1 }), job('w', 1, 1, { enqueuedAt: 2 })];
    expect(policy.plan({ jobs, nodes: [], catalog, policy: GENEROUS }).launches).toEqual([
      { type: 's.2xlarge', jobIds: ['x', 'z'] },
      { type: 's.2xlarge', jobIds: ['y', 'w'] },
    ]);
  });

  it('keeps a claim within the limits and says why the rest waits', () => {
    const jobs = [job('j1', 1, 1), job('j2', 1, 1), job('j3', 1, 1)];
    const plan = policy.plan({ jobs, nodes: [], catalog, policy: { ...GENEROUS, maxHourlyCost: 0.1 } });
    // Only s.large fits $0.10/h: it takes two jobs; a third would need a dearer type.
    expect(placements(plan)).toEqual({ j1: 'launch:0:s.large', j2: 'launch:0:s.large', j3: 'wait:max-hourly-cost' });
    // x's claim could take z on a dearer type, but y's claim holds the rest of the budget.
    const shared = [job('x', 2, 1, { enqueuedAt: 0 }), job('y', 2, 1, { enqueuedAt: 1, constraints: { instanceTypes: ['s.large'] } }), job('z', 1, 1)];
    expect(placements(policy.plan({ jobs: shared, nodes: [], catalog, policy: { ...GENEROUS, maxHourlyCost: 0.2 } }))).toEqual({
      x: 'launch:0:s.large',
      y: 'launch:1:s.large',
      z: 'wait:max-hourly-cost',
    });
    const counted = policy.plan({ jobs: [job('big', 6, 1), job('j1', 1, 1)], nodes: [], catalog, policy: { ...GENEROUS, maxInstances: 1 } });
    expect(counted.launches).toEqual([{ type: 's.2xlarge', jobIds: ['big', 'j1'] }]);
  });

  it('batches 1 s idle / 10 s max and removes an empty node after consolidateAfter', () => {
    expect(policy.batch).toEqual({ idleSeconds: 1, maxSeconds: 10 });
    expect(policy.consolidation).toBe(false);
    expect(retireAt(7, policy.idle)).toBe(37);
  });
});
