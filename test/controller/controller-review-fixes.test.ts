// Three controller behaviours: woken rounds are spaced at least a second apart (a start
// that keeps failing cannot spin the loop); stop() waits for finishing work in the
// background (a retry being written is not lost); a task found running (adopted) teaches
// no run time (its real start is unknown). The real controller, planner, sim and
// in-memory queue in virtual time; only thin wrappers of the Cloud and JobSource ports
// inject the failures.
import { describe, expect, it } from 'vitest';
import type { MemoryJobSource } from '../../src/adapters/memory-queue/memory-job-source.ts';
import type { SimCloud } from '../../src/adapters/sim/sim-cloud.ts';
import type { VirtualClock } from '../../src/clock/virtual-clock.ts';
import { policyFromConfig } from '../../src/config/config-to-core.ts';
import { Controller } from '../../src/controller/controller.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { CloudError, type Cloud, type CloudEvent, type CloudInstance, type CloudTask, type TaskSpec } from '../../src/ports/cloud.ts';
import type { HeldMessage, JobSource, RejectedMessage } from '../../src/ports/job-source.ts';
import { stopOnVirtualClock } from '../../src/simulation/sim-world.ts';
import { buildHarness, job, type Harness } from '../daemon/sim-harness.ts';

type StartTasksResult = Awaited<ReturnType<Cloud['startTasks']>>;

/** The sim cloud, passed through, except where a subclass says otherwise. */
class CloudWrapper implements Cloud {
  protected readonly inner: SimCloud;

  constructor(inner: SimCloud) {
    this.inner = inner;
  }

  launch(type: string, count: number, clientToken: string): Promise<readonly CloudInstance[]> {
    return this.inner.launch(type, count, clientToken);
  }

  startTasks(instanceId: string, specs: readonly TaskSpec[]): Promise<StartTasksResult> {
    return this.inner.startTasks(instanceId, specs);
  }

  drain(instanceId: string): Promise<void> {
    return this.inner.drain(instanceId);
  }

  terminate(instanceIds: readonly string[]): Promise<void> {
    return this.inner.terminate(instanceIds);
  }

  stopTask(taskArn: string, reason: string): Promise<void> {
    return this.inner.stopTask(taskArn, reason);
  }

  describe(): Promise<{ readonly instances: readonly CloudInstance[]; readonly tasks: readonly CloudTask[] }> {
    return this.inner.describe();
  }

  pollEvents(): Promise<readonly CloudEvent[]> {
    return this.inner.pollEvents();
  }

  costSoFar(): number {
    return this.inner.costSoFar();
  }
}

/** Every StartTask comes back with every job failed for want of memory (ECS's answer when the agent's view differs). */
class StartsAlwaysFail extends CloudWrapper {
  readonly #clock: VirtualClock;
  /** When each StartTask call was made. */
  readonly startCalls: number[] = [];

  constructor(inner: SimCloud, clock: VirtualClock) {
    super(inner);
    this.#clock = clock;
  }

  override async startTasks(_instanceId: string, specs: readonly TaskSpec[]): Promise<StartTasksResult> {
    this.startCalls.push(this.#clock.now());
    return { started: [], failed: specs.map((s) => ({ jobId: s.jobId, reason: 'RESOURCE:MEMORY' })) };
  }
}

/** The first describe() fails (the API is briefly unavailable); later ones go through. */
class FirstDescribeFails extends CloudWrapper {
  describeCalls = 0;

  override describe(): Promise<{ readonly instances: readonly CloudInstance[]; readonly tasks: readonly CloudTask[] }> {
    if (this.describeCalls++ === 0) return Promise.reject(new CloudError('other', 'DescribeInstances: ServiceUnavailable'));
    return super.describe();
  }
}

/** The in-memory queue, passed through, except where a subclass says otherwise. */
class QueueWrapper implements JobSource {
  protected readonly inner: MemoryJobSource;

  constructor(inner: MemoryJobSource) {
    this.inner = inner;
  }

  receive(max: number): Promise<{ readonly held: readonly HeldMessage[]; readonly rejected: readonly RejectedMessage[] }> {
    return this.inner.receive(max);
  }

  extendVisibility(receipts: readonly string[], seconds: number): Promise<void> {
    return this.inner.extendVisibility(receipts, seconds);
  }

  delete(receipts: readonly string[]): Promise<void> {
    return this.inner.delete(receipts);
  }

  release(receipts: readonly string[]): Promise<void> {
    return this.inner.release(receipts);
  }

