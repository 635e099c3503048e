// The packing engine's own vocabulary: plain numbers, no jobs, no AWS.
// The planner and the packing benchmarks both speak it.

/** A kind of bin that can be bought: an instance type, or the single bin of a textbook instance. */
export interface BinKind {
  /** One entry per dimension, same order as every item's demand. */
  readonly capacity: readonly number[];
  readonly cost: number;
}

/** `count` identical items. */
export interface ItemGroup {
  readonly demand: readonly number[];
  readonly count: number;
  /** Indices into the kinds array of the bins these items may go in. */
  readonly kinds: readonly number[];
}

/** `copies` identical bins of one kind, each holding `count` items of each listed group. */
export interface PackedBins {
  readonly kind: number;
  readonly contents: readonly { readonly group: number; readonly count: number }[];
  readonly copies: number;
}

export interface PackingResult {
  readonly bins: readonly PackedBins[];
  /** Per group: items left out (no compatible kind holds one, or every such kind is at its limit). */
  readonly unpacked: readonly number[];
  readonly cost: number;
}

/** At most `max` bins in total of the listed kinds (e.g. a per-type or per-family instance limit). */
export interface KindLimit {
  readonly kinds: readonly number[];
  readonly max: number;
}

export interface PackingOptions {
  /** Bins that may be bought; items that fit only kinds at their limit stay unpacked. */
  readonly limits?: readonly KindLimit[];
  /**
   * How hard to try after the first good packing, in units of work (deterministic,
   * never time). 0 = construction only. The default suits planning rounds.
   */
  readonly effort?: number;
  /** Seed of the improvement phase's random choices (same seed, same packing). */
  readonly seed?: number;
}
