import PQueue from 'p-queue';
import type { Clock } from '../ports/clock.ts';

/** A throttled call at most multiplies the spacing by this much, in doublings. */
const MAX_SLOWDOWN = 16;

/**
 * One cloud operation's limits: at most `concurrency` calls in flight (p-queue) and at
 * most `perSecond` calls started per second, spaced on the controller's clock so the
 * same limits hold in virtual time. Throttling backs off: each throttled call doubles
 * the spacing (up to 16×), each successful one takes a tenth of that back.
 */
export class ApiLimiter {
  readonly #clock: Clock;
  readonly #queue: PQueue;
  readonly #spacingMs: number;
  #slowdown = 1;
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
      this.#nextStartAt = startAt + this.#spacingMs * this.#slowdown;
      if (startAt > now) await this.#clock.sleep(startAt - now);
      return call();
    }) as Promise<T>;
  }

  /** The cloud said "slow down". */
  throttled(): void {
    this.#slowdown = Math.min(MAX_SLOWDOWN, this.#slowdown * 2);
  }

  /** A call went through. */
  succeeded(): void {
    this.#slowdown = Math.max(1, this.#slowdown * 0.9);
  }

  /** Current multiple of the configured spacing (1 = full rate). */
  slowdown(): number {
    return this.#slowdown;
  }

  /** Resolves when every queued call has finished. */
  idle(): Promise<void> {
    return this.#queue.onIdle();
  }
}
