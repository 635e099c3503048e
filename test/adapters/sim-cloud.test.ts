import { describe, it, expect } from 'vitest';
import { SimCloud, type SimTask } from '../../src/adapters/sim/sim-cloud.ts';
import type { SimCloudOptions, TaskBehaviour } from '../../src/adapters/sim/sim-options.ts';
import { VirtualClock } from '../../src/clock/virtual-clock.ts';
import type { InstanceType } from '../../src/core/catalog/instance-type.ts';
import type { Resources } from '../../src/core/resources.ts';
import { CloudError, type CloudEvent, type TaskSpec } from '../../src/ports/cloud.ts';

// A small catalog of our own, with round numbers: 3.6 $/h is 0.001 $/s.
function instanceType(name: string, allocatable: Resources, pricePerHour: number): InstanceType {
  return {
    name,
    family: name.split('.')[0]!,
    vcpu: allocatable.cpu / 1024,
    memoryMiB: allocatable.memoryMiB + 512,
    gpu: allocatable.gpu,
    architecture: 'x86_64',
    pricePerHour,
    allocatable,
  };
}

const CATALOG: readonly InstanceType[] = [
  instanceType('c6i.large', { cpu: 2048, memoryMiB: 3500, gpu: 0 }, 3.6),
  instanceType('m6i.xlarge', { cpu: 4096, memoryMiB: 15_000, gpu: 0 }, 0.192),
  instanceType('g5.xlarge', { cpu: 4096, memoryMiB: 15_000, gpu: 1 }, 1.006),
  instanceType('g5.2xlarge', { cpu: 8192, memoryMiB: 30_000, gpu: 1 }, 1.212),
];

const NO_CALLS = { ok: 0, throttled: 0, error: 0, 'insufficient-capacity': 0, 'unsupported-type': 0, 'not-found': 0, other: 0 };

const SMALL: Resources = { cpu: 512, memoryMiB: 1000, gpu: 0 };

function spec(jobId: string, demand: Resources = SMALL, attempt = 1): TaskSpec {
  return { jobId, attempt, algorithm: 'segment', demand, env: {}, inputs: [`s3://in/${jobId}.tif`], outputPrefix: `s3://out/${jobId}/` };
}

/** Every job runs 60 s and exits 0, unless its id says otherwise: "fail-…" exits 3, "long-…" runs an hour. */
const behaviour: TaskBehaviour = (s) => ({
  durationSeconds: s.jobId.startsWith('long-') ? 3600 : 60,
  exitCode: s.jobId.startsWith('fail-') ? 3 : 0,
});

function setUp(options: Partial<Omit<SimCloudOptions, 'clock'>> = {}) {
  const clock = new VirtualClock();
  const sim = new SimCloud({ clock, catalog: CATALOG, taskBehaviour: behaviour, ...options });

  /** Drives the clock until the call (which sleeps the API latency on it) settles. */
  async function call<T>(pending: Promise<T>): Promise<T> {
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await clock.runUntil(() => settled, 60_000);
    return pending;
  }

  /** The CloudError a call fails with; fails the test if it succeeds or fails otherwise. */
  async function errorOf(pending: Promise<unknown>): Promise<CloudError> {
    try {
      await call(pending);
    } catch (error) {
      expect(error).toBeInstanceOf(CloudError);
      return error as CloudError;
    }
    throw new Error('expected a CloudError, but the call succeeded');
  }

  /** Launches one instance and waits until it has registered (events drained). */
  async function registeredInstance(type = 'c6i.large'): Promise<string> {
    const [instance] = await call(sim.launch(type, 1, `token-${type}-${clock.now()}`));
    await clock.advanceBy(60_000);
    await call(sim.pollEvents());
    return instance!.instanceId;
  }

  const taskOf = (jobId: string): SimTask => sim.tasks().filter((t) => t.jobId === jobId).at(-1)!;

  return { clock, sim, call, errorOf, registeredInstance, taskOf };
}

