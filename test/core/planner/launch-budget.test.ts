// The launch budget: what maxInstances, maxHourlyCost and typeLimits leave for new instances,
// counting every node of the fleet, including nodes of a type the catalog leaves out for a while.
import { describe, expect, it } from 'vitest';
import { launchBudget } from '../../../src/core/planner/launch-budget.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import { GENEROUS, instanceType, job, node } from '../policies/fixtures.ts';

const catalog = [instanceType('c.large', 2, 4, 0.1), instanceType('c.xlarge', 4, 8, 0.2)];

describe('launchBudget', () => {
  it('charges a node at the price it carries when its type is not in the catalog (avoided for a while)', () => {
    const avoided = { ...node('i-1', 'g.large', 'registered', 0, 0), pricePerHour: 5 };
    const budget = launchBudget({ jobs: [], nodes: [avoided], catalog, policy: { ...GENEROUS, maxHourlyCost: 5.15 } });
    expect(budget.cost).toBeCloseTo(0.15);
    expect(budget.instances).toBe(GENEROUS.maxInstances - 1);
  });

  it('falls back to the catalog price, and to 0 for an unknown type with no price of its own', () => {
    const budget = launchBudget({ jobs: [], nodes: [node('i-1', 'c.xlarge', 'registered', 0, 0), node('i-2', 'x.unknown', 'registered', 0, 0)], catalog, policy: { ...GENEROUS, maxHourlyCost: 1 } });
    expect(budget.cost).toBeCloseTo(0.8);
  });

  it('so the planner keeps to maxHourlyCost while such a node runs: the job waits instead of overspending', () => {
    const avoided = { ...node('i-1', 'g.large', 'registered', 0, 0), pricePerHour: 5 };
    const plan = planFleet({ jobs: [job('a', 2, 4)], nodes: [avoided], catalog, policy: { ...GENEROUS, maxHourlyCost: 5.05 } });
    expect(plan.launches).toEqual([]);
    expect(plan.waiting.map((w) => w.reason.code)).toEqual(['max-hourly-cost']);
  });
});
