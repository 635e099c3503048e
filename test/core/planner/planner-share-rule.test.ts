// The share rule (policy.sharePriceRatio): a job joins a node already running others only
// while the node's price split over its jobs, the newcomer counted, is at most the ratio
// times the price of the job's own instance (plus a boot for the length of its run).
import { describe, expect, it } from 'vitest';
import type { FleetNode, PendingJob, PlacementPolicy } from '../../../src/core/planner/plan-types.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import { GENEROUS, instanceType, job, node, placements } from '../policies/fixtures.ts';

// A dear node (2.0 $/h) and the job's own type (0.1 $/h): 20 times cheaper.
const catalog = [instanceType('small', 2, 4, 0.1), instanceType('big', 32, 128, 2.0)];
const RATIO_3: PlacementPolicy = { ...GENEROUS, sharePriceRatio: 3 };

function busy(id: string, jobs: number | undefined, state: FleetNode['state'] = 'registered'): FleetNode {
  return { ...node(id, 'big', state, 16, 64), ...(jobs === undefined ? {} : { jobs }) };
}

function runs(seconds: number, j: PendingJob = job('a', 1, 2)): PendingJob {
  return { ...j, expectedRunSeconds: seconds };
}

describe('planFleet: the share rule', () => {
  it('gives a job its own instance rather than keep a dear node alive for it', () => {
    // 2.0 / (1 + 1) = 1.0 $/h per job > 3 × 0.1.
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [busy('i-1', 1)], catalog, policy: RATIO_3 }))).toEqual({ a: 'launch:0:small' });
  });

  it('joins a node that enough other jobs keep alive', () => {
    // 2.0 / (6 + 1) = 0.29 $/h per job ≤ 0.3.
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [busy('i-1', 6)], catalog, policy: RATIO_3 }))).toEqual({ a: 'start:i-1' });
  });

  it('applies to launching nodes (bindings) as to registered ones', () => {
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [busy('i-1', 1, 'launching')], catalog, policy: RATIO_3 }))).toEqual({ a: 'launch:0:small' });
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [busy('i-1', 6, 'launching')], catalog, policy: RATIO_3 }))).toEqual({ a: 'bind:i-1' });
  });

  it('counts the jobs it places itself: of a batch, those that find the node shared enough join', () => {
    // 5 jobs there: the first newcomer sees 2.0 / 6 = 0.33 > 0.3 and goes elsewhere, so none join.
    const plan = planFleet({ jobs: [job('a', 1, 2), job('b', 1, 2)], nodes: [busy('i-1', 5)], catalog, policy: RATIO_3 });
    expect(plan.starts).toEqual([]);
    // 6 jobs there: the first sees 0.29 and the class goes on together.
    const joined = planFleet({ jobs: [job('a', 1, 2), job('b', 1, 2)], nodes: [busy('i-1', 6)], catalog, policy: RATIO_3 });
    expect(placements(joined)).toEqual({ a: 'start:i-1', b: 'start:i-1' });
  });

  it('prices a short job its own boot: a 60 s job pays 120 s more for its own instance on a 120 s boot', () => {
    // Own: 0.1 × (120 + 60) / 60 = 0.3 $/h of its run, so up to 0.9 $/h per job; with 4 there: 2.0 / 5 = 0.4, it joins.
    const input = { nodes: [busy('i-1', 4)], catalog, policy: RATIO_3 };
    expect(placements(planFleet({ ...input, jobs: [runs(60)], expectedBootSeconds: 120 }))).toEqual({ a: 'start:i-1' });
    // A day-long job: the boot barely counts, 0.4 > 0.3.
    expect(placements(planFleet({ ...input, jobs: [runs(86_400)], expectedBootSeconds: 120 }))).toEqual({ a: 'launch:0:small' });
    // No boot observed yet: its own instance at its price alone.
    expect(placements(planFleet({ ...input, jobs: [runs(60)] }))).toEqual({ a: 'launch:0:small' });
    // A 5 s job: its own instance bills 125 s for 5 s of work, 25 times its price per second of work.
    expect(placements(planFleet({ ...input, jobs: [runs(5)], expectedBootSeconds: 120 }))).toEqual({ a: 'start:i-1' });
  });

  it('prices a job shorter than a minute the 60 s billing minimum of its own instance', () => {
    // A 10 s job, instant boots: its own instance bills 60 s, 0.1 × 60 / 10 = 0.6 $/h of its run;
    // joining a node with one job, 2.0 / 2 = 1.0 ≤ 3 × 0.6.
    const input = { nodes: [busy('i-1', 1)], catalog, policy: RATIO_3, expectedBootSeconds: 0 };
    expect(placements(planFleet({ ...input, jobs: [runs(10)] }))).toEqual({ a: 'start:i-1' });
    // A 100 s job: 0.1 $/h; 1.0 > 0.3, its own instance.
    expect(placements(planFleet({ ...input, jobs: [runs(100)] }))).toEqual({ a: 'launch:0:small' });
    // Run time 0 (observed as nothing): its own instance is infinitely dear per second of work.
    expect(placements(planFleet({ ...input, jobs: [runs(0)] }))).toEqual({ a: 'start:i-1' });
  });

  it('shares when the budget refuses the job its own instance', () => {
    const policy = { ...RATIO_3, maxInstances: 1 };
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [busy('i-1', 1)], catalog, policy }))).toEqual({ a: 'start:i-1' });
    const capped = { ...RATIO_3, typeLimits: { small: 0 } };
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [busy('i-1', 1)], catalog, policy: capped }))).toEqual({ a: 'start:i-1' });
  });

  it('shares when the budget runs out within the round: the launch it would have had went to a job no node can hold', () => {
    // One more instance allowed; "huge" fits no node and fills a big one, then "a" is refused its own and joins i-1.
    const huge = job('huge', 32, 8);
    const plan = planFleet({ jobs: [huge, job('a', 1, 2)], nodes: [busy('i-1', 1)], catalog, policy: { ...RATIO_3, maxInstances: 2 } });
    expect(placements(plan)).toEqual({ huge: 'launch:0:big', a: 'start:i-1' });
    // With room for both launches, "a" gets its own small instance as before.
    expect(placements(planFleet({ jobs: [huge, job('a', 1, 2)], nodes: [busy('i-1', 1)], catalog, policy: RATIO_3 }))).toEqual({ huge: 'launch:0:big', a: 'launch:1:small' });
  });

  it('lets as many jobs of a class join nodes as the budget refused their own, the oldest first', () => {
    // Three identical 1 vCPU jobs, one more instance allowed: a small holds two of them, and the
    // budget refuses the third its own. So one joins the dear node: the oldest, as always.
    const jobs = ['a', 'b', 'c'].map((id, i) => job(id, 1, 2, { enqueuedAt: i }));
    const plan = planFleet({ jobs, nodes: [busy('i-1', 1)], catalog, policy: { ...RATIO_3, maxInstances: 2 } });
    expect(placements(plan)).toEqual({ a: 'start:i-1', b: 'launch:0:small', c: 'launch:0:small' });
    // With room for a second small, nobody is refused, and nobody joins the dear node.
    expect(placements(planFleet({ jobs: [...jobs, job('d', 1, 2, { enqueuedAt: 3 })], nodes: [busy('i-1', 1)], catalog, policy: RATIO_3 }))).toEqual({
      a: 'launch:0:small',
      b: 'launch:0:small',
      c: 'launch:1:small',
      d: 'launch:1:small',
    });
  });

  it('spends those exemptions only after the nodes the rule lets the class join', () => {
    // From a review: "a" (a 30 s run) may join the medium i-med under the rule, and "b" with it;
    // "c" is refused its own instance ("hi" takes the last one) and may then join the dear i-big.
    // Spending the exemption on i-big first would leave "b" and "c" waiting.
    const cat = [instanceType('small', 2, 4, 0.1), instanceType('medium', 8, 32, 0.5), instanceType('big', 32, 128, 2.0)];
    const nodes: FleetNode[] = [
      { ...node('i-big', 'big', 'registered', 6, 24), jobs: 0 },
      { ...node('i-med', 'medium', 'registered', 2, 8), jobs: 0 },
    ];
    const jobs: PendingJob[] = [
      { ...job('a', 1, 2, { enqueuedAt: 0 }), expectedRunSeconds: 30 },
      { ...job('b', 1, 2, { enqueuedAt: 1 }), expectedRunSeconds: 600 },
      { ...job('c', 1, 2, { enqueuedAt: 2 }), expectedRunSeconds: 600 },
      { ...job('hi', 2, 4, { enqueuedAt: 3, priority: 1 }), constraints: { instanceTypes: ['small'] } },
    ];
    const plan = planFleet({ jobs, nodes, catalog: cat, policy: { ...RATIO_3, maxInstances: 3 } });
    expect(placements(plan)).toEqual({ a: 'start:i-med', b: 'start:i-med', c: 'start:i-big', hi: 'launch:0:small' });
  });

  it('places each refused job where the rule lets it join, by its own run time, before spending an exemption', () => {
    // From a review: "a1" (no run time) may join only the small i-x; "a2" (30 s: its own instance
    // would bill twice its run) may also join i-mid. The budget refuses one of them ("hi" takes the
    // last instance). a2 must not be put alone on the empty, dear i-dear while i-mid lets it in.
    const cat = [instanceType('small', 2, 4, 0.1), instanceType('big', 32, 128, 2.0)];
    const nodes: FleetNode[] = [
      { ...node('i-dear', 'big', 'registered', 1, 2), jobs: 0 },
      { ...node('i-mid', 'big', 'registered', 2, 4), jobs: 3 },
      { ...node('i-x', 'small', 'registered', 1, 2), jobs: 1 },
    ];
    const jobs: PendingJob[] = [
      job('a1', 1, 2, { enqueuedAt: 0 }),
      { ...job('a2', 1, 2, { enqueuedAt: 1 }), expectedRunSeconds: 30 },
      { ...job('hi', 2, 4, { enqueuedAt: 2, priority: 1 }), constraints: { instanceTypes: ['small'] } },
    ];
    const plan = planFleet({ jobs, nodes, catalog: cat, policy: { ...RATIO_3, maxInstances: 4 } });
    expect(placements(plan)).toEqual({ a1: 'start:i-x', a2: 'start:i-mid', hi: 'launch:0:small' });
  });

  it('goes on placing jobs the rule lets in by their own run time after the exemptions are spent', () => {
    // From a review: the budget leaves 0.1 USD/h, one small. "a1" (no run time) is refused its
    // own and spends the one exemption on i-a; "a2" (30 s) may join i-b under the rule, which
    // leaves the small for "hi" and "b" (small only).
    const cat = [instanceType('small', 2, 4, 0.1), instanceType('big', 32, 128, 2.0)];
    const nodes: FleetNode[] = [
      { ...node('i-a', 'big', 'registered', 1, 2), jobs: 4 },
      { ...node('i-b', 'big', 'registered', 1, 2), jobs: 2 },
    ];
    const jobs: PendingJob[] = [
      job('hi', 1, 2, { enqueuedAt: 0, priority: 1 }),
      job('a1', 1, 2, { enqueuedAt: 1 }),
      { ...job('a2', 1, 2, { enqueuedAt: 2 }), expectedRunSeconds: 30 },
      { ...job('b', 1, 2, { enqueuedAt: 3 }), constraints: { instanceTypes: ['small'] } },
    ];
    const plan = planFleet({ jobs, nodes, catalog: cat, policy: { ...RATIO_3, maxHourlyCost: 4.1 }, expectedBootSeconds: 120 });
    expect(placements(plan)).toEqual({ a1: 'start:i-a', a2: 'start:i-b', hi: 'launch:0:small', b: 'launch:0:small' });
  });

  it('lets only as many join as were refused, on launching nodes too, and lets them wait for room there', () => {
    const jobs = ['a', 'b', 'c'].map((id, i) => job(id, 1, 2, { enqueuedAt: i }));
    const policy = { ...RATIO_3, maxInstances: 3 };
    // Two dear nodes, one job refused: one joins, the other two share a small.
    const two = planFleet({ jobs, nodes: [busy('i-1', 1), busy('i-3', 1)], catalog, policy });
    expect(placements(two)).toEqual({ a: 'start:i-1', b: 'launch:0:small', c: 'launch:0:small' });
    // The same with the dear nodes still launching: bound to one of them.
    const launching = planFleet({ jobs, nodes: [busy('i-1', 1, 'launching'), busy('i-3', 1, 'launching')], catalog, policy });
    expect(placements(launching)).toEqual({ a: 'bind:i-1', b: 'launch:0:small', c: 'launch:0:small' });
    // A dear node with no room now but room within the horizon: the refused job waits for it.
    const full: FleetNode = { ...node('i-1', 'big', 'registered', 0, 0), jobs: 1, releases: [{ inSeconds: 10, resources: { cpu: 1024, memoryMiB: 2048, gpu: 0 } }] };
    const soon = planFleet({ jobs, nodes: [full], catalog, policy: { ...RATIO_3, maxInstances: 2, reuseWithinSeconds: 120 } });
    expect(placements(soon)).toEqual({ a: 'wait:capacity-soon', b: 'launch:0:small', c: 'launch:0:small' });
  });

  it('a refused job that may not wait for room is not passed over by a younger one of its class', () => {
    // From a review's fuzzing: "j0" may no longer wait for released room, "j2" runs a day; the
    // budget allows one more instance, which the priority-1 job "j1" takes. i-0 has room for
    // two 1 vCPU jobs now. j0, the oldest of its class, must get one of them.
    const cat = [instanceType('small', 2, 4, 0.1), instanceType('big', 32, 128, 2.0)];
    const i0: FleetNode = { ...node('i-0', 'big', 'registered', 3, 8), jobs: 5, releases: [{ inSeconds: 26, resources: { cpu: 1024, memoryMiB: 4096, gpu: 0 } }] };
    const i1: FleetNode = { ...node('i-1', 'small', 'registered', 0, 1), jobs: 3, releases: [{ inSeconds: 56, resources: { cpu: 1024, memoryMiB: 2048, gpu: 0 } }] };
    const jobs: PendingJob[] = [
      { ...job('j0', 1, 2, { enqueuedAt: 0 }), mayWaitForRelease: false },
      job('j1', 2, 4, { enqueuedAt: 1, priority: 1 }),
      { ...job('j2', 2, 4, { enqueuedAt: 2 }), expectedRunSeconds: 86_400 },
      job('j3', 1, 2, { enqueuedAt: 3 }),
    ];
    const plan = planFleet({ jobs, nodes: [i0, i1], catalog: cat, policy: { ...RATIO_3, maxInstances: 3, reuseWithinSeconds: 120 }, expectedBootSeconds: 120 });
    const where = placements(plan);
    expect(where['j0']).toBe('start:i-0');
    expect(Object.keys(where).sort()).toEqual(['j0', 'j1', 'j2', 'j3']);
  });

  it('keeps priority order when the budget runs out: the job refused its own instance takes the room before a lower-priority one', () => {
    // i-1 has room for one 2 vCPU job. "h" (priority 1) would rather have a small of its own;
    // "l" (priority 0) may only use big, so joining i-1 suits it; "huge" (priority 2) takes the last instance.
    const room: FleetNode = { ...busy('i-1', 1), free: { cpu: 2 * 1024, memoryMiB: 4 * 1024, gpu: 0 } };
    const jobs = [job('huge', 32, 8, { priority: 2 }), job('h', 2, 4, { priority: 1 }), { ...job('l', 2, 4), constraints: { instanceTypes: ['big'] } }];
    const plan = planFleet({ jobs, nodes: [room], catalog, policy: { ...RATIO_3, maxInstances: 2 } });
    expect(placements(plan)).toEqual({ huge: 'launch:0:big', h: 'start:i-1', l: 'wait:max-instances' });
  });

  it('leaves nodes that report no job count alone, and is off at ratio 0 or without one', () => {
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [busy('i-1', undefined)], catalog, policy: RATIO_3 }))).toEqual({ a: 'start:i-1' });
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [busy('i-1', 1)], catalog, policy: { ...GENEROUS, sharePriceRatio: 0 } }))).toEqual({ a: 'start:i-1' });
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [busy('i-1', 1)], catalog, policy: GENEROUS }))).toEqual({ a: 'start:i-1' });
  });

  it('compares with the cheapest type the job may use, not the cheapest in the catalog', () => {
    // Only "big" may hold it: its own instance is a big one, so joining the big node is cheaper.
    const bigOnly = { ...job('a', 1, 2), constraints: { instanceTypes: ['big'] } };
    expect(placements(planFleet({ jobs: [bigOnly], nodes: [busy('i-1', 1)], catalog, policy: RATIO_3 }))).toEqual({ a: 'start:i-1' });
  });

  it('takes a node it may join further down the fullest-first order', () => {
    const fuller = { ...busy('i-1', 1), free: { cpu: 1024, memoryMiB: 2048, gpu: 0 } };
    const plan = planFleet({ jobs: [job('a', 1, 2)], nodes: [fuller, busy('i-2', 9)], catalog, policy: RATIO_3 });
    expect(placements(plan)).toEqual({ a: 'start:i-2' });
  });

  it('keeps a job from waiting for room on a node it may not join (capacity soon)', () => {
    const full: FleetNode = { ...busy('i-1', 1), free: { cpu: 0, memoryMiB: 0, gpu: 0 }, releases: [{ inSeconds: 10, resources: { cpu: 1024, memoryMiB: 2048, gpu: 0 } }] };
    const policy = { ...RATIO_3, reuseWithinSeconds: 45 };
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [full], catalog, policy }))).toEqual({ a: 'launch:0:small' });
    expect(placements(planFleet({ jobs: [job('a', 1, 2)], nodes: [{ ...full, jobs: 9 }], catalog, policy }))).toEqual({ a: 'wait:capacity-soon' });
  });
});
