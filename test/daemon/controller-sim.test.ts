import { describe, expect, it } from 'vitest';
import { buildHarness, job, stopDriving, succeeded } from './sim-harness.ts';

const burst = (n: number): ReturnType<typeof job>[] =>
  Array.from({ length: n }, (_, i) => job(`job-${i}`, i % 10 === 0 ? 'stitch' : i % 7 === 0 ? 'infer' : 'segment'));

describe('controller on the simulated cloud (virtual time)', () => {
  it('runs a burst of mixed jobs to completion, scales up within one batch window plus boot, and back down after idle', async () => {
    const h = buildHarness();
    const controller = h.newController();
    const jobs = burst(60);
    await h.queue.send(jobs);
    const t0 = h.clock.now();
    controller.start();

    const firstStart = await h.clock.runUntil(() => h.cloud.tasks().length > 0, 10 * 60_000);
    expect(firstStart).toBe(true);
    // Batch window (≤ 10 s) + boot (40–50 s) + API latency and a reconcile round.
    expect(h.clock.now() - t0).toBeLessThanOrEqual(70_000);

    const allDone = await h.clock.runUntil(() => succeeded(h.cloud, jobs.map((j) => j.jobId)).length === jobs.length, 3 * 3600_000);
    expect(allDone).toBe(true);
    for (const j of jobs) expect(h.cloud.startedTaskCount(j.jobId)).toBe(1);
    expect(h.cloud.duplicateStartAttempts()).toBe(0);
    expect(h.queue.depth()).toBe(0);

    // Idle for idleSeconds (300 s) plus a round: every node goes away (no warm minimum).
    await h.clock.runFor(400_000);
    expect(h.cloud.instances().filter((i) => i.state !== 'terminated')).toEqual([]);
    expect(controller.view().nodes).toEqual([]);
    await stopDriving(h, controller);
  });

  it('keeps the warm minimum when idle', async () => {
    const h = buildHarness({ settings: { warmNodes: { '*': 1 } } });
    const controller = h.newController();
    const jobs = burst(20);
    await h.queue.send(jobs);
    controller.start();
    await h.clock.runUntil(() => succeeded(h.cloud, jobs.map((j) => j.jobId)).length === jobs.length, 3 * 3600_000);
    await h.clock.runFor(900_000);
    expect(h.cloud.instances().filter((i) => i.state !== 'terminated')).toHaveLength(1);
    await stopDriving(h, controller);
  });

  it('replaces a node that never registers and avoids its type', async () => {
    // The cheapest types for these jobs are Graviton c7g/m7g: make both fail.
    const graviton = (type: string): boolean => /^(c7g|m7g)\./.test(type);
    const h = buildHarness({ sim: { neverRegister: { 'c7g.*': 1, 'm7g.*': 1 } }, settings: { registrationTimeoutSeconds: 120 } });
    const controller = h.newController();
    const jobs = Array.from({ length: 8 }, (_, i) => job(`seg-${i}`, 'segment'));
    await h.queue.send(jobs);
    controller.start();
    const done = await h.clock.runUntil(() => succeeded(h.cloud, jobs.map((j) => j.jobId)).length === jobs.length, 3600_000);
    expect(done).toBe(true);
    const launched = h.cloud.instances();
    expect(launched.some((i) => graviton(i.type))).toBe(true);
    // The instances that never registered were terminated, and the jobs ran elsewhere.
    for (const i of launched.filter((x) => graviton(x.type))) expect(i.state).toBe('terminated');
    expect(h.cloud.tasks().every((t) => !graviton(launched.find((i) => i.instanceId === t.instanceId)!.type))).toBe(true);
    expect(controller.view().recentDecisions.some((d) => d.kind === 'launch-failed')).toBe(true);
    await stopDriving(h, controller);
  });

  it('falls back to the next type when the cheapest has no capacity', async () => {
    const h = buildHarness({ sim: { capacityErrors: { 'c7g.*': 1, 'm7g.*': 1 } } });
    const controller = h.newController();
    const jobs = Array.from({ length: 8 }, (_, i) => job(`seg-${i}`, 'segment'));
    await h.queue.send(jobs);
    controller.start();
    const done = await h.clock.runUntil(() => succeeded(h.cloud, jobs.map((j) => j.jobId)).length === jobs.length, 3600_000);
    expect(done).toBe(true);
    expect(h.cloud.instances().every((i) => !/^(c7g|m7g)\./.test(i.type))).toBe(true);
    expect(h.cloud.apiCalls().launch.error).toBeGreaterThan(0);
    await stopDriving(h, controller);
  });

  it('retries a failed attempt and dead-letters when no attempt is left', async () => {
    const h = buildHarness({ exitCode: (jobId, attempt) => (jobId === 'flaky' && attempt === 1 ? 1 : jobId === 'broken' ? 2 : 0) });
    const controller = h.newController();
    await h.queue.send([job('flaky', 'segment'), job('broken', 'segment')]);
    controller.start();
    await h.clock.runUntil(() => h.cloud.tasks().filter((t) => t.state === 'STOPPED').length >= 3 && h.queue.deadLetters().length === 1, 3600_000);
    expect(succeeded(h.cloud, ['flaky'])).toEqual(['flaky']);
    expect(h.cloud.tasks().filter((t) => t.jobId === 'broken').map((t) => t.attempt)).toEqual([1, 2]);
    expect(h.queue.deadLetters()[0]!.reason).toMatch(/attempt 2 failed \(exit code 2\)/);
    await stopDriving(h, controller);
  });

  it('dead-letters an invalid message with the reason and keeps going', async () => {
    const h = buildHarness();
    const controller = h.newController();
    h.queue.sendRaw('{"jobId": "x"');
    await h.queue.send([job('ok', 'segment'), job('nope', 'no-such-algorithm')]);
    controller.start();
    await h.clock.runUntil(() => succeeded(h.cloud, ['ok']).length === 1, 3600_000);
    const reasons = h.queue.deadLetters().map((d) => d.reason);
    expect(reasons).toHaveLength(2);
    expect(reasons.join('\n')).toMatch(/unknown algorithm "no-such-algorithm"/);
    await stopDriving(h, controller);
  });

  it('on stop mid-burst hands held jobs back to the queue and loses none', async () => {
    const h = buildHarness();
    const controller = h.newController();
    const jobs = burst(40);
    await h.queue.send(jobs);
    controller.start();
    await h.clock.runUntil(() => h.cloud.tasks().length > 0, 600_000);
    await stopDriving(h, controller);
    const started = new Set(h.cloud.tasks().map((t) => t.jobId));
    expect(started.size).toBeGreaterThan(0);
    expect(started.size).toBeLessThan(jobs.length);
    // Every job not started is visible in the queue again, right away.
    expect(h.queue.visibleCount()).toBe(jobs.length - started.size);
  });

  it('after a crash, a new controller adopts the fleet and tasks, starts nothing twice and loses nothing', async () => {
    const h = buildHarness();
    const first = h.newController();
    const jobs = burst(50);
    await h.queue.send(jobs);
    first.start();
    await h.clock.runUntil(() => h.cloud.tasks().length >= 10, 600_000);
    await stopDriving(h, first, { handBack: false }); // a crash: held messages stay invisible until their visibility runs out

    const second = h.newController();
    second.start();
    const done = await h.clock.runUntil(() => succeeded(h.cloud, jobs.map((j) => j.jobId)).length === jobs.length, 6 * 3600_000);
    expect(done).toBe(true);
    for (const j of jobs) expect(h.cloud.startedTaskCount(j.jobId)).toBe(1);
    expect(h.cloud.duplicateStartAttempts()).toBe(0);
    expect(h.queue.depth()).toBe(0);
    expect(second.view().recentDecisions.some((d) => d.kind === 'adopt')).toBe(true);
    await stopDriving(h, second);
  });
});

