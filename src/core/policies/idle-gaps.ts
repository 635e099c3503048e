// How long to keep an empty node, learnt from how long empty nodes of its type waited for
// their next job: a ski rental. Keeping a node empty for T seconds pays T of its price; if its
// next job comes later than T, that job needs a new instance, which is billed a boot before it
// runs. Over the gaps g seen so far, keeping it T costs Σ min(g, T) + boot · #{g > T} (in
// seconds of the type's price), and the timeout chosen is the T in [0, longest] that would have
// cost least. A node retired empty never shows its gap, so a launch of its type soon after
// stands for it: had the node been kept, it would have taken that launch's jobs.

/** Gaps remembered per type, newest kept: the choice follows the workload as it changes. */
export const IDLE_GAPS_KEPT = 100;
/** Gaps a type needs before its timeout is learnt; until then the longest is used. */
export const MIN_IDLE_GAPS = 10;

interface TypeGaps {
  /** Seconds from empty to the next job; Infinity: none came within the longest timeout. */
  readonly gaps: number[];
  /** Nodes retired empty, oldest first: when each became empty (seconds). */
  readonly retired: number[];
  /** The last choice and what it was made for, until a gap is recorded: asked for every empty node every round. */
  chosen?: { readonly bootSeconds: number; readonly longestSeconds: number; readonly seconds: number };
}

/**
 * Times in seconds on any one scale; no clock is read. `longestSeconds` is the longest an
 * empty node may be kept (controller.idleSeconds, which a reloaded config may change).
 */
export class IdleGaps {
  readonly #byType = new Map<string, TypeGaps>();

  /** An empty node of `type` took a job `gapSeconds` after it became empty. */
  reused(type: string, gapSeconds: number): void {
    this.#record(this.#of(type), Math.max(0, gapSeconds));
  }

  /** A node of `type`, empty since `emptySince`, was retired. */
  retired(type: string, emptySince: number): void {
    const { retired } = this.#of(type);
    // Kept in order of emptySince (a shorter learnt wait may retire a later-emptied node first).
    let at = retired.length;
    while (at > 0 && retired[at - 1]! > emptySince) at--;
    retired.splice(at, 0, emptySince);
  }

  /** An instance of `type` was launched at `now`: the oldest node of the type retired within the longest timeout would have taken it. */
  launched(type: string, now: number, longestSeconds: number): void {
    const entry = this.#byType.get(type);
    if (!entry) return;
    this.#expire(entry, now, longestSeconds);
    const emptySince = entry.retired.shift();
    if (emptySince !== undefined) this.#record(entry, Math.max(0, now - emptySince));
  }

  /** Seconds to keep an empty node of `type` at `now`, given `bootSeconds` billed per new instance: the cheapest timeout over the gaps seen, or the longest until MIN_IDLE_GAPS. */
  idleSeconds(type: string, now: number, bootSeconds: number, longestSeconds: number): number {
    const entry = this.#byType.get(type);
    if (!entry) return longestSeconds;
    this.#expire(entry, now, longestSeconds);
    const { chosen } = entry;
    if (chosen !== undefined && chosen.bootSeconds === bootSeconds && chosen.longestSeconds === longestSeconds) return chosen.seconds;
    const seconds = cheapestTimeout(entry.gaps, bootSeconds, longestSeconds);
    entry.chosen = { bootSeconds, longestSeconds, seconds };
    return seconds;
  }

  #of(type: string): TypeGaps {
    let entry = this.#byType.get(type);
    if (!entry) {
      entry = { gaps: [], retired: [] };
      this.#byType.set(type, entry);
    }
    return entry;
  }

  /** Retired nodes with no launch of their type within the longest timeout: no job came for them in time. */
  #expire(entry: TypeGaps, now: number, longestSeconds: number): void {
    while (entry.retired.length > 0 && now - entry.retired[0]! > longestSeconds) {
      entry.retired.shift();
      this.#record(entry, Infinity);
    }
  }

  #record(entry: TypeGaps, gap: number): void {
    entry.gaps.push(gap);
    if (entry.gaps.length > IDLE_GAPS_KEPT) entry.gaps.shift();
    delete entry.chosen;
  }
}

/**
 * The timeout T in [0, longest] minimising Σ min(g, T) + boot · #{g > T} over `gaps` (the
 * smallest of equals: nothing kept for nothing); `longest` with fewer than MIN_IDLE_GAPS gaps.
 * The sum only changes slope at a gap, so the best T is 0, a gap, or `longest`.
 */
export function cheapestTimeout(gaps: readonly number[], bootSeconds: number, longest: number): number {
  if (gaps.length < MIN_IDLE_GAPS) return longest;
  const sorted = [...gaps].sort((a, b) => a - b);
  // Walking the candidates upwards: `within` gaps are ≤ t, summing to `withinSum`.
  let within = 0;
  let withinSum = 0;
  let best = longest;
  let bestCost = Infinity;
  const consider = (t: number): void => {
    while (within < sorted.length && sorted[within]! <= t) withinSum += sorted[within++]!;
    const cost = withinSum + (sorted.length - within) * (t + bootSeconds);
    if (cost < bestCost - 1e-9) {
      best = t;
      bestCost = cost;
    }
  };
  consider(0);
  for (const g of sorted) if (g > 0 && g <= longest) consider(g);
  consider(longest);
  return best;
}
