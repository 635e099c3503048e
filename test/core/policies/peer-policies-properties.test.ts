import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowsType } from '../../../src/core/planner/compatibility.ts';
import type { PendingJob, Plan, PlannerInput } from '../../../src/core/planner/plan-types.ts';
import { batchBestFitProgressivePolicy } from '../../../src/core/policies/batch-best-fit-progressive.ts';
import { ecsManagedScalingPolicy } from '../../../src/core/policies/ecs-managed-scaling.ts';
import type { FleetPolicy } from '../../../src/core/policies/fleet-policy.ts';
import { karpenterPolicy } from '../../../src/core/policies/karpenter.ts';
import { seedLambdaPolicy } from '../../../src/core/policies/seed-lambda.ts';
import { fits } from '../../../src/core/resources.ts';
import { byName, catalog, checkPlan, constraintsArb, demandArb, fleetNode, itPlansValidly, nodeArb } from '../plan-checks.ts';

// "ocr" has no fixed type (its jobs fall back); "gpu" is pinned to a GPU type its larger jobs outgrow.
const fixedTypes = { seg: 'c7g.2xlarge', stitch: 'r7g.2xlarge', gpu: 'g5.xlarge' };

const policies: readonly FleetPolicy[] = [seedLambdaPolicy({ fixedTypes }), ecsManagedScalingPolicy({ fixedTypes }), batchBestFitProgressivePolicy(), karpenterPolicy()];

const jobArb = fc.record({
  demand: demandArb,
  constraints: constraintsArb,
  priority: fc.integer({ min: 0, max: 2 }),
  enqueuedAt: fc.integer({ min: 0, max: 100 }),
  algorithm: fc.option(fc.constantFrom('seg', 'stitch', 'gpu', 'ocr'), { nil: undefined }),
});
const inputArb = fc
  .record({
    jobs: fc.array(jobArb, { maxLength: 60 }),
    nodes: fc.array(nodeArb, { maxLength: 8 }),
    maxInstances: fc.integer({ min: 0, max: 40 }),
    // Tight budgets too, so that the limits bind while instances are being filled.
    maxHourlyCost: fc.oneof(fc.double({ min: 0, max: 60, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true })),
    typeLimits: fc.constantFrom<Readonly<Record<string, number>>>({}, { 'g5.*': 1 }, { 'g5.*': 0, 'c7g.2xlarge': 2 }, { '*.2xlarge': 3 }),
  })
  .map(({ jobs, nodes, maxInstances, maxHourlyCost, typeLimits }): PlannerInput => ({
    jobs: jobs.map(({ algorithm, ...j }, i): PendingJob => ({ id: `job-${i}`, ...j, ...(algorithm === undefined ? {} : { algorithm }) })),
    nodes: nodes.map(fleetNode),
    catalog,
    policy: { maxInstances, maxHourlyCost, typeLimits, instancePenaltyPerHour: 0 },
  }));

/** The checks for any plan, and the peer policies' plans state their launches' cost. */
function check(input: PlannerInput, plan: Plan): void {
  checkPlan(input, plan);
  expect(plan.launchHourlyCost).toBeCloseTo(plan.launches.reduce((s, l) => s + byName.get(l.type)!.pricePerHour, 0), 9);
}

describe.each(policies.map((p) => [p.name, p] as const))('%s invariants (property-based)', (_name, policy) => {
  itPlansValidly(inputArb, (input) => policy.plan(input), check);
});

describe('distinctive rules hold on random inputs', () => {
  it('seed-lambda never binds to a launching node and launches one instance per job', () => {
    const seed = policies[0]!;
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = seed.plan(input);
        expect(plan.bindings).toEqual([]);
        for (const l of plan.launches) expect(l.jobIds).toHaveLength(1);
      }),
      { numRuns: 100 },
    );
  });

  it('ecs-managed-scaling launches for a job only its algorithm type, unless that type cannot hold it', () => {
    const ecs = policies[1]!;
    fc.assert(
      fc.property(inputArb, (input) => {
        const jobs = new Map(input.jobs.map((j) => [j.id, j]));
        for (const l of ecs.plan(input).launches) {
          for (const id of l.jobIds) {
            const job = jobs.get(id)!;
            const fixed = job.algorithm === undefined ? undefined : byName.get((fixedTypes as Record<string, string>)[job.algorithm] ?? '');
            if (fixed && allowsType(job.constraints, fixed) && fits(job.demand, fixed.allocatable)) expect(l.type).toBe(fixed.name);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
