import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERHEAD } from '../../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../../src/core/catalog/build-catalog.ts';
import { matchesTypePattern } from '../../../src/core/catalog/type-pattern.ts';
import { allowsType } from '../../../src/core/planner/compatibility.ts';
import type { FleetNode, PendingJob, Plan, PlannerInput } from '../../../src/core/planner/plan-types.ts';
import { batchBestFitProgressivePolicy } from '../../../src/core/policies/batch-best-fit-progressive.ts';
import { ecsManagedScalingPolicy } from '../../../src/core/policies/ecs-managed-scaling.ts';
import type { FleetPolicy } from '../../../src/core/policies/fleet-policy.ts';
import { karpenterPolicy } from '../../../src/core/policies/karpenter.ts';
import { seedLambdaPolicy } from '../../../src/core/policies/seed-lambda.ts';
import { DIMENSIONS, fits, type Resources } from '../../../src/core/resources.ts';

const catalog = buildCatalog({
  overhead: DEFAULT_OVERHEAD,
  include: ['c7g.large', 'c7g.2xlarge', 'm7i.xlarge', 'm7i.4xlarge', 'r7g.2xlarge', 'r7g.8xlarge', 'g5.xlarge', 'g5.12xlarge', 'g6.2xlarge'],
});
const byName = new Map(catalog.map((t) => [t.name, t]));
// "ocr" has no fixed type (its jobs fall back); "gpu" is pinned to a GPU type its larger jobs outgrow.
const fixedTypes = { seg: 'c7g.2xlarge', stitch: 'r7g.2xlarge', gpu: 'g5.xlarge' };

const policies: readonly FleetPolicy[] = [seedLambdaPolicy({ fixedTypes }), ecsManagedScalingPolicy({ fixedTypes }), batchBestFitProgressivePolicy(), karpenterPolicy()];

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
const jobArb = fc.record({
  demand: demandArb,
  constraints: constraintsArb,
  priority: fc.integer({ min: 0, max: 2 }),
  enqueuedAt: fc.integer({ min: 0, max: 100 }),
  algorithm: fc.option(fc.constantFrom('seg', 'stitch', 'gpu', 'ocr'), { nil: undefined }),
});
const nodeArb = fc.record({
  type: fc.constantFrom(...catalog.map((t) => t.name)),
  state: fc.constantFrom('registered' as const, 'launching' as const, 'draining' as const),
  freeShare: fc.double({ min: 0, max: 1, noNaN: true }),
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
    nodes: nodes.map((n, i): FleetNode => {
      const a = byName.get(n.type)!.allocatable;
      return { id: `i-${i}`, type: n.type, state: n.state, free: { cpu: Math.floor(a.cpu * n.freeShare), memoryMiB: Math.floor(a.memoryMiB * n.freeShare), gpu: Math.floor(a.gpu * n.freeShare) } };
    }),
    catalog,
    policy: { maxInstances, maxHourlyCost, typeLimits, instancePenaltyPerHour: 0 },
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

  // Existing nodes: only registered ones start work, only launching ones take bindings, none beyond its free room.
  for (const s of plan.starts) expect(nodes.get(s.nodeId)!.state).toBe('registered');
  for (const b of plan.bindings) expect(nodes.get(b.nodeId)!.state).toBe('launching');
  const onNode = new Map<string, PendingJob[]>();
  for (const { jobId, nodeId } of [...plan.starts, ...plan.bindings]) onNode.set(nodeId, [...(onNode.get(nodeId) ?? []), jobs.get(jobId)!]);
  for (const [nodeId, placed] of onNode) {
    const node = nodes.get(nodeId)!;
    expect(fits(sum(placed.map((j) => j.demand)), node.free)).toBe(true);
    for (const j of placed) expect(allowsType(j.constraints, byName.get(node.type)!)).toBe(true);
  }

  // New instances: never empty, never over the type's allocatable, only allowed types.
  for (const launch of plan.launches) {
    const type = byName.get(launch.type)!;
    const placed = launch.jobIds.map((id) => jobs.get(id)!);
    expect(placed.length).toBeGreaterThan(0);
    expect(fits(sum(placed.map((j) => j.demand)), type.allocatable)).toBe(true);
    for (const j of placed) expect(allowsType(j.constraints, type)).toBe(true);
  }
  expect(plan.launchHourlyCost).toBeCloseTo(plan.launches.reduce((s, l) => s + byName.get(l.type)!.pricePerHour, 0), 9);

  // Limits: existing and new together.
  const existingCost = input.nodes.reduce((s, n) => s + byName.get(n.type)!.pricePerHour, 0);
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
    const possible = catalog.some((t) => allowsType(job.constraints, t) && fits(job.demand, t.allocatable));
    expect(w.reason.code === 'no-compatible-type').toBe(!possible);
    expect(w.reason.message.length).toBeGreaterThan(10);
  }
}

describe.each(policies.map((p) => [p.name, p] as const))('%s invariants (property-based)', (_name, policy) => {
  it('places every job once, never over-commits, respects constraints and limits, explains every wait', () => {
    fc.assert(fc.property(inputArb, (input) => check(input, policy.plan(input))), { numRuns: 150 });
  });

  it('is deterministic and does not depend on the order of its input', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const shuffled = { ...input, jobs: shuffle(input.jobs, seed), nodes: shuffle(input.nodes, seed + 1) };
        expect(policy.plan(shuffled)).toEqual(policy.plan(input));
      }),
      { numRuns: 60 },
    );
  });

  it('with a generous policy, waits only for jobs that no type can hold', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const generous = { ...input, policy: { maxInstances: 10_000, maxHourlyCost: 1e9, typeLimits: {}, instancePenaltyPerHour: 0 } };
        for (const w of policy.plan(generous).waiting) expect(w.reason.code).toBe('no-compatible-type');
      }),
      { numRuns: 100 },
    );
  });
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
