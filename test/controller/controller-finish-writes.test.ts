// A task stopped with a failure: the controller writes a retry (attempt + 1) or a dead
// letter. The queue may refuse that write; the write is then kept and tried again each
// round until the queue takes it, so the job is never lost. The real controller, sim and
// in-memory queue; only a thin JobSource wrapper that refuses some writes sits between.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FileWriteSpool } from '../../src/adapters/file-spool/file-write-spool.ts';
import type { MemoryJobSource } from '../../src/adapters/memory-queue/memory-job-source.ts';
import type { VirtualClock } from '../../src/clock/virtual-clock.ts';
import { policyFromConfig } from '../../src/config/config-to-core.ts';
import { Controller } from '../../src/controller/controller.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import type { HeldMessage, JobSource, RejectedMessage } from '../../src/ports/job-source.ts';
import type { FinishWrite, WriteSpool } from '../../src/ports/write-spool.ts';
import { stopOnVirtualClock } from '../../src/simulation/sim-world.ts';
import type { SimCloud } from '../../src/adapters/sim/sim-cloud.ts';
import { buildHarness, job } from '../daemon/sim-harness.ts';

const CONFIG = `
catalog: { include: ["c7g.*", "m7g.*"] }
algorithms:
  segment:
    image: seg:1
    resources: { cpu: 1024, memoryMiB: 2048 }
    retry: { attempts: 2 }
  once:
    image: once:1
    resources: { cpu: 1024, memoryMiB: 2048 }
`;

const RECONCILE_MS = 5_000;

/** A write the wrapper was asked for: when, which jobs, and whether it went through. */
interface WriteAttempt {
  readonly at: number;
  readonly jobIds: readonly string[];
  readonly ok: boolean;
}

/** The in-memory queue, except that the next `refuseSends` sends and `refuseDeadLetters` dead letters reject. */
class RefusingQueue implements JobSource {
  refuseSends = 0;
  refuseDeadLetters = 0;
  /** While set, each dead letter (once recorded) waits for it before it goes through or is refused. */
  holdDeadLetters: Promise<void> | undefined;
  readonly sends: WriteAttempt[] = [];
  readonly deadLetterWrites: WriteAttempt[] = [];
  readonly #inner: MemoryJobSource;
  readonly #clock: VirtualClock;

  constructor(inner: MemoryJobSource, clock: VirtualClock) {
    this.#inner = inner;
    this.#clock = clock;
  }

  receive(max: number): Promise<{ readonly held: readonly HeldMessage[]; readonly rejected: readonly RejectedMessage[] }> {
    return this.#inner.receive(max);
  }

  extendVisibility(receipts: readonly string[], seconds: number): Promise<void> {
    return this.#inner.extendVisibility(receipts, seconds);
  }

  delete(receipts: readonly string[]): Promise<void> {
    return this.#inner.delete(receipts);
  }

  release(receipts: readonly string[]): Promise<void> {
    return this.#inner.release(receipts);
  }

