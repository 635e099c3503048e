// algorithms.NAME.timeoutSeconds: a task that runs past it is stopped, and the attempt fails
// as any failure does (another attempt where the retry rules take its exit code, else a dead
// letter that says it timed out). The real controller, planner, sim and in-memory queue, in
// virtual time.
import { describe, expect, it } from 'vitest';
import { stopOnVirtualClock } from '../../src/simulation/sim-world.ts';
import { buildHarness, job } from '../daemon/sim-harness.ts';

const config = (retry: string): string => `
catalog: { include: ["c7g.large"] }
policy: { maxInstances: 10, maxHourlyCost: 10 }
algorithms:
  stuck:
    image: stuck:1
    resources: { cpu: 1024, memoryMiB: 1024 }
    timeoutSeconds: 100
    retry: ${retry}
  quick:
    image: quick:1
    resources: { cpu: 1024, memoryMiB: 1024 }
    timeoutSeconds: 100
`;

// "stuck" would run an hour; "quick" finishes within its timeout.
const SECONDS: Record<string, number> = { stuck: 3600, quick: 90 };

function setUp(retry: string, stoppedExitCode?: number) {
  const harness = buildHarness({ config: config(retry), taskSeconds: (jobId) => SECONDS[jobId]!, ...(stoppedExitCode === undefined ? {} : { sim: { stoppedExitCode } }) });
  return { ...harness, controller: harness.newController() };
}

describe('job timeouts (algorithms.NAME.timeoutSeconds)', () => {
  it('stops a task that runs past its timeout and dead-letters the job when no attempt is left, saying why', async () => {
    const s = setUp('{ attempts: 1 }');
    await s.queue.send([job('stuck', 'stuck'), job('quick', 'quick')]);
    s.controller.start();
    expect(await s.clock.runUntil(() => s.queue.deadLetters().length > 0, 3600_000)).toBe(true);

    const stuck = s.cloud.tasks().filter((t) => t.jobId === 'stuck');
    expect(stuck).toHaveLength(1);
    expect(stuck[0]).toMatchObject({ state: 'STOPPED', exitCode: 137 });
    expect(stuck[0]!.stopReason).toContain('ran past its 100 s timeout (algorithms.stuck.timeoutSeconds)');
    // Stopped within a round or two of the timeout, not when its hour was up.
    const ranSeconds = (stuck[0]!.stoppedAt! - stuck[0]!.startedAt) / 1000;
    expect(ranSeconds).toBeGreaterThanOrEqual(100);
    expect(ranSeconds).toBeLessThanOrEqual(112);

    const [letter] = s.queue.deadLetters();
    expect(letter!.reason).toBe('attempt 1 failed (timed out after 100 s, exit code 137); no retry left');
    const timeout = s.controller.view().recentDecisions.find((d) => d.kind === 'timeout');
    expect(timeout).toMatchObject({ jobId: 'stuck' });
    expect(timeout!.message).toContain('past its 100 s timeout');

    // The job within its timeout ran to the end.
    expect(await s.clock.runUntil(() => s.cloud.tasks().some((t) => t.jobId === 'quick' && t.exitCode === 0), 600_000)).toBe(true);
    expect(s.controller.view().recentDecisions.filter((d) => d.kind === 'timeout')).toHaveLength(1);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('retries a timed-out attempt when the retry rules take its exit code', async () => {
    const s = setUp('{ attempts: 2 }');
    await s.queue.send([job('stuck', 'stuck')]);
    s.controller.start();
    expect(await s.clock.runUntil(() => s.queue.deadLetters().length > 0, 3600_000)).toBe(true);
    const attempts = s.cloud.tasks().filter((t) => t.jobId === 'stuck');
    expect(attempts.map((t) => [t.attempt, t.exitCode])).toEqual([
      [1, 137],
      [2, 137],
    ]);
    expect(s.queue.deadLetters()[0]!.reason).toBe('attempt 2 failed (timed out after 100 s, exit code 137); no retry left');
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('dead-letters at once when the retry rules list exit codes without the one a stopped task gives', async () => {
    const s = setUp('{ attempts: 3, exitCodes: [1] }');
    await s.queue.send([job('stuck', 'stuck')]);
    s.controller.start();
    expect(await s.clock.runUntil(() => s.queue.deadLetters().length > 0, 3600_000)).toBe(true);
    expect(s.cloud.tasks().filter((t) => t.jobId === 'stuck')).toHaveLength(1);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('times a task out from its real start after a restart, not from when the new process found it', async () => {
    const s = setUp('{ attempts: 1 }');
    await s.queue.send([job('stuck', 'stuck')]);
    s.controller.start();
    expect(await s.clock.runUntil(() => s.cloud.tasks().some((t) => t.jobId === 'stuck'), 600_000)).toBe(true);
    const task = () => s.cloud.tasks().find((t) => t.jobId === 'stuck')!;
    await s.clock.runFor(60_000);
    // A crash 60 s into the run; a new process adopts the task from the cloud.
    await stopOnVirtualClock(s.clock, s.controller, { handBack: false });
    const next = s.newController();
    next.start();
    expect(await s.clock.runUntil(() => task().stoppedAt !== undefined, 600_000)).toBe(true);
    expect(task().exitCode).toBe(137);
    expect(task().stopReason).toContain('ran past its 100 s timeout (algorithms.stuck.timeoutSeconds)');
    const ranSeconds = (task().stoppedAt! - task().startedAt) / 1000;
    expect(ranSeconds).toBeGreaterThanOrEqual(100);
    expect(ranSeconds).toBeLessThanOrEqual(112);
    await stopOnVirtualClock(s.clock, next);
  });

  it('counts a task stopped for its timeout as failed even when its container exits 0 on SIGTERM', async () => {
    // Stopped containers exit 0: what one that handles SIGTERM gracefully may report.
    const s = setUp('{ attempts: 1 }', 0);
    await s.queue.send([job('stuck', 'stuck')]);
    s.controller.start();
    expect(await s.clock.runUntil(() => s.queue.deadLetters().length > 0, 3600_000)).toBe(true);
    expect(s.queue.deadLetters()[0]!.reason).toBe('attempt 1 failed (timed out after 100 s, exit code 0); no retry left');
    expect(s.cloud.tasks().find((t) => t.jobId === 'stuck')!.exitCode).toBe(0);
    await stopOnVirtualClock(s.clock, s.controller);
  });
});
