import type { Clock } from '../ports/clock.ts';

// Virtual time for tests, simulations and benchmarks: runs as fast as the CPU allows.
//
// `sleep` only registers a timer; time moves when a driver (`runUntil`, `advanceBy`,
// `runFor`) jumps `now` to the earliest pending timer and resolves it. Between two jumps
// the driver *settles*: it lets every promise chain that can make progress without time
// passing run to its next `sleep` (or to its end), so a sleep that is about to be
// registered is never skipped over.
//
// How settling works: one macrotask (`setImmediate`) runs only after the microtask queue
// is empty, so awaiting one drains every pure promise chain, however long. Code that
// itself hops through macrotasks (setImmediate, a resolved stream) needs more turns, so
// the driver keeps awaiting macrotasks until `quietTurns` turns in a row have passed in
// which no timer was registered, fired or aborted. Real I/O (files, sockets) that takes
// longer than that is not waited for: code on a virtual clock should do none.

export interface VirtualClockOptions {
  /** Where time starts, ms since the epoch (default 2026-01-01T00:00:00Z, so logs read well). */
  readonly startAt?: number;
  /** Macrotask turns without timer activity that count as settled (default 3). */
  readonly quietTurns?: number;
}

interface Timer {
  readonly dueAt: number;
  readonly fire: () => void;
}

const DEFAULT_START_AT = Date.UTC(2026, 0, 1);
const DEFAULT_QUIET_TURNS = 3;
// A guard against code that keeps scheduling macrotasks forever; settling then gives up.
const MAX_SETTLE_TURNS = 10_000;

const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  #now: number;
  readonly #quietTurns: number;
  /** Sorted by (dueAt, order): the next timer to fire is first. */
  readonly #timers: Timer[] = [];
  /** Grows on every registration, firing and abort: settling watches it. */
  #activity = 0;
  #driving = false;

  constructor(options: VirtualClockOptions = {}) {
    this.#now = options.startAt ?? DEFAULT_START_AT;
    this.#quietTurns = Math.max(1, options.quietTurns ?? DEFAULT_QUIET_TURNS);
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#remove(timer);
        reject(signal!.reason);
      };
      const timer: Timer = {
        dueAt: this.#now + (Number.isNaN(ms) ? 0 : Math.max(0, ms)),
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#insert(timer);
    });
  }

  /** Due times (ms since the epoch) of the timers not yet fired, in firing order. */
  pendingTimers(): readonly number[] {
    return this.#timers.map((t) => t.dueAt);
  }

  /** Lets everything that can run without time passing run (see the top of this file). */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let turn = 0; quiet < this.#quietTurns && turn < MAX_SETTLE_TURNS; turn++) {
      const before = this.#activity;
      await nextMacrotask();
      quiet = this.#activity === before ? quiet + 1 : 0;
    }
  }

  /**
   * Fires timers in order until `predicate` holds (checked after settling, before every
   * jump) or the next timer lies more than `limitMs` ahead. Returns whether the predicate
   * held. When it did not, time stands at now + limitMs, or stays put when `limitMs` is
   * infinite and no timer is left (nothing can happen any more).
   */
  async runUntil(predicate: () => boolean, limitMs: number): Promise<boolean> {
    if (this.#driving) throw new Error('VirtualClock: a driver (runUntil/advanceBy/runFor) is already running');
    this.#driving = true;
    try {
      const deadline = this.#now + Math.max(0, limitMs);
      for (;;) {
        await this.settle();
        if (predicate()) return true;
        const next = this.#timers[0];
        if (next === undefined || next.dueAt > deadline || !Number.isFinite(next.dueAt)) {
          if (Number.isFinite(deadline)) this.#now = deadline;
          await this.settle();
          return predicate();
        }
        this.#timers.shift();
        this.#now = next.dueAt;
        this.#activity++;
        next.fire();
      }
    } finally {
      this.#driving = false;
    }
  }

  /** Fires every timer due within `ms`, in order, and leaves time at now + ms. */
  async advanceBy(ms: number): Promise<void> {
    await this.runUntil(() => false, ms);
  }

  /** The same as advanceBy; reads better when letting a simulation run for a while. */
  async runFor(ms: number): Promise<void> {
    await this.advanceBy(ms);
  }

  #insert(timer: Timer): void {
    // Insert after every timer due at the same time or earlier: ties fire in registration order.
    let low = 0;
    let high = this.#timers.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#timers[mid]!.dueAt <= timer.dueAt) low = mid + 1;
      else high = mid;
    }
    this.#timers.splice(low, 0, timer);
    this.#activity++;
  }

  #remove(timer: Timer): void {
    const index = this.#timers.indexOf(timer);
    if (index >= 0) this.#timers.splice(index, 1);
    this.#activity++;
  }
}
