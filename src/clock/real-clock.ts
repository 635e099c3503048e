import type { Clock } from '../ports/clock.ts';

// setTimeout keeps its delay in a signed 32-bit int (and fires after 1 ms beyond that),
// so a longer sleep is a chain of shorter timeouts.
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

/** Wall-clock time, for `loadmaster run`. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let remainingMs = Number.isNaN(ms) ? 0 : Math.max(0, ms);
      let handle: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        clearTimeout(handle);
        reject(signal!.reason);
      };
      const wait = (): void => {
        const stepMs = Math.min(remainingMs, LONGEST_TIMEOUT_MS);
        remainingMs -= stepMs;
        handle = setTimeout(remainingMs > 0 ? wait : finish, stepMs);
      };
      const finish = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Even sleep(0) goes through a timer, so a polling loop always yields to I/O.
      wait();
    }),
};
