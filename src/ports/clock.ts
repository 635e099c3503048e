// All time goes through a Clock: real time for `loadmaster run`, virtual time (as fast as
// the CPU allows) for tests, simulations and benchmarks. The same controller runs on both.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