function taskStates(events: readonly CloudEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'task-state' ? [`${e.task.jobId}:${e.task.state}:v${e.task.version}`] : []));
}

describe('SimCloud API calls', () => {
  it('takes the API latency on the clock for every call', async () => {
    const { clock, sim, call } = setUp({ apiLatencyMs: 120 });
    const start = clock.now();
    const describing = sim.describe();
    await clock.settle();
    expect(clock.pendingTimers()).toEqual([start + 120]);
    await call(describing);
    expect(clock.now()).toBe(start + 120);
  });

  it('counts calls by operation and outcome', async () => {
    const { sim, call, errorOf } = setUp();
    await call(sim.launch('c6i.large', 1, 'a'));
    await call(sim.describe());
    await errorOf(sim.launch('p5.48xlarge', 1, 'b'));
    await errorOf(sim.drain('i-nope'));
    const calls = sim.apiCalls();
    expect(calls.launch).toEqual({ ...NO_CALLS, ok: 1, error: 1, 'unsupported-type': 1 });
    expect(calls.describe).toEqual({ ...NO_CALLS, ok: 1 });
    expect(calls.drain).toEqual({ ...NO_CALLS, error: 1, 'not-found': 1 });
    expect(calls.pollEvents).toEqual(NO_CALLS);
  });

  it('throttles every call at rate 1, keeping the events for a later poll', async () => {
    const { sim, errorOf } = setUp({ throttleRate: 1 });
    expect((await errorOf(sim.launch('c6i.large', 1, 'a'))).code).toBe('throttled');
    expect((await errorOf(sim.describe())).code).toBe('throttled');
    expect(sim.instances()).toEqual([]);
    expect(sim.apiCalls().launch).toEqual({ ...NO_CALLS, throttled: 1 });
  });

  it('throttles about the given share of calls, and throttled polls lose no events', async () => {
    const { clock, sim, call } = setUp({ throttleRate: 0.3 });
    let launched = 0;
    for (let n = 0; launched < 5; n++) {
      try {
        await call(sim.launch('c6i.large', 1, `t${n}`));
        launched++;
      } catch (error) {
        expect((error as CloudError).code).toBe('throttled');
      }
    }
    await clock.advanceBy(60_000);
    const events: CloudEvent[] = [];
    for (let n = 0; n < 200; n++) {
      try {
        events.push(...(await call(sim.pollEvents())));
      } catch (error) {
        expect((error as CloudError).code).toBe('throttled');
      }
    }
    expect(events.filter((e) => e.kind === 'instance-registered')).toHaveLength(5);
    const polls = sim.apiCalls().pollEvents;
    expect(polls.ok + polls.throttled).toBe(200);
    expect(polls.throttled).toBeGreaterThan(35);
    expect(polls.throttled).toBeLessThan(85);
  });

  it('rejects invalid options', () => {
    const clock = new VirtualClock();
    expect(() => new SimCloud({ clock, catalog: CATALOG, taskBehaviour: behaviour, throttleRate: 1.5 })).toThrow(/throttleRate/);
    expect(() => new SimCloud({ clock, catalog: CATALOG, taskBehaviour: behaviour, capacityErrors: { 'g5.*': -1 } })).toThrow(/g5/);
    expect(() => new SimCloud({ clock, catalog: CATALOG, taskBehaviour: behaviour, bootSeconds: -1 })).toThrow(/bootSeconds/);
  });
});

