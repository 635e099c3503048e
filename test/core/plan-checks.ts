// Shared by the property-based tests of the planner and of the peer policies: the catalog and
// the random pieces their inputs are made of, and the checks every plan must pass whatever
// policy made it.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { DEFAULT_OVERHEAD } from '../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../src/core/catalog/build-catalog.ts';
import { matchesTypePattern } from '../../src/core/catalog/type-pattern.ts';
import { allowsType } from '../../src/core/planner/compatibility.ts';
import type { FleetNode, PendingJob, Plan, PlannerInput } from '../../src/core/planner/plan-types.ts';
import { DIMENSIONS, fits, type Resources } from '../../src/core/resources.ts';

export const catalog = buildCatalog({
  overhead: DEFAULT_OVERHEAD,
  include: ['c7g.large', 'c7g.2xlarge', 'm7i.xlarge', 'm7i.4xlarge', 'r7g.2xlarge', 'r7g.8xlarge', 'g5.xlarge', 'g5.12xlarge', 'g6.2xlarge'],
});
export const byName = new Map(catalog.map((t) => [t.name, t]));

export const demandArb = fc.record({
  cpu: fc.integer({ min: 1, max: 40 }).map((n) => n * 256),
  memoryMiB: fc.integer({ min: 1, max: 300 }).map((n) => n * 512),
  gpu: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }) }),
});

export const constraintsArb = fc.oneof(
  fc.constant({}),
  fc.constant({ instanceTypes: ['c7g.*', 'r7g.*'] }),
  fc.constant({ architecture: 'x86_64' as const }),
  fc.constant({ gpuModels: ['A10G'] }),
  fc.constant({ instanceTypes: ['x1e.*'] }),
);

/** A node of a catalog type with a share of its allocatable free; `fleetNode` makes it one. */
export const nodeArb = fc.record({
  type: fc.constantFrom(...catalog.map((t) => t.name)),
  state: fc.constantFrom('registered' as const, 'launching' as const, 'draining' as const),
  freeShare: fc.double({ min: 0, max: 1, noNaN: true }),
});

export function fleetNode(n: { type: string; state: FleetNode['state']; freeShare: number }, i: number): FleetNode {
  const a = byName.get(n.type)!.allocatable;
  return { id: `i-${i}`, type: n.type, state: n.state, free: { cpu: Math.floor(a.cpu * n.freeShare), memoryMiB: Math.floor(a.memoryMiB * n.freeShare), gpu: Math.floor(a.gpu * n.freeShare) } };
}

function sum(demands: readonly Resources[]): Resources {
  const total = { cpu: 0, memoryMiB: 0, gpu: 0 };
  for (const r of demands) for (const d of DIMENSIONS) total[d] += r[d];
  return total;
}

/** What holds for any valid plan of `input`: each job once, no over-commitment, constraints and limits respected, every wait explained. */
export function checkPlan(input: PlannerInput, plan: Plan): void {
  const types = new Map(input.catalog.map((t) => [t.name, t]));
  const jobs = new Map(input.jobs.map((j) => [j.id, j]));
  const nodes = new Map(input.nodes.map((n) => [n.id, n]));

  // Every job exactly once.
  const seen = [...plan.starts.map((s) => s.jobId), ...plan.bindings.map((b) => b.jobId), ...plan.launches.flatMap((l) => l.jobIds), ...plan.waiting.map((w) => w.jobId)];
  expect(seen.slice().sort()).toEqual([...jobs.keys()].sort());

  // Existing nodes: only registered ones start work, only launching ones take bindings, none beyond its free room.
  for (const s of plan.starts) expect(nodes.get(s.nodeId)!.state).toBe('registered');
  for (const b of plan.bindings) expect(nodes.get(b.nodeId)!.state).toBe('launching');
  const onNode = new Map<string, PendingJob[]>();
  for (const { jobId, nodeId } of [...plan.starts, ...plan.bindings]) onNode.set(nodeId, [...(onNode.get(nodeId) ?? []), jobs.get(jobId)!]);
  for (const [nodeId, placed] of onNode) {
    const node = nodes.get(nodeId)!;
    expect(fits(sum(placed.map((j) => j.demand)), node.free)).toBe(true);
    for (const j of placed) expect(allowsType(j.constraints, types.get(node.type)!)).toBe(true);
  }

  // New instances: never empty, never over the type's allocatable, only allowed types.
  for (const launch of plan.launches) {
    const type = types.get(launch.type)!;
    const placed = launch.jobIds.map((id) => jobs.get(id)!);
    expect(placed.length).toBeGreaterThan(0);
    expect(fits(sum(placed.map((j) => j.demand)), type.allocatable)).toBe(true);
    for (const j of placed) expect(allowsType(j.constraints, type)).toBe(true);
  }

  // Limits: existing and new together.
  const existingCost = input.nodes.reduce((s, n) => s + types.get(n.type)!.pricePerHour, 0);
  if (plan.launches.length > 0) {
    expect(input.nodes.length + plan.launches.length).toBeLessThanOrEqual(input.policy.maxInstances);
    expect(existingCost + plan.launchHourlyCost).toBeLessThanOrEqual(input.policy.maxHourlyCost + 1e-9);
  }
  for (const [pattern, max] of Object.entries(input.policy.typeLimits)) {
    const existing = input.nodes.filter((n) => matchesTypePattern(n.type, pattern)).length;
    const added = plan.launches.filter((l) => matchesTypePattern(l.type, pattern)).length;
    if (added > 0) expect(existing + added).toBeLessThanOrEqual(max);
  }

  // Every wait has a reason a human can read; "no compatible type" exactly when no type can hold the job.
  for (const w of plan.waiting) {
    const job = jobs.get(w.jobId)!;
    const possible = input.catalog.some((t) => allowsType(job.constraints, t) && fits(job.demand, t.allocatable));
    expect(w.reason.code === 'no-compatible-type').toBe(!possible);
    expect(w.reason.message.length).toBeGreaterThan(10);
  }
}

/**
 * The property tests every planning policy must pass, inside its `describe`: `check` (by
 * default `checkPlan`) on random inputs, the same plan whatever the input's order, and with a
 * generous policy waits only for jobs no type can hold.
 */
export function itPlansValidly(inputArb: fc.Arbitrary<PlannerInput>, plan: (input: PlannerInput) => Plan, check: (input: PlannerInput, plan: Plan) => void = checkPlan): void {
  it('places every job once, never over-commits, respects constraints and limits, explains every wait', () => {
    fc.assert(fc.property(inputArb, (input) => check(input, plan(input))), { numRuns: 150 });
  });

  it('is deterministic and does not depend on the order of its input', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const shuffled = { ...input, jobs: shuffle(input.jobs, seed), nodes: shuffle(input.nodes, seed + 1) };
        expect(plan(shuffled)).toEqual(plan(input));
      }),
      { numRuns: 60 },
    );
  });

  it('with a generous policy, waits only for jobs that no type can hold', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const generous = { ...input, policy: { maxInstances: 10_000, maxHourlyCost: 1e9, typeLimits: {}, instancePenaltyPerHour: 0 } };
        for (const w of plan(generous).waiting) expect(w.reason.code).toBe('no-compatible-type');
      }),
      { numRuns: 100 },
    );
  });
}

/** The items in an order given by `seed` (a fixed linear congruential generator). */
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
