import { describe, expect, it } from 'vitest';
import type { PlannerInput } from '../../../src/core/planner/plan-types.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import { batchBestFitProgressivePolicy } from '../../../src/core/policies/batch-best-fit-progressive.ts';
import { ecsManagedScalingPolicy } from '../../../src/core/policies/ecs-managed-scaling.ts';
import { POLICY_NAMES } from '../../../src/core/policies/fleet-policy.ts';
import { karpenterPolicy } from '../../../src/core/policies/karpenter.ts';
import { fleetPolicy, type PolicyContext } from '../../../src/core/policies/policies.ts';
import { seedLambdaPolicy } from '../../../src/core/policies/seed-lambda.ts';
import { GENEROUS, instanceType, job, node } from './fixtures.ts';

const catalog = [instanceType('c.large', 2, 4, 0.08), instanceType('c.xlarge', 4, 8, 0.16), instanceType('m.2xlarge', 8, 32, 0.4)];
// Timing no peer uses, so it can only have come from the context.
const context: PolicyContext = {
  loadmaster: { batch: { idleSeconds: 7, maxSeconds: 42 }, idle: { idleSeconds: 123, evaluationSeconds: 11 }, consolidation: true },
  fixedTypes: { seg: 'm.2xlarge' },
};
const input: PlannerInput = {
  jobs: [job('a', 1, 1, { algorithm: 'seg' }), job('b', 1, 1, { algorithm: 'seg', enqueuedAt: 1 }), job('c', 3, 6, { algorithm: 'ocr', enqueuedAt: 2 })],
  nodes: [node('i-1', 'c.large', 'registered', 1, 1), node('i-2', 'c.xlarge', 'launching', 1, 2)],
  catalog,
  policy: GENEROUS,
};

describe('fleetPolicy', () => {
  it('returns the policy of each name', () => {
    expect(POLICY_NAMES).toEqual(['loadmaster', 'karpenter', 'batch-best-fit-progressive', 'ecs-managed-scaling', 'seed-lambda']);
    for (const name of POLICY_NAMES) expect(fleetPolicy(name, context).name).toBe(name);
  });

  it('gives loadmaster the batching, idle rule and consolidation of the context, and the placement planner', () => {
    const policy = fleetPolicy('loadmaster', context);
    expect(policy.batch).toEqual(context.loadmaster.batch);
    expect(policy.idle).toEqual(context.loadmaster.idle);
    expect(policy.consolidation).toBe(true);
    expect(fleetPolicy('loadmaster', { ...context, loadmaster: { ...context.loadmaster, consolidation: false } }).consolidation).toBe(false);
    expect(policy.plan(input)).toEqual(planFleet(input));
  });

  it('gives the peers their own timing, whatever the context says of loadmaster', () => {
    for (const name of POLICY_NAMES.filter((n) => n !== 'loadmaster')) {
      const policy = fleetPolicy(name, context);
      expect(policy.batch).not.toEqual(context.loadmaster.batch);
      expect(policy.idle).not.toEqual(context.loadmaster.idle);
      expect(policy.consolidation).toBe(false);
    }
  });

  it('builds each peer as its own constructor does, passing the fixed types to the policies that keep one per algorithm', () => {
    const expected = {
      karpenter: karpenterPolicy(),
      'batch-best-fit-progressive': batchBestFitProgressivePolicy(),
      'ecs-managed-scaling': ecsManagedScalingPolicy({ fixedTypes: context.fixedTypes }),
      'seed-lambda': seedLambdaPolicy({ fixedTypes: context.fixedTypes }),
    };
    for (const [name, peer] of Object.entries(expected)) {
      const policy = fleetPolicy(name as keyof typeof expected, context);
      expect({ batch: policy.batch, idle: policy.idle, consolidation: policy.consolidation }).toEqual({ batch: peer.batch, idle: peer.idle, consolidation: peer.consolidation });
      expect(policy.plan(input)).toEqual(peer.plan(input));
    }
  });

  it('the fixed types of the context decide where the one-type-per-algorithm policies launch', () => {
    const seg = { ...input, jobs: [job('a', 1, 1, { algorithm: 'seg' })], nodes: [] };
    for (const name of ['ecs-managed-scaling', 'seed-lambda'] as const) {
      expect(fleetPolicy(name, context).plan(seg).launches.map((l) => l.type)).toEqual(['m.2xlarge']);
      expect(fleetPolicy(name, { ...context, fixedTypes: { seg: 'c.xlarge' } }).plan(seg).launches.map((l) => l.type)).toEqual(['c.xlarge']);
    }
  });
});
