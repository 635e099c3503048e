// Properties of waiting for capacity that registered nodes' running tasks free soon.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERHEAD } from '../../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../../src/core/catalog/build-catalog.ts';
import { allowsType } from '../../../src/core/planner/compatibility.ts';
import type { FleetNode, PendingJob, PlannerInput } from '../../../src/core/planner/plan-types.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import { add, DIMENSIONS, fits, ZERO, type Resources } from '../../../src/core/resources.ts';

const catalog = buildCatalog({ overhead: DEFAULT_OVERHEAD, include: ['c7g.large', 'c7g.2xlarge', 'm7i.xlarge', 'r7g.2xlarge', 'g5.xlarge', 'g6.2xlarge'] });
const byName = new Map(catalog.map((t) => [t.name, t]));

const demandArb = fc.record({
  cpu: fc.integer({ min: 1, max: 8 }).map((n) => n * 256),
  memoryMiB: fc.integer({ min: 1, max: 16 }).map((n) => n * 512),
  gpu: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
});
const constraintsArb = fc.oneof(fc.constant({}), fc.constant({ instanceTypes: ['c7g.*'] }), fc.constant({ architecture: 'x86_64' as const }));
const jobArb = fc.record({ demand: demandArb, constraints: constraintsArb, priority: fc.integer({ min: 0, max: 1 }), enqueuedAt: fc.integer({ min: 0, max: 50 }) });
// Whole percent: fc.double would cluster at 0 and 1 and rarely leave room to wait for.
const share = fc.integer({ min: 0, max: 100 }).map((percent) => percent / 100);
const nodeArb = fc.record({
  type: fc.constantFrom(...catalog.map((t) => t.name)),
  state: fc.constantFrom('registered' as const, 'registered' as const, 'launching' as const, 'draining' as const),
  freeShare: share,
  releases: fc.array(fc.record({ inSeconds: fc.integer({ min: 0, max: 120 }), share }), { minLength: 1, maxLength: 3 }),
});
const inputArb = fc
  .record({
    jobs: fc.array(jobArb, { maxLength: 40, size: 'max' }),
    nodes: fc.array(nodeArb, { minLength: 1, maxLength: 8 }),
    maxInstances: fc.integer({ min: 0, max: 30 }),
    horizon: fc.constantFrom(0, 30, 45, 90),
  })
  .map(({ jobs, nodes, maxInstances, horizon }): PlannerInput => ({
    jobs: jobs.map((j, i) => ({ id: `job-${i}`, ...j })),
    nodes: nodes.map((n, i): FleetNode => {
      const a = byName.get(n.type)!.allocatable;
      const part = (s: number): Resources => ({ cpu: Math.floor(a.cpu * s), memoryMiB: Math.floor(a.memoryMiB * s), gpu: Math.floor(a.gpu * s) });
      // Free now plus everything released never exceeds the type: releases are a share of what is in use.
      const used = 1 - n.freeShare;
      const releases = n.releases.map((r) => ({ inSeconds: r.inSeconds, resources: part((used * r.share) / n.releases.length) }));
      return { id: `i-${i}`, type: n.type, state: n.state, free: part(n.freeShare), releases };
    }),
    catalog,
    policy: { maxInstances, maxHourlyCost: 1000, typeLimits: {}, instancePenaltyPerHour: 0, reuseWithinSeconds: horizon },
  }));

function sum(demands: readonly Resources[]): Resources {
  return demands.reduce(add, ZERO);
}

describe('planFleet with expected releases (property-based)', () => {
  it('a job waits only for a registered node of a type it may use, whose room now plus releases due within the horizon holds it and everything started there', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planFleet(input);
        const jobs = new Map(input.jobs.map((j) => [j.id, j]));
        const seen = [...plan.starts, ...plan.bindings].map((p) => p.jobId).concat(plan.launches.flatMap((l) => l.jobIds), plan.waiting.map((w) => w.jobId));
        expect(seen.slice().sort()).toEqual([...jobs.keys()].sort());

        const horizon = input.policy.reuseWithinSeconds ?? 0;
        const waitingFor = new Map<string, PendingJob[]>();
        for (const w of plan.waiting.filter((w) => w.reason.code === 'capacity-soon')) {
          expect(horizon).toBeGreaterThan(0);
          const named = input.nodes.filter((n) => new RegExp(`\\b${n.id}\\b`).test(w.reason.message));
          expect(named).toHaveLength(1);
          waitingFor.set(named[0]!.id, [...(waitingFor.get(named[0]!.id) ?? []), jobs.get(w.jobId)!]);
        }
        for (const [nodeId, waiting] of waitingFor) {
          const node = input.nodes.find((n) => n.id === nodeId)!;
          expect(node.state).toBe('registered');
          for (const j of waiting) expect(allowsType(j.constraints, byName.get(node.type)!)).toBe(true);
          const started = plan.starts.filter((s) => s.nodeId === nodeId).map((s) => jobs.get(s.jobId)!);
          const soon = (node.releases ?? []).filter((r) => r.inSeconds <= horizon).map((r) => r.resources);
          const room = sum([node.free, ...soon]);
          const needed = sum([...started, ...waiting].map((j) => j.demand));
          expect(fits(needed, room), `${DIMENSIONS.map((d) => `${d} ${needed[d]}/${room[d]}`).join(', ')} on ${nodeId}`).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('releases change nothing with no horizon, and never change what starts or binds now', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const withoutReleases = { ...input, nodes: input.nodes.map(({ releases: _, ...n }) => n) };
        const noHorizon = { ...input, policy: { ...input.policy, reuseWithinSeconds: 0 } };
        expect(planFleet(noHorizon)).toEqual(planFleet({ ...withoutReleases, policy: noHorizon.policy }));
        const plan = planFleet(input);
        const reference = planFleet(noHorizon);
        expect(plan.starts).toEqual(reference.starts);
        expect(plan.bindings).toEqual(reference.bindings);
      }),
      { numRuns: 100 },
    );
  });
});