  async deadLetter(receipt: string | undefined, body: string, reason: string): Promise<void> {
    const ok = this.refuseDeadLetters === 0;
    this.deadLetterWrites.push({ at: this.#clock.now(), jobIds: [(JSON.parse(body) as JobMessage).jobId], ok });
    await this.holdDeadLetters;
    if (!ok) {
      this.refuseDeadLetters--;
      throw new Error('SendMessage to the dead-letter queue: ServiceUnavailable');
    }
    await this.#inner.deadLetter(receipt, body, reason);
  }

  async send(messages: readonly JobMessage[]): Promise<void> {
    const ok = this.refuseSends === 0;
    this.sends.push({ at: this.#clock.now(), jobIds: messages.map((m) => m.jobId), ok });
    if (!ok) {
      this.refuseSends--;
      throw new Error('SendMessageBatch: ServiceUnavailable');
    }
    await this.#inner.send(messages);
  }
}

interface Setup {
  readonly clock: VirtualClock;
  readonly cloud: SimCloud;
  /** The real queue behind the wrapper: what is really in it. */
  readonly memory: MemoryJobSource;
  readonly queue: RefusingQueue;
  readonly controller: Controller;
  readonly logLines: string[];
}

/** A controller on the sim whose queue is the refusing wrapper; `exitCode` says how each attempt exits (60 s runs). */
function setUp(exitCode: (jobId: string, attempt: number) => number, kept: { spool: WriteSpool; keptWrites: readonly FinishWrite[] } | Record<string, never> = {}): Setup {
  const { clock, cloud, queue: memory, config, logger, logLines, world } = buildHarness({ config: CONFIG, settings: { reconcileSeconds: RECONCILE_MS / 1000 }, taskSeconds: 60, exitCode });
  const queue = new RefusingQueue(memory, clock);
  const controller = new Controller({
    clock,
    cloud,
    queue,
    catalog: world.catalog,
    policy: policyFromConfig(config),
    settings: world.settings,
    rules: world.rules,
    logger,
    metrics: createMetrics(),
    ...kept,
  });
  return { clock, cloud, memory, queue, controller, logLines };
}

const attemptsOf = (cloud: SimCloud, jobId: string): [number, number | undefined][] =>
  cloud
    .tasks()
    .filter((t) => t.jobId === jobId)
    .map((t) => [t.attempt, t.exitCode]);

/**
 * The tries of one write, in time order: the one that went through came in a later round
 * than the first refusal, and within a round per refusal (plus one) of it, not at some far
 * later resync. (The first try again may come in the very round that was refused.)
 */
function expectRetriedOverRounds(writes: readonly WriteAttempt[]): void {
  for (let i = 1; i < writes.length; i++) expect(writes[i]!.at).toBeGreaterThanOrEqual(writes[i - 1]!.at);
  const first = writes[0]!;
  const last = writes.at(-1)!;
  expect(last.ok).toBe(true);
  expect(last.at).toBeGreaterThan(first.at);
  expect(last.at - first.at).toBeLessThanOrEqual(writes.length * (RECONCILE_MS + 1000));
}

describe('controller finish writes when the queue refuses them', () => {
  it('keeps a refused retry and writes it on a later round: the retry runs and the job succeeds', async () => {
    const s = setUp((jobId, attempt) => (jobId === 'flaky' && attempt === 1 ? 1 : 0));
    await s.memory.send([job('flaky', 'segment')]);
    s.queue.refuseSends = 2;
    s.controller.start();

    const succeeded = await s.clock.runUntil(() => attemptsOf(s.cloud, 'flaky').some(([attempt, code]) => attempt === 2 && code === 0), 3600_000);
    expect(succeeded).toBe(true);
    expect(attemptsOf(s.cloud, 'flaky')).toEqual([
      [1, 1],
      [2, 0],
    ]);

    // The retry was refused twice, then written; each try on a later round than the one before.
    expect(s.queue.sends.map((w) => [w.jobIds, w.ok])).toEqual([
      [['flaky'], false],
      [['flaky'], false],
      [['flaky'], true],
    ]);
    expectRetriedOverRounds(s.queue.sends);
    const firstStop = s.cloud.tasks().find((t) => t.jobId === 'flaky' && t.attempt === 1)!.stoppedAt!;
    const retryStart = s.cloud.tasks().find((t) => t.jobId === 'flaky' && t.attempt === 2)!.startedAt;
    expect(retryStart).toBeGreaterThanOrEqual(s.queue.sends[2]!.at);
    expect(retryStart).toBeGreaterThan(firstStop);
    expect(s.logLines.join('')).toMatch(/writing the retry of job flaky failed; trying again next round/);

    // Nothing lost, nothing twice: the queue is empty, nothing dead-lettered, two starts in all.
    expect(s.memory.depth()).toBe(0);
    expect(s.memory.deadLetters()).toEqual([]);
    expect(s.cloud.startedTaskCount('flaky')).toBe(2);
    expect(s.cloud.duplicateStartAttempts()).toBe(0);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('keeps a refused dead letter and writes it exactly once on a later round', async () => {
    const s = setUp((jobId) => (jobId === 'doomed' ? 3 : 0));
    await s.memory.send([job('doomed', 'once'), job('fine', 'once')]);
    s.queue.refuseDeadLetters = 3;
    s.controller.start();

    const lettered = await s.clock.runUntil(() => s.memory.deadLetters().length > 0, 3600_000);
    expect(lettered).toBe(true);
    // Let several more rounds pass: the write is not repeated once it went through.
    await s.clock.runFor(20 * RECONCILE_MS);

    const letters = s.memory.deadLetters();
    expect(letters).toHaveLength(1);
    expect((JSON.parse(letters[0]!.body) as JobMessage).jobId).toBe('doomed');
    expect(letters[0]!.reason).toBe('attempt 1 failed (exit code 3); no retry left');
    expect(s.queue.deadLetterWrites.map((w) => w.ok)).toEqual([false, false, false, true]);
    expectRetriedOverRounds(s.queue.deadLetterWrites);
    // The failed job got no second attempt; the other one ran once and succeeded.
    expect(attemptsOf(s.cloud, 'doomed')).toEqual([[1, 3]]);
    expect(attemptsOf(s.cloud, 'fine')).toEqual([[1, 0]]);
    expect(s.memory.depth()).toBe(0);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('keeps a retry and a dead letter refused in the same round, and writes both', async () => {
    // Both jobs start together on one node and stop together: their writes fail in one round.
    const s = setUp((jobId, attempt) => (jobId === 'flaky' && attempt === 1 ? 1 : jobId === 'doomed' ? 2 : 0));
    await s.memory.send([job('flaky', 'segment'), job('doomed', 'once')]);
    s.queue.refuseSends = 1;
    s.queue.refuseDeadLetters = 1;
    s.controller.start();

    const done = await s.clock.runUntil(
      () => s.memory.deadLetters().length === 1 && attemptsOf(s.cloud, 'flaky').some(([attempt, code]) => attempt === 2 && code === 0),
      3600_000,
    );
    expect(done).toBe(true);
    expect(s.queue.sends.map((w) => w.ok)).toEqual([false, true]);
    expect(s.queue.deadLetterWrites.map((w) => w.ok)).toEqual([false, true]);
    expect((JSON.parse(s.memory.deadLetters()[0]!.body) as JobMessage).jobId).toBe('doomed');
    expect(s.memory.depth()).toBe(0);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('stopping with a retry the queue still refuses: one last try, then the whole message logged as an error so nothing is lost unseen', async () => {
    const s = setUp((jobId, attempt) => (jobId === 'flaky' && attempt === 1 ? 1 : 0));
    await s.memory.send([job('flaky', 'segment')]);
    s.queue.refuseSends = 1_000;
    s.controller.start();
    const failed = await s.clock.runUntil(() => s.queue.sends.length > 0, 3600_000);
    expect(failed).toBe(true);
    const triesBeforeStop = s.queue.sends.length;

    await stopOnVirtualClock(s.clock, s.controller);

    // One more try at stop, refused too; then an error line carrying the body to re-send.
    expect(s.queue.sends.length).toBe(triesBeforeStop + 1);
    const errors = s.logLines.map((line) => JSON.parse(line) as { level: number; msg: string; body?: string; jobId?: string }).filter((e) => e.level >= 50);
    const unwritten = errors.find((e) => /stopping with the retry of job flaky unwritten/.test(e.msg));
    expect(unwritten?.jobId).toBe('flaky');
    expect(JSON.parse(unwritten!.body!)).toMatchObject({ jobId: 'flaky', attempt: 2 });
  });

  it('with a spool, a save that runs while refused writes are being sent again still keeps them', async () => {
    // The spool's first save is slow, so the next one runs late: while the controller is
    // sending the two refused dead letters again. A crash then must not find an empty spool.
    const saves: string[][] = [];
    let releaseFirstSave = (): void => {};
    const firstSaveHeld = new Promise<void>((resolve) => (releaseFirstSave = resolve));
    const spool: WriteSpool = {
      load: () => Promise.resolve([]),
      async save(writes) {
        saves.push(writes.map((w) => w.message.jobId).sort());
        if (saves.length === 1) await firstSaveHeld;
      },
    };
    const s = setUp(() => 1, { spool, keptWrites: [] });
    // Both start together on one node and stop together: both dead letters are refused in one round.
    await s.memory.send([job('doomed-a', 'once'), job('doomed-b', 'once')]);
    s.queue.refuseDeadLetters = 2;
    s.controller.start();
    expect(await s.clock.runUntil(() => s.queue.deadLetterWrites.length === 2, 3600_000)).toBe(true);
    expect(s.queue.deadLetterWrites.map((w) => w.ok)).toEqual([false, false]);

    // The next round sends them again; the queue holds the first.
    let releaseDeadLetters = (): void => {};
    s.queue.holdDeadLetters = new Promise<void>((resolve) => (releaseDeadLetters = resolve));
    expect(await s.clock.runUntil(() => s.queue.deadLetterWrites.length === 3, 60_000)).toBe(true);
    // Now the late save runs: both writes are in flight, none is unwritten, and it keeps both.
    releaseFirstSave();
    await vi.waitFor(() => expect(saves.length).toBeGreaterThanOrEqual(2));
    expect(saves[1]).toEqual(['doomed-a', 'doomed-b']);

    // The queue takes them; the spool empties and each is dead-lettered once.
    s.queue.holdDeadLetters = undefined;
    releaseDeadLetters();
    expect(await s.clock.runUntil(() => s.memory.deadLetters().length === 2, 60_000)).toBe(true);
    await vi.waitFor(() => expect(saves.at(-1)).toEqual([]));
    expect(
      s.memory
        .deadLetters()
        .map((l) => (JSON.parse(l.body) as JobMessage).jobId)
        .sort(),
    ).toEqual(['doomed-a', 'doomed-b']);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('with a spool, a dead letter the queue refused outlives a crash and is written when loadmaster starts again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loadmaster-spool-'));
    const spool = new FileWriteSpool(join(dir, 'unwritten.json'));
    const first = setUp(() => 1, { spool, keptWrites: [] });
    await first.memory.send([job('doomed', 'once')]);
    first.queue.refuseDeadLetters = 1_000;
    first.controller.start();
    expect(await first.clock.runUntil(() => first.queue.deadLetterWrites.length > 0, 3600_000)).toBe(true);
    // Saved when refused, not only at stop: a kill -9 from here on loses nothing.
    await vi.waitFor(async () => expect(await spool.load()).toHaveLength(1));
    // A crash: nothing handed back, the queue still refusing.
    await stopOnVirtualClock(first.clock, first.controller, { handBack: false });
    expect(first.memory.deadLetters()).toEqual([]);
    const kept = await spool.load();
    expect(kept).toMatchObject([{ kind: 'dead-letter', message: { jobId: 'doomed' }, reason: 'attempt 1 failed (exit code 1); no retry left' }]);

    // The next process reads the spool; its first round writes the dead letter, and the spool empties.
    const second = setUp(() => 0, { spool, keptWrites: kept });
    second.controller.start();
    expect(await second.clock.runUntil(() => second.memory.deadLetters().length > 0, 60_000)).toBe(true);
    expect(JSON.parse(second.memory.deadLetters()[0]!.body)).toMatchObject({ jobId: 'doomed' });
    await stopOnVirtualClock(second.clock, second.controller);
    expect(await readdir(dir)).toEqual([]);
  });
});