  deadLetter(receipt: string | undefined, body: string, reason: string): Promise<void> {
    return this.inner.deadLetter(receipt, body, reason);
  }

  send(messages: readonly JobMessage[]): Promise<void> {
    return this.inner.send(messages);
  }
}

/** send() takes `delayMs` of virtual time before the message is in the queue (a slow SendMessageBatch). */
class SlowSendQueue extends QueueWrapper {
  readonly #clock: VirtualClock;
  readonly #delayMs: number;
  /** When each send was asked for, and when it had gone through. */
  readonly sends: { readonly at: number; readonly jobIds: readonly string[]; doneAt?: number }[] = [];

  constructor(inner: MemoryJobSource, clock: VirtualClock, delayMs: number) {
    super(inner);
    this.#clock = clock;
    this.#delayMs = delayMs;
  }

  override async send(messages: readonly JobMessage[]): Promise<void> {
    const send: (typeof this.sends)[number] = { at: this.#clock.now(), jobIds: messages.map((m) => m.jobId) };
    this.sends.push(send);
    await this.#clock.sleep(this.#delayMs);
    await this.inner.send(messages);
    send.doneAt = this.#clock.now();
  }
}

/** DeleteMessage always fails: how a controller that dies between StartTask and DeleteMessage leaves the queue. */
class DeleteFails extends QueueWrapper {
  refusedDeletes = 0;

