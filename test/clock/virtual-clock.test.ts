import { describe, it, expect } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.ts';

const START = Date.UTC(2026, 0, 1);

/** Records "label@seconds-since-start" as things happen. */
function recorder(clock: VirtualClock) {
  const log: string[] = [];
  return { log, mark: (label: string) => log.push(`${label}@${(clock.now() - START) / 1000}`) };
}

describe('VirtualClock', () => {
  it('starts at 2026-01-01 unless told otherwise', () => {
    expect(new VirtualClock().now()).toBe(START);
    expect(new VirtualClock({ startAt: 5 }).now()).toBe(5);
  });

  it('resolves a sleep only when driven, at exactly its due time', async () => {
    const clock = new VirtualClock();
    const { log, mark } = recorder(clock);
    void clock.sleep(3000).then(() => mark('woke'));
    await clock.settle();
    expect(log).toEqual([]);
    expect(clock.pendingTimers()).toEqual([START + 3000]);

    await clock.advanceBy(2999);
    expect(log).toEqual([]);
    expect(clock.now()).toBe(START + 2999);

    await clock.advanceBy(1);
    expect(log).toEqual(['woke@3']);
    expect(clock.pendingTimers()).toEqual([]);
  });

  it('wakes concurrent sleepers in time order, ties in registration order', async () => {
    const clock = new VirtualClock();
    const { log, mark } = recorder(clock);
    void clock.sleep(2000).then(() => mark('b'));
    void clock.sleep(1000).then(() => mark('a'));
    void clock.sleep(2000).then(() => mark('c'));
    void clock.sleep(2000).then(() => mark('d'));
    await clock.runFor(10_000);
    expect(log).toEqual(['a@1', 'b@2', 'c@2', 'd@2']);
    expect(clock.now()).toBe(START + 10_000);
  });

  it('follows sleeps that are registered while it advances, within the same advance', async () => {
    const clock = new VirtualClock();
    const { log, mark } = recorder(clock);
    const chain = async () => {
      await clock.sleep(1000);
      mark('one');
      await Promise.resolve();
      await clock.sleep(1000);
      mark('two');
    };
    void chain();
    await clock.advanceBy(2000);
    expect(log).toEqual(['one@1', 'two@2']);
  });

  it('runs a polling loop of async work and sleeps, beside another loop', async () => {
    const clock = new VirtualClock();
    let stopped = false;
    const ticks: number[] = [];
    const beats: number[] = [];
    const work = async () => {
      // Several awaits, as real work through ports has.
      for (let i = 0; i < 5; i++) await Promise.resolve();
      ticks.push((clock.now() - START) / 1000);
    };
    const loop = async () => {
      while (!stopped) {
        await work();
        await clock.sleep(5000);
      }
    };
    const heartbeat = async () => {
      while (!stopped) {
        beats.push((clock.now() - START) / 1000);
        await clock.sleep(7000);
      }
    };
    const done = Promise.all([loop(), heartbeat()]);

    await clock.runFor(30_000);
    expect(ticks).toEqual([0, 5, 10, 15, 20, 25, 30]);
    expect(beats).toEqual([0, 7, 14, 21, 28]);

    stopped = true;
    await clock.runFor(10_000);
    await done;
    expect(ticks).toHaveLength(7);
  });

  it('does not skip a sleep that code reaches only after a macrotask hop', async () => {
    const clock = new VirtualClock();
    const { log, mark } = recorder(clock);
    const hopThenSleep = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      await clock.sleep(1000);
      mark('after-hops');
    };
    void hopThenSleep();
    void clock.sleep(5000).then(() => mark('late'));
    await clock.runFor(5000);
    expect(log).toEqual(['after-hops@1', 'late@5']);
  });

  it('runUntil stops as soon as the predicate holds', async () => {
    const clock = new VirtualClock();
    let count = 0;
    const counter = async () => {
      for (;;) {
        await clock.sleep(1000);
        count++;
      }
    };
    void counter();
    const held = await clock.runUntil(() => count >= 3, 60_000);
    expect(held).toBe(true);
    expect(count).toBe(3);
    expect(clock.now()).toBe(START + 3000);
  });

  it('runUntil gives up at the limit and leaves time there', async () => {
    const clock = new VirtualClock();
    void clock.sleep(10_000);
    const held = await clock.runUntil(() => false, 4000);
    expect(held).toBe(false);
    expect(clock.now()).toBe(START + 4000);
    expect(clock.pendingTimers()).toEqual([START + 10_000]);
  });

  it('runUntil with no limit returns false without moving time when nothing is left to happen', async () => {
    const clock = new VirtualClock();
    expect(await clock.runUntil(() => false, Infinity)).toBe(false);
    expect(clock.now()).toBe(START);
  });

  it('removes an aborted sleep and rejects it with the reason', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(5000, controller.signal);
    void clock.sleep(8000);
    expect(clock.pendingTimers()).toHaveLength(2);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pendingTimers()).toEqual([START + 8000]);
  });

  it('rejects at once, registering nothing, when the signal is already aborted', async () => {
    const clock = new VirtualClock();
    const reason = new Error('already');
    await expect(clock.sleep(1000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(clock.pendingTimers()).toEqual([]);
  });

  it('a sleep that completed is not disturbed by a later abort', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    await clock.advanceBy(1000);
    controller.abort(new Error('too late'));
    await expect(sleeping).resolves.toBeUndefined();
  });

  it('treats negative and zero sleeps as due now, fired by the next drive', async () => {
    const clock = new VirtualClock();
    const { log, mark } = recorder(clock);
    void clock.sleep(-5).then(() => mark('negative'));
    void clock.sleep(0).then(() => mark('zero'));
    await clock.settle();
    expect(log).toEqual([]);
    await clock.advanceBy(0);
    expect(log).toEqual(['negative@0', 'zero@0']);
  });

  it('refuses a second driver while one runs', async () => {
    const clock = new VirtualClock();
    void clock.sleep(1000);
    const first = clock.advanceBy(1000);
    await expect(clock.advanceBy(1000)).rejects.toThrow(/already running/);
    await first;
  });
});
