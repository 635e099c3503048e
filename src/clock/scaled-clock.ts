import type { Clock } from '../ports/clock.ts';
import { realClock } from './real-clock.ts';

/**
 * Real time, sped up: `factor` seconds of this clock pass per wall-clock second. The
 * demo runs on it, so instance boots and job runs of minutes show in seconds.
 */
export function scaledClock(factor: number, startAt: number = Date.now()): Clock {
  if (!(factor > 0)) throw new RangeError(`time scale must be > 0, got ${factor}`);
  return {
    now: () => startAt + (Date.now() - startAt) * factor,
    sleep: (ms, signal) => realClock.sleep(ms / factor, signal),
  };
}