  override async delete(): Promise<void> {
    this.refusedDeletes++;
    throw new Error('DeleteMessageBatch: ServiceUnavailable');
  }
}

/** A controller on the harness's cloud and queue, either of them possibly wrapped. */
function controllerOn(h: Harness, ports: { readonly cloud?: Cloud; readonly queue?: JobSource }): Controller {
  return new Controller({
    clock: h.clock,
    cloud: ports.cloud ?? h.cloud,
    queue: ports.queue ?? h.queue,
    catalog: h.world.catalog,
    policy: policyFromConfig(h.config),
    settings: h.world.settings,
    rules: h.world.rules,
    logger: h.logger,
    metrics: createMetrics(),
  });
}

describe('woken rounds are spaced (MIN_WOKEN_ROUND_GAP_MS)', () => {
  it('a start that always fails re-plans about once a second, not in a tight loop, even with a 600 s loop period', async () => {
    const h = buildHarness({ settings: { reconcileSeconds: 600 } });
    const cloud = new StartsAlwaysFail(h.cloud, h.clock);
    const controller = controllerOn(h, { cloud });
    await h.queue.send([job('stuck', 'segment')]);
    controller.start();

    // The node boots and registers; the controller tries to start the job on it (when a due time wakes it).
    expect(await h.clock.runUntil(() => cloud.startCalls.length > 0, 3600_000)).toBe(true);
    const firstAt = cloud.startCalls[0]!;
    expect(h.cloud.instances()).toHaveLength(1);
    expect(firstAt).toBeGreaterThanOrEqual(h.cloud.instances()[0]!.registeredAt!);

    await h.clock.runFor(60_000);
    const within = cloud.startCalls.filter((at) => at - firstAt <= 60_000);
    // Each failure wakes the loop (#abandonStart), and the next round starts at least 1 s after
    // the one before: one call a second (plus the first round's second try: it tries the bound
    // start, then the re-planned one). With no gap it would be hundreds (the StartTask limiter's
    // 10/s, the sim's 50 ms per call: 601 when tried with the gap set to 0).
    expect(within.length).toBeLessThanOrEqual(62);
    // Still woken rounds: it keeps trying about every second, not only at the 600 s tick.
    expect(within.length).toBeGreaterThanOrEqual(55);
    // After the first round's two calls (100 ms apart: the StartTask limiter's spacing), one call per
    // round; round starts are ≥ 1000 ms apart, and where in its round the call comes varies by a
    // call's latency (50 ms, a resync's describe).
    expect(cloud.startCalls[1]! - firstAt).toBeLessThan(1000);
    const gaps = cloud.startCalls.slice(3).map((at, i) => at - cloud.startCalls[i + 2]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);

    // Nothing lost meanwhile: the job is still held, the message in the queue, no task started.
    expect(controller.view().pending.map((p) => p.jobId)).toEqual(['stuck']);
    expect(h.queue.depth()).toBe(1);
    expect(h.cloud.tasks()).toEqual([]);
    await stopOnVirtualClock(h.clock, controller);
  });
});

describe('stop() waits for work in the background', () => {
  it('stopping while the retry of a failed task is still being sent: stop() waits for the send, the retry is in the queue', async () => {
    const SEND_DELAY_MS = 2_000;
    const h = buildHarness({ taskSeconds: 60, exitCode: (jobId, attempt) => (jobId === 'flaky' && attempt === 1 ? 1 : 0) });
    const queue = new SlowSendQueue(h.queue, h.clock, SEND_DELAY_MS);
    const controller = controllerOn(h, { queue });
    await h.queue.send([job('flaky', 'segment')]);
    controller.start();

    // The failed task's stop event is applied: the retry's send has begun, and is not through yet.
    expect(await h.clock.runUntil(() => queue.sends.length > 0, 3600_000)).toBe(true);
    const stoppedAt = h.cloud.tasks().find((t) => t.jobId === 'flaky')!.stoppedAt!;
    expect(stoppedAt).toBeLessThanOrEqual(h.clock.now());
    expect(queue.sends).toEqual([{ at: h.clock.now(), jobIds: ['flaky'] }]);
    expect(h.queue.depth()).toBe(0);

    const stopCalledAt = h.clock.now();
    await stopOnVirtualClock(h.clock, controller);

    // stop() resolved only once the send had gone through (no time passes here after it resolved).
    expect(queue.sends[0]!.doneAt).toBe(stopCalledAt + SEND_DELAY_MS);
    expect(h.clock.now()).toBeGreaterThanOrEqual(stopCalledAt + SEND_DELAY_MS);
    expect(h.queue.depth()).toBe(1);
    const { held } = await h.queue.receive(10);
    expect(held.map((m) => [m.message.jobId, m.message.attempt])).toEqual([['flaky', 2]]);
    expect(controller.view().recentDecisions.some((d) => d.kind === 'retry' && d.jobId === 'flaky' && d.message.includes('enqueued attempt 2'))).toBe(true);
    expect(h.logLines.join('')).not.toMatch(/unwritten/);
  });
});

/** One instance type, and a job that takes all its cpu: one job per node; jobs wait up to 60 s for room soon free. */
const REUSE_CONFIG = `
catalog: { include: ["c7g.large"] }
policy: { maxInstances: 10, maxHourlyCost: 10, reuseWithinSeconds: 60 }
algorithms:
  whole:
    image: whole:1
    resources: { cpu: 2048, memoryMiB: 1024 }
`;

/** Run times: the adopted task runs long, but its new controller sees only its last ~40 s; `warm` runs ~40 s under a controller that sees it all. */
const RUN_SECONDS: Record<string, number> = { adopted: 400, warm: 40, busy: 200, third: 100 };
/** How long before the adopted task's end the second controller starts. */
const ADOPTED_SEEN_SECONDS = 40;

function reuseHarness(): Harness {
  return buildHarness({ config: REUSE_CONFIG, taskSeconds: (jobId) => RUN_SECONDS[jobId] ?? 60 });
}

const taskOf = (h: Harness, jobId: string) => h.cloud.tasks().find((t) => t.jobId === jobId);

/**
 * With `controller` running, its node empty and registered: `busy` (200 s) starts on the node,
 * then `third` is sent 5 s later. Runs until `third` has started; returns every reason `third`
 * was pending with, and when it was sent.
 */
async function busyThenThird(h: Harness, controller: Controller, node: string): Promise<{ reasons: string[]; sentAt: number }> {
  await h.queue.send([job('busy', 'whole')]);
  expect(await h.clock.runUntil(() => taskOf(h, 'busy') !== undefined, 60_000)).toBe(true);
  expect(taskOf(h, 'busy')!.instanceId).toBe(node);
  await h.clock.runFor(taskOf(h, 'busy')!.startedAt + 5_000 - h.clock.now());
  await h.queue.send([job('third', 'whole')]);
  const sentAt = h.clock.now();
  const reasons: string[] = [];
  const started = await h.clock.runUntil(() => {
    const reason = controller.view().pending.find((p) => p.jobId === 'third')?.reason?.code;
    if (reason !== undefined && reasons.at(-1) !== reason) reasons.push(reason);
    return taskOf(h, 'third') !== undefined;
  }, 600_000);
  expect(started).toBe(true);
  return { reasons, sentAt };
}

describe('tasks found running (adopted) teach no run time', () => {
  it('after a restart, a task adopted with its message finishes ~40 s later: no capacity-soon estimate from it, the next job that does not fit gets a launch', async () => {
    const h = reuseHarness();
    // Controller A starts the job, but its DeleteMessage fails: as if it died between StartTask
    // and DeleteMessage. The message comes back once its visibility (300 s) runs out.
    const aQueue = new DeleteFails(h.queue);
    const a = controllerOn(h, { queue: aQueue });
    await h.queue.send([job('adopted', 'whole')]);
    a.start();
    expect(await h.clock.runUntil(() => taskOf(h, 'adopted')?.state === 'RUNNING' && aQueue.refusedDeletes > 0, 600_000)).toBe(true);
    await stopOnVirtualClock(h.clock, a, { handBack: false });
    const node = taskOf(h, 'adopted')!.instanceId;
    expect(h.queue.depth()).toBe(1);

    // Controller B starts 40 s before the task ends; its first describe fails, so its first round
    // holds the message and the next round's resync finds the task running: adopted with its
    // message (algorithm `whole`), the duplicate message deleted. Without the message an adopted
    // task's algorithm is `unknown`, and a run time learnt for it would touch no `whole` job.
    const endsAt = taskOf(h, 'adopted')!.runningAt! + RUN_SECONDS.adopted! * 1000;
    await h.clock.runFor(endsAt - ADOPTED_SEEN_SECONDS * 1000 - h.clock.now());
    expect(h.queue.visibleCount()).toBe(1);
    const bCloud = new FirstDescribeFails(h.cloud);
    const b = h.world.newController({ cloud: bCloud });
    b.start();
    const decisionsOfB = () => b.view().recentDecisions;
    expect(await h.clock.runUntil(() => decisionsOfB().some((d) => d.kind === 'duplicate' && d.jobId === 'adopted'), 30_000)).toBe(true);
    expect(bCloud.describeCalls).toBeGreaterThanOrEqual(2);
    const adoptedAt = h.clock.now();
    expect(b.view().running).toEqual([expect.objectContaining({ jobId: 'adopted', algorithm: 'whole', instanceId: node })]);
    expect(h.queue.depth()).toBe(0);
    expect(decisionsOfB().filter((d) => d.kind === 'launch')).toEqual([]);

    // It finishes; to B it ran about 40 s (from adoption to the stop): the run time it would learn.
    expect(await h.clock.runUntil(() => decisionsOfB().some((d) => d.kind === 'finished' && d.jobId === 'adopted'), 120_000)).toBe(true);
    const seenSeconds = (h.clock.now() - adoptedAt) / 1000;
    expect(seenSeconds).toBeGreaterThanOrEqual(30);
    expect(seenSeconds).toBeLessThanOrEqual(50);

    // `busy` takes the node; `third` does not fit beside it. Had B learnt ~40 s for `whole`, `busy`
    // would be due to free the node within the 60 s horizon and `third` would wait (capacity-soon,
    // as the control case below shows). It learnt nothing: `third` gets an instance of its own.
    const { reasons, sentAt } = await busyThenThird(h, b, node);
    expect(reasons).not.toContain('capacity-soon');
    const third = taskOf(h, 'third')!;
    expect(third.instanceId).not.toBe(node);
    expect(taskOf(h, 'busy')!.stoppedAt).toBeUndefined();
    const launchForThird = decisionsOfB().find((d) => d.kind === 'launch' && d.message.includes('third'));
    expect(launchForThird).toBeDefined();
    // A round (≤ 5 s) and the batch window (1 s) after it was sent: it did not wait 60 s for room.
    expect(launchForThird!.at - sentAt).toBeLessThanOrEqual(10_000);
    expect(h.cloud.instances()).toHaveLength(2);
    for (const id of ['adopted', 'busy', 'third']) expect(h.cloud.startedTaskCount(id)).toBe(1);
    expect(h.cloud.duplicateStartAttempts()).toBe(0);
    await stopOnVirtualClock(h.clock, b);
  });

  it('control: the same timings after a task the controller started itself and saw run ~40 s: the next job waits (capacity-soon)', async () => {
    const h = reuseHarness();
    const controller = h.newController();
    await h.queue.send([job('warm', 'whole')]);
    controller.start();
    expect(await h.clock.runUntil(() => controller.view().recentDecisions.some((d) => d.kind === 'finished' && d.jobId === 'warm'), 600_000)).toBe(true);
    const node = taskOf(h, 'warm')!.instanceId;

    const { reasons } = await busyThenThird(h, controller, node);
    expect(reasons).toContain('capacity-soon');
    await stopOnVirtualClock(h.clock, controller);
  });
});
