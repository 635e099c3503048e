// "Capacity soon": a job that fits no node now waits for a registered node whose running
// tasks give room back within policy.reuseWithinSeconds, instead of getting a new instance.
import { describe, expect, it } from 'vitest';
import type { FleetNode, PlacementPolicy, Release } from '../../../src/core/planner/plan-types.ts';
import { planFleet } from '../../../src/core/planner/planner.ts';
import { GENEROUS, GiB, instanceType, job, node, placements, VCPU } from '../policies/fixtures.ts';

const catalog = [instanceType('c.large', 2, 4, 0.1), instanceType('c.xlarge', 4, 8, 0.2), instanceType('m.xlarge', 4, 16, 0.25)];
const WITHIN_45: PlacementPolicy = { ...GENEROUS, reuseWithinSeconds: 45 };

function release(inSeconds: number, vcpu: number, memoryGiB: number): Release {
  return { inSeconds, resources: { cpu: vcpu * VCPU, memoryMiB: memoryGiB * GiB, gpu: 0 } };
}

/** A node with `free` room now and these releases to come. */
function releasing(id: string, type: string, state: FleetNode['state'], freeVcpu: number, freeGiB: number, releases: readonly Release[]): FleetNode {
  return { ...node(id, type, state, freeVcpu, freeGiB), releases };
}

