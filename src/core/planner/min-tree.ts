// A segment tree over positions: set a value, find the leftmost position at most a bound.
/** Minimum over positions, with the leftmost position at most a value: a segment tree. */
export class MinTree {
  readonly #size: number;
  readonly #min: Float64Array;

  constructor(values: readonly number[]) {
    let size = 1;
    while (size < values.length) size *= 2;
    this.#size = size;
    this.#min = new Float64Array(2 * size).fill(Infinity);
    values.forEach((v, i) => (this.#min[size + i] = v));
    for (let i = size - 1; i >= 1; i--) this.#min[i] = Math.min(this.#min[2 * i]!, this.#min[2 * i + 1]!);
  }

  set(position: number, value: number): void {
    let i = this.#size + position;
    this.#min[i] = value;
    for (i >>= 1; i >= 1; i >>= 1) this.#min[i] = Math.min(this.#min[2 * i]!, this.#min[2 * i + 1]!);
  }

  /** The leftmost position whose value is at most `bound`, or undefined. */
  firstAtMost(bound: number): number | undefined {
    if (!(this.#min[1]! <= bound)) return undefined;
    let i = 1;
    while (i < this.#size) i = this.#min[2 * i]! <= bound ? 2 * i : 2 * i + 1;
    return i - this.#size;
  }
}
