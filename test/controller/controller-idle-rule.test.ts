// When an empty node is retired (idleSeconds, optionally counted in whole evaluation
// periods as a CloudWatch alarm sees idleness), and how wake() makes the controller look
// now rather than at its next tick. The controller runs with a long loop period so that
// every round in these tests is one it woke itself for (a due time) or one the test asked
// for with wake(): the times are exact. The real controller, sim and in-memory queue.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { SimCloud } from '../../src/adapters/sim/sim-cloud.ts';
import type { MemoryJobSource } from '../../src/adapters/memory-queue/memory-job-source.ts';
import { VirtualClock } from '../../src/clock/virtual-clock.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import type { Controller } from '../../src/controller/controller.ts';
import type { ControllerSettings } from '../../src/controller/controller-settings.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import { buildSimWorld, stopOnVirtualClock } from '../../src/simulation/sim-world.ts';

const CONFIG = `
catalog: { include: ["c7g.*"] }
algorithms:
  segment:
    image: seg:1
    resources: { cpu: 1024, memoryMiB: 2048 }
`;

/** Midnight UTC: whole 300 s periods start at multiples of 300 s from the start. */
const ORIGIN = Date.UTC(2026, 0, 1);
const TASK_SECONDS = 100;
/** Far longer than any test: the loop never ticks on its own. */
const LONG_LOOP_SECONDS = 100_000;

interface Setup {
  readonly clock: VirtualClock;
  readonly cloud: SimCloud;
  readonly queue: MemoryJobSource;
  readonly controller: Controller;
}

function setUp(settings: Partial<ControllerSettings>): Setup {
  const clock = new VirtualClock({ startAt: ORIGIN });
  const world = buildSimWorld({
    config: parseConfig(CONFIG, 'test.yaml'),
    clock,
    logger: pino({ level: 'silent' }),
    // No batch window, no periodic resync: nothing but due times and wake() runs a round.
    settings: { reconcileSeconds: LONG_LOOP_SECONDS, resyncSeconds: LONG_LOOP_SECONDS, batchIdleSeconds: 0, batchMaxSeconds: 0, ...settings },
    // No API latency and no boot jitter: a round takes no virtual time, a boot exactly 40 s.
    sim: { apiLatencyMs: 0, bootSeconds: 40, bootJitterSeconds: 0, taskStartSeconds: 1, taskBehaviour: () => ({ durationSeconds: TASK_SECONDS, exitCode: 0 }) },
  });
  return { clock, cloud: world.cloud, queue: world.queue, controller: world.newController() };
}

function job(jobId: string): JobMessage {
  return { version: 1, jobId, algorithm: 'segment', inputs: [`s3://bucket/in/${jobId}.tif`], outputPrefix: `s3://bucket/out/${jobId}/`, env: {}, priority: 0, attempt: 1 };
}

/** Runs the clock up to `seconds` after the start. */
async function runTo(s: Setup, seconds: number): Promise<void> {
  await s.clock.runFor(ORIGIN + seconds * 1000 - s.clock.now());
}

/** Wakes the controller at `seconds` and lets the round it runs finish. */
async function wakeAt(s: Setup, seconds: number): Promise<void> {
  await runTo(s, seconds);
  s.controller.wake();
  await s.clock.runFor(0);
}

/**
 * One job on one node: launched at 0 s, the node registers at 40 s, the job starts when the
 * controller is woken at 50 s and stops at 151 s; the controller notices (the node empties)
 * only when woken at `emptiedAt`.
 */
async function nodeEmptiedAt(s: Setup, emptiedAt: number): Promise<string> {
  await s.queue.send([job('only')]);
  s.controller.start();
  await s.clock.runFor(0);
  expect(s.cloud.instances()).toHaveLength(1);
  await wakeAt(s, 50);
  expect(s.cloud.tasks().map((t) => [t.jobId, t.startedAt])).toEqual([['only', ORIGIN + 50_000]]);
  await runTo(s, emptiedAt);
  expect(s.cloud.tasks()[0]!.stoppedAt).toBe(ORIGIN + (51 + TASK_SECONDS) * 1000);
  expect(s.controller.view().nodes).toMatchObject([{ tasks: 1 }]);
  await wakeAt(s, emptiedAt);
  const [node] = s.controller.view().nodes;
  expect(node).toMatchObject({ state: 'registered', tasks: 0, idleSeconds: 0 });
  return node!.id;
}

const terminatedAt = (s: Setup, id: string): number | undefined => s.cloud.instances().find((i) => i.instanceId === id)!.terminatedAt;

