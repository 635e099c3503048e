import { describe, expect, it } from 'vitest';
import { retireAt } from '../../../src/core/policies/fleet-policy.ts';
import { seedLambdaPolicy } from '../../../src/core/policies/seed-lambda.ts';
import { GENEROUS, instanceType, job, node, placements } from './fixtures.ts';

const catalog = [instanceType('c.large', 2, 4, 0.08), instanceType('c.xlarge', 4, 8, 0.16), instanceType('m.2xlarge', 8, 32, 0.4)];
const policy = seedLambdaPolicy({ fixedTypes: { seg: 'c.xlarge', big: 'm.2xlarge' } });

describe('seedLambdaPolicy', () => {
  it('launches one instance per job, even when the jobs would share one', () => {
    const jobs = [job('a', 1, 1, { algorithm: 'seg' }), job('b', 1, 1, { algorithm: 'seg', enqueuedAt: 1 })];
    const plan = policy.plan({ jobs, nodes: [], catalog, policy: GENEROUS });
    expect(plan.launches).toEqual([
      { type: 'c.xlarge', jobIds: ['a'] },
      { type: 'c.xlarge', jobIds: ['b'] },
    ]);
    expect(plan.launchHourlyCost).toBeCloseTo(0.32);
  });

  it('starts on the first registered node of its algorithm type with room, never on another type nor a launching node', () => {
    const nodes = [
      node('i-1', 'm.2xlarge', 'registered', 8, 32),
      node('i-2', 'c.xlarge', 'launching', 4, 8),
      node('i-3', 'c.xlarge', 'registered', 0.5, 8),
      node('i-4', 'c.xlarge', 'registered', 2, 2),
      node('i-5', 'c.xlarge', 'registered', 4, 8),
    ];
    const jobs = [job('a', 1, 1, { algorithm: 'seg' }), job('b', 1, 1, { algorithm: 'seg', enqueuedAt: 1 }), job('c', 2, 2, { algorithm: 'seg', enqueuedAt: 2 })];
    const plan = policy.plan({ jobs, nodes, catalog, policy: GENEROUS });
    expect(placements(plan)).toEqual({ a: 'start:i-4', b: 'start:i-4', c: 'start:i-5' });
    expect(plan.bindings).toEqual([]);
  });

  it('falls back to the cheapest type that can hold a job when its algorithm has no fixed type or the type is too small', () => {
    const jobs = [job('unknown', 1, 1, { algorithm: 'ocr' }), job('none', 1, 1), job('large', 6, 8, { algorithm: 'seg' })];
    const plan = policy.plan({ jobs, nodes: [], catalog, policy: GENEROUS });
    // All enqueued at once: queue order is by id.
    expect(placements(plan)).toEqual({ large: 'launch:0:m.2xlarge', none: 'launch:1:c.large', unknown: 'launch:2:c.large' });
  });

  it('falls back when the fixed type is missing from the catalog (unavailable for now) or not allowed for the job', () => {
    const jobs = [job('a', 1, 1, { algorithm: 'gone' }), job('b', 1, 1, { algorithm: 'seg', constraints: { instanceTypes: ['m.*'] } })];
    const plan = seedLambdaPolicy({ fixedTypes: { gone: 'x.large', seg: 'c.xlarge' } }).plan({ jobs, nodes: [], catalog, policy: GENEROUS });
    expect(placements(plan)).toEqual({ a: 'launch:0:c.large', b: 'launch:1:m.2xlarge' });
  });

  it('keeps the limits and says why a job waits', () => {
    const jobs = [job('a', 1, 1, { algorithm: 'seg' }), job('b', 1, 1, { algorithm: 'seg', enqueuedAt: 1 }), job('huge', 64, 1, { algorithm: 'seg' })];
    const plan = policy.plan({ jobs, nodes: [node('i-1', 'c.large', 'draining', 2, 4)], catalog, policy: { ...GENEROUS, maxInstances: 2 } });
    expect(placements(plan)).toEqual({ a: 'launch:0:c.xlarge', b: 'wait:max-instances', huge: 'wait:no-compatible-type' });
    const costly = policy.plan({ jobs: jobs.slice(0, 1), nodes: [], catalog, policy: { ...GENEROUS, maxHourlyCost: 0.1 } });
    expect(costly.waiting[0]!.reason.code).toBe('max-hourly-cost');
    const limited = policy.plan({ jobs: jobs.slice(0, 1), nodes: [], catalog, policy: { ...GENEROUS, typeLimits: { 'c.*': 0 } } });
    expect(limited.waiting[0]!.reason).toMatchObject({ code: 'type-limit' });
    expect(limited.waiting[0]!.reason.message).toContain('c.*');
  });

  it('does not batch and retires a node after the CPU alarm: two whole 5-minute periods', () => {
    expect(policy.batch).toEqual({ idleSeconds: 0, maxSeconds: 0 });
    expect(policy.consolidation).toBe(false);
    expect(retireAt(0, policy.idle)).toBe(600);
    expect(retireAt(10, policy.idle)).toBe(900);
  });
});
