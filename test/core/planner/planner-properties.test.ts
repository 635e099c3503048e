import fc from 'fast-check';
import { describe } from 'vitest';
import type { PlannerInput } from '../../../src/core/planner/plan-types.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import { catalog, constraintsArb, demandArb, fleetNode, itPlansValidly, nodeArb } from '../plan-checks.ts';

const jobArb = fc.record(
  {
    demand: demandArb,
    constraints: constraintsArb,
    priority: fc.integer({ min: 0, max: 2 }),
    enqueuedAt: fc.integer({ min: 0, max: 100 }),
    expectedRunSeconds: fc.integer({ min: 1, max: 100_000 }),
  },
  { requiredKeys: ['demand', 'constraints', 'priority', 'enqueuedAt'] },
);
const inputArb = fc
  .record({
    jobs: fc.array(jobArb, { maxLength: 60 }),
    nodes: fc.array(nodeArb, { maxLength: 8 }),
    maxInstances: fc.integer({ min: 0, max: 40 }),
    maxHourlyCost: fc.double({ min: 0, max: 60, noNaN: true }),
    limitG5: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    penalty: fc.constantFrom(0, 0.05),
    // The share rule: off, or on with node job counts (some unknown) and maybe a boot estimate.
    sharePriceRatio: fc.constantFrom(0, 1, 3),
    nodeJobs: fc.array(fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }), { minLength: 8, maxLength: 8 }),
    boot: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  })
  .map(({ jobs, nodes, maxInstances, maxHourlyCost, limitG5, penalty, sharePriceRatio, nodeJobs, boot }): PlannerInput => ({
    jobs: jobs.map((j, i) => ({ id: `job-${i}`, ...j })),
    nodes: nodes.map((n, i) => ({ ...fleetNode(n, i), ...(nodeJobs[i] === undefined ? {} : { jobs: nodeJobs[i] }) })),
    catalog,
    policy: { maxInstances, maxHourlyCost, typeLimits: limitG5 === undefined ? {} : { 'g5.*': limitG5 }, instancePenaltyPerHour: penalty, sharePriceRatio },
    ...(boot === undefined ? {} : { expectedBootSeconds: boot }),
  }));

describe('planFleet invariants (property-based)', () => {
  itPlansValidly(inputArb, planFleet);
});
