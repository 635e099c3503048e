// controller.learnIdleSeconds: per type, an empty node is kept only as long as keeping empty
// nodes has paid so far (IdleGaps), at most idleSeconds. The real controller, planner, sim and
// in-memory queue, in virtual time.
import { describe, expect, it } from 'vitest';
import { stopOnVirtualClock } from '../../src/simulation/sim-world.ts';
import { buildHarness, job, type Harness } from '../daemon/sim-harness.ts';

const CONFIG = `
catalog: { include: ["c7g.large"] }
policy: { maxInstances: 10, maxHourlyCost: 10 }
algorithms:
  whole:
    image: whole:1
    resources: { cpu: 2048, memoryMiB: 1024 }
`;
const TASK_SECONDS = 60;
const IDLE_SECONDS = 120;

/** One job every `everySeconds`, `count` of them; returns, per node in launch order, seconds from its last task's end to its termination. */
async function idleTails(learn: boolean, everySeconds: number, count: number): Promise<{ tails: number[]; launched: number }> {
  const h: Harness = buildHarness({ config: CONFIG, taskSeconds: TASK_SECONDS, settings: { idleSeconds: IDLE_SECONDS, learnIdleSeconds: learn } });
  const controller = h.newController();
  controller.start();
  for (let i = 0; i < count; i++) {
    await h.queue.send([job(`j-${i}`, 'whole')]);
    await h.clock.runFor(everySeconds * 1000);
  }
  await h.clock.runFor((IDLE_SECONDS + 60) * 1000);
  const instances = h.cloud.instances();
  const tasks = h.cloud.tasks();
  expect(tasks.filter((t) => t.stoppedAt !== undefined)).toHaveLength(count);
  const tails = instances.map((i) => {
    const lastStop = Math.max(...tasks.filter((t) => t.instanceId === i.instanceId).map((t) => t.stoppedAt!));
    return (i.terminatedAt! - lastStop) / 1000;
  });
  await stopOnVirtualClock(h.clock, controller);
  return { tails, launched: instances.length };
}

describe('learnt idle time (controller.learnIdleSeconds)', () => {
  it('stops keeping empty nodes once no job has come for them in time', async () => {
    // A job every 400 s: an empty node never gets the next one within 120 s.
    const fixed = await idleTails(false, 400, 16);
    expect(fixed.launched).toBe(16);
    for (const tail of fixed.tails) expect(tail).toBeGreaterThanOrEqual(IDLE_SECONDS);

    const learnt = await idleTails(true, 400, 16);
    expect(learnt.launched).toBe(16);
    // The first ones are kept the whole 120 s while the gaps are counted…
    for (const tail of learnt.tails.slice(0, 5)) expect(tail).toBeGreaterThanOrEqual(IDLE_SECONDS);
    // …then, from about the tenth gap on, empty nodes go at the next round.
    for (const tail of learnt.tails.slice(12)) expect(tail).toBeLessThan(15);
  });

  it('keeps empty nodes that the next job takes soon', async () => {
    // A job every 100 s: a node empties about 40 s before the next one comes, and takes it. (Two
    // nodes: the second job comes while the first still runs, before any run time is known.)
    const fixed = await idleTails(false, 100, 20);
    const learnt = await idleTails(true, 100, 20);
    expect(fixed.launched).toBe(2);
    expect(learnt.launched).toBe(2);
    // What it learnt is about that gap, not the whole 120 s: the node left at the end goes sooner.
    expect(Math.min(...learnt.tails)).toBeLessThan(60);
    expect(Math.min(...fixed.tails)).toBeGreaterThanOrEqual(IDLE_SECONDS);
  });
});