describe('idle rule', () => {
  it.each([
    { emptiedAt: 301, evaluationSeconds: 300, retiredAt: 1200 },
    { emptiedAt: 599, evaluationSeconds: 300, retiredAt: 1200 },
    { emptiedAt: 300, evaluationSeconds: 300, retiredAt: 900 },
    { emptiedAt: 301, evaluationSeconds: undefined, retiredAt: 901 },
    { emptiedAt: 301, evaluationSeconds: 0, retiredAt: 901 },
  ])(
    'idleSeconds 600, idleEvaluationSeconds $evaluationSeconds: a node empty from $emptiedAt s is retired at $retiredAt s, not before',
    async ({ emptiedAt, evaluationSeconds, retiredAt }) => {
      const s = setUp({ idleSeconds: 600, ...(evaluationSeconds === undefined ? {} : { idleEvaluationSeconds: evaluationSeconds }) });
      const id = await nodeEmptiedAt(s, emptiedAt);

      // A millisecond before it is due the node is still up and still counted idle.
      await runTo(s, retiredAt - 0.001);
      expect(terminatedAt(s, id)).toBeUndefined();
      expect(s.controller.view().nodes).toMatchObject([{ id, state: 'registered', idleSeconds: retiredAt - 0.001 - emptiedAt }]);

      // Due: the controller wakes itself (its loop would sleep far longer) and drains it…
      await runTo(s, retiredAt);
      const drain = s.controller.view().recentDecisions.find((d) => d.kind === 'drain');
      expect(drain).toMatchObject({ at: ORIGIN + retiredAt * 1000, instanceId: id });
      expect(drain!.message).toContain(`idle for ${retiredAt - emptiedAt} s`);
      // …and terminates it right after (the terminate calls are spaced by the API limiter).
      await runTo(s, retiredAt + 1);
      expect(terminatedAt(s, id)).toBeGreaterThanOrEqual(ORIGIN + retiredAt * 1000);
      expect(terminatedAt(s, id)).toBeLessThanOrEqual(ORIGIN + (retiredAt + 1) * 1000);
      expect(s.controller.view().nodes).toEqual([]);
      await stopOnVirtualClock(s.clock, s.controller);
    },
  );

  it('a job arriving before the node is due keeps it: its idleness starts again when it empties again', async () => {
    const s = setUp({ idleSeconds: 600, idleEvaluationSeconds: 300 });
    const id = await nodeEmptiedAt(s, 301);
    await s.queue.send([job('second')]);
    await wakeAt(s, 1000);
    expect(s.cloud.tasks().find((t) => t.jobId === 'second')!.instanceId).toBe(id);
    // It stops at 1101 s; noticed at 1150 s, the node is retired at 1200 + 600 s.
    await wakeAt(s, 1150);
    await runTo(s, 1799.999);
    expect(s.controller.view().recentDecisions.filter((d) => d.kind === 'drain')).toEqual([]);
    await runTo(s, 1800);
    expect(s.controller.view().recentDecisions.filter((d) => d.kind === 'drain')).toMatchObject([{ at: ORIGIN + 1800_000, instanceId: id }]);
    await runTo(s, 1801);
    expect(terminatedAt(s, id)).toBeDefined();
    await stopOnVirtualClock(s.clock, s.controller);
  });
});

describe('Controller.wake()', () => {
  it('makes a controller with a long loop period pick up a queued job now, not at its next tick', async () => {
    const s = setUp({ idleSeconds: 3600 });
    const id = await nodeEmptiedAt(s, 200);
    const started = (jobId: string): boolean => s.cloud.tasks().some((t) => t.jobId === jobId);

    // Sent to the queue behind the controller's back: nothing happens for a long while.
    await runTo(s, 300);
    await s.queue.send([job('late')]);
    expect(await s.clock.runUntil(() => started('late'), 600_000)).toBe(false);

    // Woken, it receives the job and starts it on the registered node at once.
    const wokenAt = s.clock.now();
    s.controller.wake();
    expect(await s.clock.runUntil(() => started('late'), 1000)).toBe(true);
    const task = s.cloud.tasks().find((t) => t.jobId === 'late')!;
    expect(task.instanceId).toBe(id);
    expect(task.startedAt - wokenAt).toBeLessThanOrEqual(1000);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('with API latency, a start still follows the wake-up within about a second', async () => {
    const clock = new VirtualClock({ startAt: ORIGIN });
    const world = buildSimWorld({
      config: parseConfig(CONFIG, 'test.yaml'),
      clock,
      logger: pino({ level: 'silent' }),
      settings: { reconcileSeconds: LONG_LOOP_SECONDS, idleSeconds: 3600 },
      sim: { taskBehaviour: () => ({ durationSeconds: TASK_SECONDS, exitCode: 0 }) },
    });
    const controller = world.newController();
    const started = (jobId: string): boolean => world.cloud.tasks().some((t) => t.jobId === jobId);
    await world.queue.send([job('first')]);
    controller.start();
    // The batch window's end wakes the controller to launch; the registration it must be woken for.
    expect(await clock.runUntil(() => world.cloud.instances().some((i) => i.registeredAt !== undefined), 120_000)).toBe(true);
    controller.wake();
    expect(await clock.runUntil(() => started('first'), 2000)).toBe(true);
    await clock.runFor(600_000);

    await world.queue.send([job('second')]);
    const wokenAt = clock.now();
    controller.wake();
    expect(await clock.runUntil(() => started('second'), 5000)).toBe(true);
    expect(world.cloud.tasks().find((t) => t.jobId === 'second')!.startedAt - wokenAt).toBeLessThanOrEqual(1500);
    await stopOnVirtualClock(clock, controller);
  });
});