describe('SimCloud instances', () => {
  it('boots launched instances after the boot delay give or take the jitter, then registers them with allocatable resources', async () => {
    const { clock, sim, call } = setUp({ bootSeconds: 40, bootJitterSeconds: 10 });
    const launched = await call(sim.launch('m6i.xlarge', 3, 'boot'));
    expect(launched.map((i) => i.state)).toEqual(['pending', 'pending', 'pending']);
    const launchedAt = launched[0]!.launchedAt;
    expect(launchedAt).toBe(clock.now());

    await clock.advanceBy(29_000);
    expect(await call(sim.pollEvents())).toEqual([]);
    expect((await call(sim.describe())).instances.every((i) => i.state === 'pending' && i.registered === undefined)).toBe(true);

    await clock.advanceBy(21_000);
    const events = await call(sim.pollEvents());
    expect(events.map((e) => e.kind)).toEqual(['instance-registered', 'instance-registered', 'instance-registered']);
    for (const event of events) {
      if (event.kind !== 'instance-registered') continue;
      expect(event.instance.state).toBe('running');
      expect(event.instance.registered).toMatchObject({ resources: CATALOG[1]!.allocatable, draining: false });
      expect(event.instance.registered!.containerInstanceArn).toMatch(/^arn:aws:ecs:/);
    }
    const delays = sim.instances().map((i) => i.registeredAt! - i.launchedAt);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(30_000);
      expect(delay).toBeLessThanOrEqual(50_000);
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('boots in exactly the boot delay without jitter, and spreads boots evenly around it with jitter', async () => {
    const exact = setUp({ bootSeconds: 40, bootJitterSeconds: 0 });
    await exact.call(exact.sim.launch('c6i.large', 2, 'a'));
    await exact.clock.advanceBy(60_000);
    expect(exact.sim.instances().map((i) => i.registeredAt! - i.launchedAt)).toEqual([40_000, 40_000]);

    const spread = setUp({ bootSeconds: 40, bootJitterSeconds: 10 });
    await spread.call(spread.sim.launch('c6i.large', 200, 'b'));
    await spread.clock.advanceBy(60_000);
    const delays = spread.sim.instances().map((i) => i.registeredAt! - i.launchedAt);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(38_500);
    expect(mean).toBeLessThan(41_500);
    expect(Math.min(...delays)).toBeLessThan(32_000);
    expect(Math.max(...delays)).toBeGreaterThan(48_000);
  });

  it('launches idempotently by client token', async () => {
    const { sim, call, errorOf } = setUp();
    const first = await call(sim.launch('c6i.large', 2, 'same'));
    const again = await call(sim.launch('c6i.large', 2, 'same'));
    expect(again.map((i) => i.instanceId)).toEqual(first.map((i) => i.instanceId));
    expect(sim.instances()).toHaveLength(2);

    const other = await call(sim.launch('c6i.large', 2, 'other'));
    expect(other.map((i) => i.instanceId)).not.toEqual(first.map((i) => i.instanceId));
    expect(sim.instances()).toHaveLength(4);

    expect((await errorOf(sim.launch('m6i.xlarge', 2, 'same'))).code).toBe('other');
    expect(sim.instances()).toHaveLength(4);
  });

  it('refuses an unknown instance type', async () => {
    const { sim, errorOf } = setUp();
    expect((await errorOf(sim.launch('p5.48xlarge', 1, 'x'))).code).toBe('unsupported-type');
    expect(sim.instances()).toEqual([]);
  });

  it('fails launches with insufficient capacity per type or pattern, exact names first', async () => {
    const { sim, call, errorOf } = setUp({ capacityErrors: { 'g5.*': 1, 'g5.2xlarge': 0 } });
    expect((await errorOf(sim.launch('g5.xlarge', 1, 'a'))).code).toBe('insufficient-capacity');
    expect(sim.apiCalls().launch).toMatchObject({ error: 1, 'insufficient-capacity': 1 });
    expect(await call(sim.launch('g5.2xlarge', 1, 'b'))).toHaveLength(1);
    expect(await call(sim.launch('c6i.large', 1, 'c'))).toHaveLength(1);
    expect(sim.instances().map((i) => i.type)).toEqual(['g5.2xlarge', 'c6i.large']);
  });

  it('fails about the given share of launches with a partial capacity error rate', async () => {
    const { sim, call } = setUp({ capacityErrors: { 'c6i.large': 0.5 } });
    let failures = 0;
    for (let n = 0; n < 200; n++) {
      try {
        await call(sim.launch('c6i.large', 1, `t${n}`));
      } catch (error) {
        expect((error as CloudError).code).toBe('insufficient-capacity');
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(70);
    expect(failures).toBeLessThan(130);
    expect(sim.instances()).toHaveLength(200 - failures);
  });

  it('boots but never registers instances of a never-register type, and bills them', async () => {
    const { clock, sim, call } = setUp({ neverRegister: { 'm6i.*': 1 } });
    const [broken] = await call(sim.launch('m6i.xlarge', 1, 'a'));
    const [healthy] = await call(sim.launch('c6i.large', 1, 'b'));
    await clock.advanceBy(120_000);
    const events = await call(sim.pollEvents());
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'instance-registered', instance: { instanceId: healthy!.instanceId } });

    const brokenNow = sim.instances().find((i) => i.instanceId === broken!.instanceId)!;
    expect(brokenNow).toMatchObject({ state: 'running', neverRegisters: true });
    expect(brokenNow.registered).toBeUndefined();
    const result = await call(sim.startTasks(broken!.instanceId, [spec('j1')]));
    expect(result).toEqual({ started: [], failed: [{ jobId: 'j1', reason: 'MISSING' }] });
    expect(sim.costSoFar()).toBeGreaterThan(0);
  });

  it('drains: no new tasks, running ones go on', async () => {
    const { clock, sim, call, errorOf, registeredInstance, taskOf } = setUp();
    const id = await registeredInstance();
    await call(sim.startTasks(id, [spec('before')]));
    await call(sim.drain(id));
    expect((await call(sim.describe())).instances[0]!.registered!.draining).toBe(true);
    expect((await call(sim.startTasks(id, [spec('after')]))).failed).toEqual([{ jobId: 'after', reason: 'DRAINING' }]);
    await clock.advanceBy(61_000);
    expect(taskOf('before')).toMatchObject({ state: 'STOPPED', exitCode: 0 });
    expect((await errorOf(sim.drain('i-unknown'))).code).toBe('not-found');
  });

  it('terminates: the instance leaves describe, its tasks stop without an exit code', async () => {
    const { clock, sim, call, errorOf, registeredInstance, taskOf } = setUp();
    const id = await registeredInstance();
    const keep = await registeredInstance();
    await call(sim.startTasks(id, [spec('long-a'), spec('long-b')]));
    await call(sim.startTasks(keep, [spec('long-c')]));
    await clock.advanceBy(5000);
    await call(sim.pollEvents());

    await call(sim.terminate([id]));
    const events = await call(sim.pollEvents());
    expect(taskStates(events)).toEqual(['long-a:STOPPED:v3', 'long-b:STOPPED:v3']);
    expect(events.at(-1)).toEqual({ kind: 'instance-terminated', instanceId: id });
    for (const jobId of ['long-a', 'long-b']) {
      const task = taskOf(jobId);
      expect(task).toMatchObject({ state: 'STOPPED', stopReason: 'instance terminated' });
      expect(task.exitCode).toBeUndefined();
    }
    expect(taskOf('long-c').state).toBe('RUNNING');

    const described = await call(sim.describe());
    expect(described.instances.map((i) => i.instanceId)).toEqual([keep]);
    expect(sim.instances().find((i) => i.instanceId === id)).toMatchObject({ state: 'terminated', terminatedAt: expect.any(Number) });

    // The scheduled exits of the stopped tasks do not fire again.
    await clock.advanceBy(4000_000);
    expect(taskOf('long-a').version).toBe(3);
    expect((await call(sim.startTasks(id, [spec('late')]))).failed).toEqual([{ jobId: 'late', reason: 'MISSING' }]);
    await call(sim.terminate([id]));
    expect((await errorOf(sim.terminate([keep, 'i-unknown']))).code).toBe('not-found');
    expect(sim.instances().find((i) => i.instanceId === keep)!.state).toBe('running');
  });

  it('terminates a pending instance before it ever registers', async () => {
    const { clock, sim, call } = setUp();
    const [instance] = await call(sim.launch('c6i.large', 1, 'a'));
    await call(sim.terminate([instance!.instanceId]));
    await clock.advanceBy(120_000);
    expect(await call(sim.pollEvents())).toEqual([{ kind: 'instance-terminated', instanceId: instance!.instanceId }]);
    expect(sim.instances()[0]!.registered).toBeUndefined();
  });
});

describe('SimCloud tasks', () => {
  it('refuses starts on unknown instances and on instances still booting', async () => {
    const { sim, call, errorOf } = setUp();
    expect((await errorOf(sim.startTasks('i-unknown', [spec('j')]))).code).toBe('not-found');
    const [booting] = await call(sim.launch('c6i.large', 1, 'a'));
    expect((await call(sim.startTasks(booting!.instanceId, [spec('j')]))).failed).toEqual([{ jobId: 'j', reason: 'MISSING' }]);
    expect(sim.startedTaskCount('j')).toBe(0);
  });

  it('runs a task PENDING → RUNNING after ~1 s → STOPPED with its exit code, versions rising', async () => {
    const { clock, sim, call, registeredInstance, taskOf } = setUp();
    const id = await registeredInstance();
    const { started, failed } = await call(sim.startTasks(id, [spec('ok'), spec('fail-1', SMALL, 2)]));
    expect(failed).toEqual([]);
    expect(started.map((t) => [t.jobId, t.attempt, t.state, t.version, t.instanceId])).toEqual([
      ['ok', 1, 'PENDING', 1, id],
      ['fail-1', 2, 'PENDING', 1, id],
    ]);
    const startedAt = taskOf('ok').startedAt;

    await clock.advanceBy(1000);
    expect(taskOf('ok')).toMatchObject({ state: 'RUNNING', version: 2, runningAt: startedAt + 1000 });

    await clock.advanceBy(60_000);
    expect(taskOf('ok')).toMatchObject({ state: 'STOPPED', version: 3, exitCode: 0, stoppedAt: startedAt + 61_000 });
    expect(taskOf('fail-1')).toMatchObject({ state: 'STOPPED', exitCode: 3, stopReason: 'Essential container in task exited' });

    expect(taskStates(await call(sim.pollEvents()))).toEqual([
      'ok:PENDING:v1',
      'fail-1:PENDING:v1',
      'ok:RUNNING:v2',
      'fail-1:RUNNING:v2',
      'ok:STOPPED:v3',
      'fail-1:STOPPED:v3',
    ]);
  });

  it('stops a task on request: killed at once (exit code 137) with the reason given, its resources freed; a stopped task is left alone', async () => {
    const { clock, sim, call, errorOf, registeredInstance, taskOf } = setUp();
    const id = await registeredInstance('c6i.large');
    const [task] = (await call(sim.startTasks(id, [spec('long', { cpu: 2048, memoryMiB: 1000, gpu: 0 })]))).started;
    await clock.advanceBy(5000);
    await call(sim.stopTask(task!.taskArn, 'timed out'));
    expect(taskOf('long')).toMatchObject({ state: 'STOPPED', exitCode: 137, stopReason: 'timed out' });
    // At the call (plus the sim's API latency), not when its run would have ended.
    expect(taskOf('long').stoppedAt! - taskOf('long').startedAt).toBeGreaterThanOrEqual(5000);
    expect(taskOf('long').stoppedAt! - taskOf('long').startedAt).toBeLessThan(6000);
    // Its cpu is free again.
    expect((await call(sim.startTasks(id, [spec('next', { cpu: 2048, memoryMiB: 1000, gpu: 0 })]))).started).toHaveLength(1);
    await call(sim.stopTask(task!.taskArn, 'again'));
    expect(taskOf('long').stopReason).toBe('timed out');
    expect((await errorOf(sim.stopTask('arn:unknown', 'x'))).code).toBe('not-found');
    expect(sim.apiCalls().stopTask).toMatchObject({ ok: 2, 'not-found': 1 });
  });

  it('accounts resources like ECS: what does not fit fails with the short resource', async () => {
    const { clock, sim, call, registeredInstance } = setUp();
    const id = await registeredInstance('c6i.large'); // 2048 cpu, 3500 MiB, 0 GPU
    const result = await call(
      sim.startTasks(id, [
        spec('a', { cpu: 1024, memoryMiB: 1000, gpu: 0 }),
        spec('b', { cpu: 1024, memoryMiB: 1000, gpu: 0 }),
        spec('c', { cpu: 256, memoryMiB: 100, gpu: 0 }),
        spec('d', { cpu: 0, memoryMiB: 2000, gpu: 0 }),
        spec('e', { cpu: 0, memoryMiB: 100, gpu: 1 }),
        spec('f', { cpu: 0, memoryMiB: 1500, gpu: 0 }),
      ]),
    );
    expect(result.started.map((t) => t.jobId)).toEqual(['a', 'b', 'f']);
    expect(result.failed).toEqual([
      { jobId: 'c', reason: 'RESOURCE:CPU' },
      { jobId: 'd', reason: 'RESOURCE:MEMORY' },
      { jobId: 'e', reason: 'RESOURCE:GPU' },
    ]);

    // Resources come back when tasks stop.
    await clock.advanceBy(61_000);
    const later = await call(sim.startTasks(id, [spec('c', { cpu: 256, memoryMiB: 100, gpu: 0 })]));
    expect(later.started.map((t) => t.jobId)).toEqual(['c']);
  });

  it('refuses a second live task for a job, anywhere, and counts the attempt', async () => {
    const { clock, sim, call, registeredInstance } = setUp();
    const first = await registeredInstance('m6i.xlarge');
    const second = await registeredInstance('m6i.xlarge');
    const once = await call(sim.startTasks(first, [spec('x'), spec('x')]));
    expect(once.started.map((t) => t.jobId)).toEqual(['x']);
    expect(once.failed).toEqual([{ jobId: 'x', reason: 'DUPLICATE' }]);
    expect((await call(sim.startTasks(second, [spec('x', SMALL, 2)]))).failed).toEqual([{ jobId: 'x', reason: 'DUPLICATE' }]);
    expect(sim.startedTaskCount('x')).toBe(1);
    expect(sim.duplicateStartAttempts()).toBe(2);

    // Once stopped, a retry may start.
    await clock.advanceBy(61_000);
    expect((await call(sim.startTasks(second, [spec('x', SMALL, 2)]))).started).toHaveLength(1);
    expect(sim.startedTaskCount('x')).toBe(2);
    expect(sim.startedTaskCount('never')).toBe(0);
  });

  it('describe lists live tasks and stopped ones for the retention time', async () => {
    const { clock, sim, call, registeredInstance } = setUp({ stoppedTaskRetentionSeconds: 600 });
    const id = await registeredInstance('m6i.xlarge');
    await call(sim.startTasks(id, [spec('short'), spec('long-1')]));
    await clock.advanceBy(120_000);
    expect((await call(sim.describe())).tasks.map((t) => `${t.jobId}:${t.state}`)).toEqual(['short:STOPPED', 'long-1:RUNNING']);
    await clock.advanceBy(600_000);
    expect((await call(sim.describe())).tasks.map((t) => t.jobId)).toEqual(['long-1']);
  });

  it('redelivers events at the duplicate rate, after newer ones', async () => {
    const { clock, sim, call, registeredInstance } = setUp({ duplicateEventRate: 1 });
    const id = await registeredInstance();
    await call(sim.pollEvents()); // the redelivered registration
    await call(sim.startTasks(id, [spec('j')]));
    expect(taskStates(await call(sim.pollEvents()))).toEqual(['j:PENDING:v1']);
    await clock.advanceBy(1000);
    expect(taskStates(await call(sim.pollEvents()))).toEqual(['j:RUNNING:v2', 'j:PENDING:v1']);
    expect(taskStates(await call(sim.pollEvents()))).toEqual(['j:RUNNING:v2']);
    expect(await call(sim.pollEvents())).toEqual([]);
  });

  it('delivers each event once without duplication', async () => {
    const { clock, sim, call, registeredInstance } = setUp();
    const id = await registeredInstance();
    await call(sim.startTasks(id, [spec('j')]));
    await clock.advanceBy(1000);
    expect(taskStates(await call(sim.pollEvents()))).toEqual(['j:PENDING:v1', 'j:RUNNING:v2']);
    expect(await call(sim.pollEvents())).toEqual([]);
  });
});

describe('SimCloud billing', () => {
  // c6i.large costs 3.6 $/h here: 0.001 $ per second.
  it('bills at least 60 s per instance, from the moment of launch', async () => {
    const { clock, sim, call } = setUp();
    expect(sim.costSoFar()).toBe(0);
    const [instance] = await call(sim.launch('c6i.large', 1, 'a'));
    expect(sim.costSoFar()).toBeCloseTo(0.06, 10);
    await clock.advanceBy(10_000);
    await call(sim.terminate([instance!.instanceId]));
    await clock.advanceBy(3_600_000);
    expect(sim.costSoFar()).toBeCloseTo(0.06, 10);
  });

  it('bills per started second after the first minute, and stops at termination', async () => {
    const { clock, sim, call } = setUp({ apiLatencyMs: 0 });
    const [instance] = await call(sim.launch('c6i.large', 1, 'a'));
    await clock.advanceBy(150_200);
    expect(sim.costSoFar()).toBeCloseTo(0.151, 10);
    await clock.advanceBy(800);
    expect(sim.costSoFar()).toBeCloseTo(0.151, 10);
    await clock.advanceBy(1);
    expect(sim.costSoFar()).toBeCloseTo(0.152, 10);
    await call(sim.terminate([instance!.instanceId]));
    await clock.advanceBy(3_600_000);
    expect(sim.costSoFar()).toBeCloseTo(0.152, 10);
  });

  it('adds up instances at their own prices', async () => {
    const { clock, sim, call } = setUp({ apiLatencyMs: 0 });
    await call(sim.launch('c6i.large', 2, 'a'));
    await call(sim.launch('m6i.xlarge', 1, 'b'));
    await clock.advanceBy(3_600_000);
    expect(sim.costSoFar()).toBeCloseTo(2 * 3.6 + 0.192, 10);
  });
});

describe('SimCloud determinism', () => {
  /** A fixed script with every kind of randomness in play; returns everything observable. */
  async function script(seed: number) {
    const { clock, sim, call } = setUp({
      seed,
      throttleRate: 0.2,
      capacityErrors: { 'g5.*': 0.5 },
      neverRegister: { 'c6i.*': 0.3 },
      duplicateEventRate: 0.3,
    });
    const attempt = async <T>(pending: Promise<T>): Promise<T | string> => {
      try {
        return await call(pending);
      } catch (error) {
        return (error as CloudError).code;
      }
    };
    const outcomes: unknown[] = [];
    for (let n = 0; n < 6; n++) outcomes.push(await attempt(sim.launch(n % 2 ? 'g5.xlarge' : 'c6i.large', 2, `t${n}`)));
    await clock.advanceBy(60_000);
    for (const instance of sim.instances()) {
      if (instance.registered) outcomes.push(await attempt(sim.startTasks(instance.instanceId, [spec(`job-${instance.instanceId}`)])));
    }
    for (let n = 0; n < 10; n++) {
      await clock.advanceBy(10_000);
      outcomes.push(await attempt(sim.pollEvents()));
    }
    return { outcomes, instances: sim.instances(), tasks: sim.tasks(), calls: sim.apiCalls(), cost: sim.costSoFar() };
  }

  it('replays exactly with the same seed', async () => {
    const first = await script(7);
    const second = await script(7);
    expect(second).toEqual(first);
    expect(first.tasks.length).toBeGreaterThan(0);
  });

  it('differs with another seed', async () => {
    const first = await script(7);
    const other = await script(8);
    expect(other.instances.map((i) => i.registeredAt)).not.toEqual(first.instances.map((i) => i.registeredAt));
  });
});