describe('planFleet: waiting for capacity that running tasks free soon', () => {
  const full = releasing('i-1', 'c.xlarge', 'registered', 0, 0, [release(30, 2, 4)]);

  it('waits for a registered node that frees room within the horizon, and the reason names the node', () => {
    const plan = planFleet({ jobs: [job('a', 2, 4)], nodes: [full], catalog, policy: WITHIN_45 });
    expect(plan.launches).toEqual([]);
    expect(plan.starts).toEqual([]);
    expect(plan.launchHourlyCost).toBe(0);
    expect(plan.waiting).toHaveLength(1);
    expect(plan.waiting[0]!.jobId).toBe('a');
    expect(plan.waiting[0]!.reason.code).toBe('capacity-soon');
    expect(plan.waiting[0]!.reason.message).toContain('c.xlarge i-1');
    expect(plan.waiting[0]!.reason.message).toContain('30 s');
  });

  it('counts a release due exactly at the horizon', () => {
    const atHorizon = releasing('i-1', 'c.xlarge', 'registered', 0, 0, [release(45, 2, 4)]);
    expect(placements(planFleet({ jobs: [job('a', 2, 4)], nodes: [atHorizon], catalog, policy: WITHIN_45 }))).toEqual({ a: 'wait:capacity-soon' });
  });

  it('counts an overdue release (0 s) as due', () => {
    const overdue = releasing('i-1', 'c.xlarge', 'registered', 0, 0, [release(0, 2, 4)]);
    expect(placements(planFleet({ jobs: [job('a', 2, 4)], nodes: [overdue], catalog, policy: WITHIN_45 }))).toEqual({ a: 'wait:capacity-soon' });
  });

  it('launches when the release comes later than the horizon', () => {
    const late = releasing('i-1', 'c.xlarge', 'registered', 0, 0, [release(60, 2, 4)]);
    expect(placements(planFleet({ jobs: [job('a', 2, 4)], nodes: [late], catalog, policy: WITHIN_45 }))).toEqual({ a: 'launch:0:c.large' });
  });

  it('never waits when the horizon is 0 or absent', () => {
    const jobs = [job('a', 2, 4)];
    expect(placements(planFleet({ jobs, nodes: [full], catalog, policy: { ...GENEROUS, reuseWithinSeconds: 0 } }))).toEqual({ a: 'launch:0:c.large' });
    expect('reuseWithinSeconds' in GENEROUS).toBe(false);
    expect(placements(planFleet({ jobs, nodes: [full], catalog, policy: GENEROUS }))).toEqual({ a: 'launch:0:c.large' });
  });

  it('adds up the releases due within the horizon on one node, and only those', () => {
    const twoDue = releasing('i-1', 'c.xlarge', 'registered', 0, 0, [release(10, 1, 2), release(40, 1, 2)]);
    const plan = planFleet({ jobs: [job('a', 2, 4)], nodes: [twoDue], catalog, policy: WITHIN_45 });
    expect(placements(plan)).toEqual({ a: 'wait:capacity-soon' });
    // It waits for the later of the two: the room is there only once both have freed theirs.
    expect(plan.waiting[0]!.reason.message).toContain('40 s');

    const oneDue = releasing('i-1', 'c.xlarge', 'registered', 0, 0, [release(10, 1, 2), release(60, 1, 2)]);
    expect(placements(planFleet({ jobs: [job('a', 2, 4)], nodes: [oneDue], catalog, policy: WITHIN_45 }))).toEqual({ a: 'launch:0:c.large' });
  });

  it('adds the releases to the room left free now', () => {
    const halfFree = releasing('i-1', 'c.xlarge', 'registered', 1, 2, [release(20, 1, 2)]);
    expect(placements(planFleet({ jobs: [job('a', 2, 4)], nodes: [halfFree], catalog, policy: WITHIN_45 }))).toEqual({ a: 'wait:capacity-soon' });
  });

  it('does not count a release twice: two jobs, room for one after the release', () => {
    const plan = planFleet({ jobs: [job('a', 2, 4, { enqueuedAt: 0 }), job('b', 2, 4, { enqueuedAt: 1 })], nodes: [full], catalog, policy: WITHIN_45 });
    // The older job waits for the room; the other one gets a new instance.
    expect(placements(plan)).toEqual({ a: 'wait:capacity-soon', b: 'launch:0:c.large' });
  });

  it('counts from what this round’s starts left free, not from the node’s free room before them', () => {
    // Room for one job now and one more after the release: the first starts, the second
    // waits, the third buys. Counting the release on top of the untouched free room would
    // make two of them wait.
    const node = releasing('i-1', 'c.xlarge', 'registered', 2, 4, [release(30, 2, 4)]);
    const jobs = [job('a', 2, 4, { enqueuedAt: 0 }), job('b', 2, 4, { enqueuedAt: 1 }), job('c', 2, 4, { enqueuedAt: 2 })];
    expect(placements(planFleet({ jobs, nodes: [node], catalog, policy: WITHIN_45 }))).toEqual({ a: 'start:i-1', b: 'wait:capacity-soon', c: 'launch:0:c.large' });
  });

  it('prefers room free now on a launching node over waiting for a registered one', () => {
    const launching = node('i-2', 'c.large', 'launching', 2, 4);
    expect(placements(planFleet({ jobs: [job('a', 2, 4)], nodes: [full, launching], catalog, policy: WITHIN_45 }))).toEqual({ a: 'bind:i-2' });
  });

  it('ignores the releases of launching and draining nodes', () => {
    for (const state of ['launching', 'draining'] as const) {
      const other = releasing('i-1', 'c.xlarge', state, 0, 0, [release(10, 4, 8)]);
      expect(placements(planFleet({ jobs: [job('a', 2, 4)], nodes: [other], catalog, policy: WITHIN_45 }))).toEqual({ a: 'launch:0:c.large' });
    }
  });

  it('does not wait for a node whose type the job may not run on', () => {
    const jobs = [job('a', 2, 4, { constraints: { instanceTypes: ['m.*'] } })];
    expect(placements(planFleet({ jobs, nodes: [full], catalog, policy: WITHIN_45 }))).toEqual({ a: 'launch:0:m.xlarge' });
  });

  it('does not wait when even the released room is too small for the job', () => {
    const jobs = [job('a', 4, 8)];
    expect(placements(planFleet({ jobs, nodes: [full], catalog, policy: WITHIN_45 }))).toEqual({ a: 'launch:0:c.xlarge' });
  });

  it('names the node each job waits for when several release room', () => {
    const busy = releasing('i-busy', 'c.xlarge', 'registered', 0, 0, [release(20, 2, 4)]);
    const other = releasing('i-other', 'm.xlarge', 'registered', 0, 0, [release(25, 2, 4)]);
    const plan = planFleet({ jobs: [job('a', 2, 4, { enqueuedAt: 0 }), job('b', 2, 4, { enqueuedAt: 1 })], nodes: [busy, other], catalog, policy: WITHIN_45 });
    expect(plan.launches).toEqual([]);
    const waitsFor = plan.waiting.map((w) => /i-busy|i-other/.exec(w.reason.message)?.[0]).sort();
    expect(waitsFor).toEqual(['i-busy', 'i-other']);
  });

  it('a job whose wait for released room ran out (mayWaitForRelease false) gets capacity of its own; a younger one still waits', () => {
    const spent = { ...job('old', 2, 4, { enqueuedAt: 1 }), mayWaitForRelease: false };
    const plan = planFleet({ jobs: [spent, job('new', 2, 4, { enqueuedAt: 2 })], nodes: [full], catalog, policy: WITHIN_45 });
    expect(placements(plan)).toEqual({ old: 'launch:0:c.large', new: 'wait:capacity-soon' });
  });
});