describe('two messages with one job id (the idempotency key)', () => {
  it('runs the job once: the same work again is deleted, other work under the id is dead-lettered with the reason', async () => {
    const h = buildHarness();
    const controller = h.newController();
    const first = job('twin', 'segment');
    // In one batch, and again once the first is held: neither may run it a second time.
    await h.queue.send([first, { ...first }, { ...first, algorithm: 'infer', env: { MODEL: 'm1' } }]);
    controller.start();
    await h.clock.runUntil(() => h.cloud.tasks().length > 0, 10 * 60_000);
    await h.queue.send([{ ...first }, { ...first, inputs: ['s3://bucket/other.tif'] }]);

    expect(await h.clock.runUntil(() => succeeded(h.cloud, ['twin']).length === 1, 3600_000)).toBe(true);
    // Past every visibility timeout: no copy comes back to run again.
    await h.clock.runFor(3 * 3600_000);
    expect(h.cloud.startedTaskCount('twin')).toBe(1);
    expect(h.cloud.duplicateStartAttempts()).toBe(0);
    expect(h.queue.depth()).toBe(0);
    const letters = h.queue.deadLetters();
    expect(letters).toHaveLength(2);
    for (const letter of letters) expect(letter.reason).toMatch(/^job id "twin" (is already held|already runs) with a different message; expected one message per job id/);
    expect(letters.map((l) => (JSON.parse(l.body) as { algorithm: string; inputs: string[] }).algorithm).sort()).toEqual(['infer', 'segment']);
    await stopDriving(h, controller);
  });
});
