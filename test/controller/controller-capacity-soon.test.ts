// Capacity soon: with policy.reuseWithinSeconds > 0, a job that does not fit now waits for
// a registered node whose running task (by its algorithm's run time, learnt from finished
// tasks) frees room within that horizon, instead of getting a new instance. The real
// controller, planner, sim and in-memory queue, in virtual time.
import { describe, expect, it } from 'vitest';
import type { Controller } from '../../src/controller/controller.ts';
import { stopOnVirtualClock } from '../../src/simulation/sim-world.ts';
import { buildHarness, job, type Harness } from '../daemon/sim-harness.ts';

/** One instance type, and a job that takes all its cpu: one job per node. */
const config = (reuseWithinSeconds: number): string => `
catalog: { include: ["c7g.large"] }
policy: { maxInstances: 10, maxHourlyCost: 10, reuseWithinSeconds: ${reuseWithinSeconds} }
algorithms:
  whole:
    image: whole:1
    resources: { cpu: 2048, memoryMiB: 1024 }
`;

const TASK_SECONDS = 100;

interface Setup extends Harness {
  readonly controller: Controller;
}

function setUp(reuseWithinSeconds: number, taskSeconds: number | ((jobId: string) => number) = TASK_SECONDS): Setup {
  const harness = buildHarness({ config: config(reuseWithinSeconds), taskSeconds });
  return { ...harness, controller: harness.newController() };
}

const taskOf = (s: Setup, jobId: string) => s.cloud.tasks().find((t) => t.jobId === jobId);
const launches = (s: Setup): number => s.controller.view().recentDecisions.filter((d) => d.kind === 'launch').length;

/**
 * `first` runs to the end on the one node (the controller learns the algorithm's run time);
 * then `second` starts on it; `third` arrives when `second` has about 30 s left to run.
 * Returns the node's id.
 */
async function secondRunningWithThirdQueued(s: Setup): Promise<string> {
  await s.queue.send([job('first', 'whole')]);
  s.controller.start();
  expect(await s.clock.runUntil(() => s.controller.view().recentDecisions.some((d) => d.kind === 'finished' && d.jobId === 'first'), 3600_000)).toBe(true);
  const node = taskOf(s, 'first')!.instanceId;

  await s.queue.send([job('second', 'whole')]);
  expect(await s.clock.runUntil(() => taskOf(s, 'second') !== undefined, 60_000)).toBe(true);
  expect(taskOf(s, 'second')!.instanceId).toBe(node);
  await s.clock.runFor(TASK_SECONDS * 1000 - 30_000 - (s.clock.now() - taskOf(s, 'second')!.startedAt));
  await s.queue.send([job('third', 'whole')]);
  return node;
}

describe('capacity soon (policy.reuseWithinSeconds)', () => {
  it('a job that fits a registered node about to free room waits for it (capacity-soon) and starts there without a launch', async () => {
    const s = setUp(60);
    const node = await secondRunningWithThirdQueued(s);
    expect(launches(s)).toBe(1);

    const reasonOfThird = () => s.controller.view().pending.find((p) => p.jobId === 'third')?.reason;
    expect(await s.clock.runUntil(() => reasonOfThird() !== undefined, 30_000)).toBe(true);
    expect(reasonOfThird()!.code).toBe('capacity-soon');
    expect(reasonOfThird()!.message).toContain(node);

    expect(await s.clock.runUntil(() => taskOf(s, 'third') !== undefined, 120_000)).toBe(true);
    const third = taskOf(s, 'third')!;
    expect(third.instanceId).toBe(node);
    // It started once the second job's task had stopped, within a round or two of that.
    const secondStoppedAt = taskOf(s, 'second')!.stoppedAt!;
    expect(third.startedAt).toBeGreaterThanOrEqual(secondStoppedAt);
    expect(third.startedAt - secondStoppedAt).toBeLessThanOrEqual(15_000);
    expect(s.cloud.instances()).toHaveLength(1);
    expect(launches(s)).toBe(1);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('with reuseWithinSeconds 0 the same job gets a new instance instead', async () => {
    const s = setUp(0);
    const node = await secondRunningWithThirdQueued(s);
    expect(await s.clock.runUntil(() => taskOf(s, 'third') !== undefined, 120_000)).toBe(true);
    const third = taskOf(s, 'third')!;
    expect(third.instanceId).not.toBe(node);
    // An instance was launched for it while the second job still ran: it did not wait for the busy node.
    const launchForThird = s.controller.view().recentDecisions.find((d) => d.kind === 'launch' && d.message.includes('third'));
    expect(launchForThird).toBeDefined();
    expect(launchForThird!.at).toBeLessThan(taskOf(s, 'second')!.stoppedAt!);
    expect(s.cloud.instances()).toHaveLength(2);
    expect(launches(s)).toBe(2);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('before any task of the algorithm has finished there is no run time to go by: a new instance is launched', async () => {
    const s = setUp(60);
    await s.queue.send([job('first', 'whole')]);
    s.controller.start();
    expect(await s.clock.runUntil(() => taskOf(s, 'first') !== undefined, 600_000)).toBe(true);
    // 'first' has about 30 s left, but the controller has never seen one finish.
    await s.clock.runFor(TASK_SECONDS * 1000 - 30_000);
    expect(taskOf(s, 'first')!.stoppedAt).toBeUndefined();
    await s.queue.send([job('second', 'whole')]);

    expect(await s.clock.runUntil(() => taskOf(s, 'second') !== undefined, 120_000)).toBe(true);
    expect(taskOf(s, 'second')!.instanceId).not.toBe(taskOf(s, 'first')!.instanceId);
    expect(s.cloud.instances()).toHaveLength(2);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('a job waits for released room at most reuseWithinSeconds: when the task runs far past its usual time, it gets an instance of its own', async () => {
    // 'second' runs ten times as long as 'first' taught the controller to expect.
    const s = setUp(60, (jobId) => (jobId === 'second' ? TASK_SECONDS * 10 : TASK_SECONDS));
    const node = await secondRunningWithThirdQueued(s);
    const queuedAt = s.clock.now();
    const reasonOfThird = () => s.controller.view().pending.find((p) => p.jobId === 'third')?.reason;
    expect(await s.clock.runUntil(() => reasonOfThird()?.code === 'capacity-soon', 30_000)).toBe(true);

    expect(await s.clock.runUntil(() => taskOf(s, 'third') !== undefined, 600_000)).toBe(true);
    const third = taskOf(s, 'third')!;
    expect(third.instanceId).not.toBe(node);
    expect(taskOf(s, 'second')!.stoppedAt).toBeUndefined();
    // Waited 60 s for the room, then a launch (batch window and boot, about 50 s), not the second task's 900 s left.
    expect(third.startedAt - queuedAt).toBeLessThanOrEqual((60 + 70) * 1000);
    await stopOnVirtualClock(s.clock, s.controller);
  });
});

