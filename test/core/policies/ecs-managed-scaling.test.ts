import { describe, expect, it } from 'vitest';
import { ecsManagedScalingPolicy } from '../../../src/core/policies/ecs-managed-scaling.ts';
import { retireAt } from '../../../src/core/policies/fleet-policy.ts';
import { GENEROUS, instanceType, job, node, placements } from './fixtures.ts';

// c.large is the cheapest type that holds any of the small jobs below; the group's type is r.xlarge.
const catalog = [instanceType('c.large', 2, 4, 0.08), instanceType('r.xlarge', 4, 8, 0.25), instanceType('m.2xlarge', 8, 32, 0.4)];
const policy = ecsManagedScalingPolicy({ fixedTypes: { seg: 'r.xlarge' } });

describe('ecsManagedScalingPolicy', () => {
  it('binpacks on memory: the registered node of the group with the least remaining memory that still fits', () => {
    const nodes = [
      node('i-roomy', 'r.xlarge', 'registered', 4, 8),
      node('i-tight', 'r.xlarge', 'registered', 4, 2),
      node('i-fullest', 'r.xlarge', 'registered', 4, 3),
      node('i-other-group', 'c.large', 'registered', 2, 3.5),
    ];
    const plan = policy.plan({ jobs: [job('a', 1, 3, { algorithm: 'seg' })], nodes, catalog, policy: GENEROUS });
    expect(placements(plan)).toEqual({ a: 'start:i-fullest' });
  });

  it('launches only the group type, packing the tasks left in PROVISIONING first fit decreasing by memory', () => {
    // Queue order 3, 2, 5, 3 GiB; decreasing: 5 (new 0), 3 (joins 0: 8 GiB), 3 (new 1), 2 (joins 1).
    const jobs = [
      job('a3', 1, 3, { algorithm: 'seg', enqueuedAt: 0 }),
      job('b2', 1, 2, { algorithm: 'seg', enqueuedAt: 1 }),
      job('c5', 1, 5, { algorithm: 'seg', enqueuedAt: 2 }),
      job('d3', 1, 3, { algorithm: 'seg', enqueuedAt: 3 }),
    ];
    const plan = policy.plan({ jobs, nodes: [], catalog, policy: GENEROUS });
    expect(plan.launches).toEqual([
      { type: 'r.xlarge', jobIds: ['c5', 'a3'] },
      { type: 'r.xlarge', jobIds: ['d3', 'b2'] },
    ]);
  });

  it('counts tasks toward launching instances of their group before adding new ones', () => {
    const nodes = [node('i-other', 'm.2xlarge', 'launching', 8, 32), node('i-launching', 'r.xlarge', 'launching', 2, 4)];
    const jobs = [job('a', 2, 4, { algorithm: 'seg' }), job('b', 2, 4, { algorithm: 'seg', enqueuedAt: 1 })];
    const plan = policy.plan({ jobs, nodes, catalog, policy: GENEROUS });
    expect(placements(plan)).toEqual({ a: 'bind:i-launching', b: 'launch:0:r.xlarge' });
  });

  it('keeps the limits: a task whose group type is refused waits, even when a cheaper type would be allowed', () => {
    const jobs = [job('a', 1, 1, { algorithm: 'seg' })];
    const plan = policy.plan({ jobs, nodes: [], catalog, policy: { ...GENEROUS, typeLimits: { 'r.*': 1 } } });
    expect(placements(plan)).toEqual({ a: 'launch:0:r.xlarge' });
    const limited = policy.plan({ jobs, nodes: [node('i-1', 'r.xlarge', 'draining', 4, 8)], catalog, policy: { ...GENEROUS, typeLimits: { 'r.*': 1 } } });
    expect(placements(limited)).toEqual({ a: 'wait:type-limit' });
  });

  it('evaluates every minute and scales in after 15 one-minute data points below target', () => {
    expect(policy.batch).toEqual({ idleSeconds: 60, maxSeconds: 60 });
    expect(policy.consolidation).toBe(false);
    expect(retireAt(0, policy.idle)).toBe(900);
    expect(retireAt(30, policy.idle)).toBe(960);
  });
});
