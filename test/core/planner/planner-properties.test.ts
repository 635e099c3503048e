import fc from 'fast-check';
import { describe } from 'vitest';
import type { PlannerInput } from '../../../src/core/planner/plan-types.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import { catalog, constraintsArb, demandArb, fleetNode, itPlansValidly, nodeArb } from '../plan-checks.ts';

const jobArb = fc.record({ demand: demandArb, constraints: constraintsArb, priority: fc.integer({ min: 0, max: 2 }), enqueuedAt: fc.integer({ min: 0, max: 100 }) });
const inputArb = fc
  .record({
    jobs: fc.array(jobArb, { maxLength: 60 }),
    nodes: fc.array(nodeArb, { maxLength: 8 }),
    maxInstances: fc.integer({ min: 0, max: 40 }),
    maxHourlyCost: fc.double({ min: 0, max: 60, noNaN: true }),
    limitG5: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    penalty: fc.constantFrom(0, 0.05),
  })
  .map(({ jobs, nodes, maxInstances, maxHourlyCost, limitG5, penalty }): PlannerInput => ({
    jobs: jobs.map((j, i) => ({ id: `job-${i}`, ...j })),
    nodes: nodes.map(fleetNode),
    catalog,
    policy: { maxInstances, maxHourlyCost, typeLimits: limitG5 === undefined ? {} : { 'g5.*': limitG5 }, instancePenaltyPerHour: penalty },
  }));

describe('planFleet invariants (property-based)', () => {
  itPlansValidly(inputArb, planFleet);
});
