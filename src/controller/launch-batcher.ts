/**
 * Launch batching, as the best autoscalers do it: after the first job that needs new
 * capacity, wait until no new such job has arrived for `idleMs`, but never longer than
 * `maxMs`, so one decision buys capacity for the whole burst. Pure: time comes in.
 */
export class LaunchBatcher {
  readonly #idleMs: number;
  readonly #maxMs: number;
  #firstAt: number | undefined;
  #lastNewAt = 0;
  #seen = new Set<string>();

  constructor(idleMs: number, maxMs: number) {
    this.#idleMs = idleMs;
    this.#maxMs = maxMs;
  }

  /**
   * The jobs the latest plan wants new instances for. Returns whether to launch now,
   * and otherwise when the window closes.
   */
  observe(now: number, jobIds: readonly string[]): { readonly launchNow: boolean; readonly closesAt?: number } {
    if (jobIds.length === 0) {
      this.reset();
      return { launchNow: false };
    }
    this.#firstAt ??= now;
    for (const id of jobIds) {
      if (!this.#seen.has(id)) {
        this.#seen.add(id);
        this.#lastNewAt = now;
      }
    }
    const closesAt = Math.min(this.#lastNewAt + this.#idleMs, this.#firstAt + this.#maxMs);
    return now >= closesAt ? { launchNow: true } : { launchNow: false, closesAt };
  }

  /** After a launch (or when nothing waits for capacity): the next burst starts a new window. */
  reset(): void {
    this.#firstAt = undefined;
    this.#seen = new Set();
  }
}
