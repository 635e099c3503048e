import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERHEAD } from '../../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../../src/core/catalog/build-catalog.ts';
import type { InstanceType } from '../../../src/core/catalog/instance-type.ts';
import { allowsType } from '../../../src/core/planner/compatibility.ts';
import type { FleetNode, PendingJob, Plan, PlannerInput } from '../../../src/core/planner/plan-types.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import { DIMENSIONS, fits, type Resources } from '../../../src/core/resources.ts';

const catalog = buildCatalog({
  overhead: DEFAULT_OVERHEAD,
  include: ['c7g.large', 'c7g.2xlarge', 'm7i.xlarge', 'm7i.4xlarge', 'r7g.2xlarge', 'r7g.8xlarge', 'g5.xlarge', 'g5.12xlarge', 'g6.2xlarge'],
});
const byName = new Map(catalog.map((t) => [t.name, t]));

const demandArb = fc.record({
  cpu: fc.integer({ min: 1, max: 40 }).map((n) => n * 256),
  memoryMiB: fc.integer({ min: 1, max: 300 }).map((n) => n * 512),
  gpu: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }) }),
});
const constraintsArb = fc.oneof(
  fc.constant({}),
  fc.constant({ instanceTypes: ['c7g.*', 'r7g.*'] }),
  fc.constant({ architecture: 'x86_64' as const }),
  fc.constant({ gpuModels: ['A10G'] }),
  fc.constant({ instanceTypes: ['x1e.*'] }),
);
const jobArb = fc.record({ demand: demandArb, constraints: constraintsArb, priority: fc.integer({ min: 0, max: 2 }), enqueuedAt: fc.integer({ min: 0, max: 100 }) });
const nodeArb = fc.record({
  type: fc.constantFrom(...catalog.map((t) => t.name)),
  state: fc.constantFrom('registered' as const, 'launching' as const, 'draining' as const),
  usedShare: fc.double({ min: 0, max: 1, noNaN: true }),
});
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
    nodes: nodes.map((n, i): FleetNode => {
      const a = byName.get(n.type)!.allocatable;
      return { id: `i-${i}`, type: n.type, state: n.state, free: { cpu: Math.floor(a.cpu * n.usedShare), memoryMiB: Math.floor(a.memoryMiB * n.usedShare), gpu: Math.floor(a.gpu * n.usedShare) } };
    }),
    catalog,
    policy: { maxInstances, maxHourlyCost, typeLimits: limitG5 === undefined ? {} : { 'g5.*': limitG5 }, instancePenaltyPerHour: penalty },
  }));

function sum(demands: readonly Resources[]): Resources {
  const total = { cpu: 0, memoryMiB: 0, gpu: 0 };
  for (const r of demands) for (const d of DIMENSIONS) total[d] += r[d];
  return total;
}

function check(input: PlannerInput, plan: Plan): void {
  const jobs = new Map(input.jobs.map((j) => [j.id, j]));
  const nodes = new Map(input.nodes.map((n) => [n.id, n]));
  // Every job exactly once.
  const seen = [...plan.starts.map((s) => s.jobId), ...plan.bindings.map((b) => b.jobId), ...plan.launches.flatMap((l) => l.jobIds), ...plan.waiting.map((w) => w.jobId)];
  expect(seen.slice().sort()).toEqual([...jobs.keys()].sort());

  const onNode = new Map<string, PendingJob[]>();
  for (const { jobId, nodeId } of [...plan.starts, ...plan.bindings]) onNode.set(nodeId, [...(onNode.get(nodeId) ?? []), jobs.get(jobId)!]);
  for (const s of plan.starts) expect(nodes.get(s.nodeId)!.state).toBe('registered');
  for (const b of plan.bindings) expect(nodes.get(b.nodeId)!.state).toBe('launching');
  for (const [nodeId, placed] of onNode) {
    const node = nodes.get(nodeId)!;
    expect(fits(sum(placed.map((j) => j.demand)), node.free)).toBe(true);
    for (const j of placed) expect(allowsType(j.constraints, byName.get(node.type)!)).toBe(true);
  }
  for (const launch of plan.launches) {
    const type: InstanceType = byName.get(launch.type)!;
    const placed = launch.jobIds.map((id) => jobs.get(id)!);
    expect(placed.length).toBeGreaterThan(0);
    expect(fits(sum(placed.map((j) => j.demand)), type.allocatable)).toBe(true);
    for (const j of placed) expect(allowsType(j.constraints, type)).toBe(true);
  }

  // Limits: only new instances count against what was left.
  const existingCost = input.nodes.reduce((s, n) => s + byName.get(n.type)!.pricePerHour, 0);
  expect(plan.launches.length).toBeLessThanOrEqual(Math.max(0, input.policy.maxInstances - input.nodes.length));
  if (plan.launches.length > 0) expect(existingCost + plan.launchHourlyCost).toBeLessThanOrEqual(input.policy.maxHourlyCost + 1e-9);
  for (const [pattern, max] of Object.entries(input.policy.typeLimits)) {
    const existing = input.nodes.filter((n) => n.type.startsWith(pattern.replace('*', ''))).length;
    const added = plan.launches.filter((l) => l.type.startsWith(pattern.replace('*', ''))).length;
    if (added > 0) expect(existing + added).toBeLessThanOrEqual(max);
  }

  // A job said to fit nowhere really fits no allowed type.
  for (const w of plan.waiting) {
    const job = jobs.get(w.jobId)!;
    const possible = catalog.some((t) => allowsType(job.constraints, t) && fits(job.demand, t.allocatable));
    expect(w.reason.code === 'no-compatible-type').toBe(!possible);
    expect(w.reason.message.length).toBeGreaterThan(10);
  }
}

describe('planFleet invariants (property-based)', () => {
  it('places every job once, never over-commits, respects constraints and limits, explains every wait', () => {
    fc.assert(fc.property(inputArb, (input) => check(input, planFleet(input))), { numRuns: 150 });
  });

  it('is deterministic and does not depend on the order of its input', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const shuffled = { ...input, jobs: shuffle(input.jobs, seed), nodes: shuffle(input.nodes, seed + 1) };
        expect(planFleet(shuffled)).toEqual(planFleet(input));
      }),
      { numRuns: 60 },
    );
  });

  it('with a generous policy, waits only for jobs that no type can hold', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const generous = { ...input, policy: { maxInstances: 10_000, maxHourlyCost: 1e9, typeLimits: {}, instancePenaltyPerHour: 0 } };
        const plan = planFleet(generous);
        for (const w of plan.waiting) expect(w.reason.code).toBe('no-compatible-type');
      }),
      { numRuns: 100 },
    );
  });
});

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
