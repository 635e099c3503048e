import { describe, it, expect } from 'vitest';
import { realClock } from '../../src/clock/real-clock.ts';

describe('realClock', () => {
  it('reads wall-clock time', () => {
    const before = Date.now();
    const now = realClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('sleeps at least the given time', async () => {
    const started = performance.now();
    await realClock.sleep(30);
    // Timers may fire up to a millisecond early against performance.now().
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  });

  it('rejects with the signal reason when aborted while sleeping', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const started = performance.now();
    const sleeping = realClock.sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(reason), 10);
    await expect(sleeping).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('already');
    await expect(realClock.sleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
