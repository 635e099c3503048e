// The sim's future: state changes due at given times (an instance registers, a task
// starts running or stops), applied in time order, ties in scheduling order. A binary
// min-heap, because a long simulation holds many thousands of them.

interface Scheduled {
  readonly at: number;
  readonly order: number;
  /** Called with the time it was due at, which may lie before clock.now(). */
  readonly apply: (at: number) => void;
}

export class Timeline {
  readonly #heap: Scheduled[] = [];
  #scheduled = 0;

  schedule(at: number, apply: (at: number) => void): void {
    this.#heap.push({ at, order: this.#scheduled++, apply });
    this.#siftUp(this.#heap.length - 1);
  }

  /** Applies everything due at or before `now`, including what those changes schedule. */
  runUntil(now: number): void {
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) {
      const due = this.#pop();
      due.apply(due.at);
    }
  }

  get size(): number {
    return this.#heap.length;
  }

  #pop(): Scheduled {
    const top = this.#heap[0]!;
    const last = this.#heap.pop()!;
    if (this.#heap.length > 0) {
      this.#heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!this.#before(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < this.#heap.length && this.#before(left, first)) first = left;
      if (right < this.#heap.length && this.#before(right, first)) first = right;
      if (first === i) return;
      this.#swap(i, first);
      i = first;
    }
  }

  #before(a: number, b: number): boolean {
    const x = this.#heap[a]!;
    const y = this.#heap[b]!;
    return x.at < y.at || (x.at === y.at && x.order < y.order);
  }

  #swap(a: number, b: number): void {
    const x = this.#heap[a]!;
    this.#heap[a] = this.#heap[b]!;
    this.#heap[b] = x;
  }
}
