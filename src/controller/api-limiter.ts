import PQueue from 'p-queue';
import type { Clock } from '../ports/clock.ts';

/**
 * One cloud operation's limits: at most `concurrency` calls in flight (p-queue) and at
 * most `perSecond` calls started per second, spaced on the controller's clock so the
 * same limits hold in virtual time.
 */
export class ApiLimiter {
  readonly #clock: Clock;
  readonly #queue: PQueue;
  readonly #spacingMs: number;
  #nextStartAt = 0;

  constructor(clock: Clock, limits: { readonly concurrency: number; readonly perSecond: number }) {
    this.#clock = clock;
    this.#queue = new PQueue({ concurrency: limits.concurrency });
    this.#spacingMs = 1000 / limits.perSecond;
  }

  run<T>(call: () => Promise<T>): Promise<T> {
    return this.#queue.add(async () => {
      const now = this.#clock.now();
      const startAt = Math.max(now, this.#nextStartAt);
      this.#nextStartAt = startAt + this.#spacingMs;
      if (startAt > now) await this.#clock.sleep(startAt - now);
      return call();
    }) as Promise<T>;
  }

  /** Resolves when every queued call has finished. */
  idle(): Promise<void> {
    return this.#queue.onIdle();
  }
}
