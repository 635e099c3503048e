import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.ts';
import { ApiLimiter } from '../../src/controller/api-limiter.ts';

describe('ApiLimiter', () => {
  it('spaces calls to perSecond and never runs more than concurrency at once, on the given clock', async () => {
    const clock = new VirtualClock();
    const limiter = new ApiLimiter(clock, { concurrency: 2, perSecond: 4 });
    const starts: number[] = [];
    let inFlight = 0;
    let most = 0;
    const calls = Array.from({ length: 8 }, () =>
      limiter.run(async () => {
        starts.push(clock.now());
        most = Math.max(most, ++inFlight);
        await clock.sleep(1000);
        inFlight--;
      }),
    );
    let done = false;
    void Promise.all(calls).then(() => (done = true));
    await clock.runUntil(() => done, 60_000);
    const t0 = starts[0]!;
    expect(starts.map((t) => t - t0)).toEqual([0, 250, 1000, 1250, 2000, 2250, 3000, 3250]);
    expect(most).toBe(2);
  });

  it('backs off after throttling and recovers after successes', () => {
    const limiter = new ApiLimiter(new VirtualClock(), { concurrency: 1, perSecond: 1 });
    limiter.throttled();
    limiter.throttled();
    expect(limiter.slowdown()).toBe(4);
    for (let i = 0; i < 10; i++) limiter.throttled();
    expect(limiter.slowdown()).toBe(16);
    for (let i = 0; i < 100; i++) limiter.succeeded();
    expect(limiter.slowdown()).toBe(1);
  });
});
