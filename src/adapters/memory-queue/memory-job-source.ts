// The embedded job queue: SQS standard-queue semantics in memory, on a Clock. A received
// message stays invisible for the visibility timeout and then reappears unless deleted;
// each receive issues a new receipt and older receipts stop working; a message handed
// out maxReceives times goes to the dead-letter list on its next receive (SQS redrive).
// Deterministic: oldest message first, receipts numbered in order, time only from the clock.
import { parseJobMessageText } from '../../jobs/parse-job-message.ts';
import type { JobMessage } from '../../jobs/job-message.ts';
import type { Clock } from '../../ports/clock.ts';
import type { HeldMessage, JobSource, RejectedMessage } from '../../ports/job-source.ts';

export interface MemoryJobSourceOptions {
  readonly clock: Clock;
  /** How long a received message stays invisible; SQS's default is 30 s, ours suits batch jobs. */
  readonly visibilitySeconds?: number;
  /** Receives before a message is dead-lettered instead (SQS maxReceiveCount). */
  readonly maxReceives?: number;
}

export interface DeadLetter {
  readonly body: string;
  readonly reason: string;
}

/** SQS caps any visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

interface StoredMessage {
  readonly id: number;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  /** Invisible until then (ms since the epoch); 0 for never received. */
  visibleAt: number;
  /** The receipt of the latest receive; only it acts on the message. */
  receipt: string | undefined;
}

export class MemoryJobSource implements JobSource {
  readonly #clock: Clock;
  readonly #visibilityMs: number;
  readonly #maxReceives: number;
  /** In send order (a Map iterates in insertion order), which is the order receive hands them out. */
  readonly #messages = new Map<number, StoredMessage>();
  /** Only each message's latest receipt is here, so stale ones find nothing. */
  readonly #byReceipt = new Map<string, StoredMessage>();
  #messagesSent = 0;
  readonly #deadLetters: DeadLetter[] = [];
  #receiptsIssued = 0;

  constructor(options: MemoryJobSourceOptions) {
    const visibilitySeconds = options.visibilitySeconds ?? 300;
    const maxReceives = options.maxReceives ?? 5;
    checkVisibility('visibilitySeconds', visibilitySeconds);
    if (!Number.isInteger(maxReceives) || maxReceives < 1) {
      throw new RangeError(`maxReceives: expected an integer >= 1, got ${maxReceives}`);
    }
    this.#clock = options.clock;
    this.#visibilityMs = visibilitySeconds * 1000;
    this.#maxReceives = maxReceives;
  }

  async send(messages: readonly JobMessage[]): Promise<void> {
    for (const message of messages) this.sendRaw(JSON.stringify(message));
  }

  /** Enqueues a body as is, valid or not: how a broken producer's message arrives. */
  sendRaw(body: string): void {
    const id = ++this.#messagesSent;
    this.#messages.set(id, { id, body, sentAt: this.#clock.now(), receiveCount: 0, visibleAt: 0, receipt: undefined });
  }

  async receive(max: number): Promise<{ readonly held: readonly HeldMessage[]; readonly rejected: readonly RejectedMessage[] }> {
    const now = this.#clock.now();
    const held: HeldMessage[] = [];
    const rejected: RejectedMessage[] = [];
    for (const stored of this.#messages.values()) {
      if (held.length + rejected.length >= max) break;
      if (stored.visibleAt > now) continue;
      if (stored.receiveCount >= this.#maxReceives) {
        this.#deadLetters.push({ body: stored.body, reason: `received ${stored.receiveCount} times without being deleted` });
        this.#remove([stored]);
        continue;
      }
      stored.receiveCount++;
      stored.visibleAt = now + this.#visibilityMs;
      if (stored.receipt !== undefined) this.#byReceipt.delete(stored.receipt);
      stored.receipt = `receipt-${++this.#receiptsIssued}`;
      this.#byReceipt.set(stored.receipt, stored);
      const parsed = parseJobMessageText(stored.body);
      if (parsed.ok) held.push({ receipt: stored.receipt, messageId: String(stored.id), message: parsed.message, receiveCount: stored.receiveCount, sentAt: stored.sentAt });
      else rejected.push({ receipt: stored.receipt, body: stored.body, reason: parsed.reason });
    }
    return { held, rejected };
  }

  async extendVisibility(receipts: readonly string[], seconds: number): Promise<void> {
    checkVisibility('seconds', seconds);
    const now = this.#clock.now();
    // Like SQS, a message whose timeout already ran out is no longer in flight and stays visible.
    for (const stored of this.#held(receipts)) if (stored.visibleAt > now) stored.visibleAt = now + seconds * 1000;
  }

  async delete(receipts: readonly string[]): Promise<void> {
    this.#remove(this.#held(receipts));
  }

  async release(receipts: readonly string[]): Promise<void> {
    const now = this.#clock.now();
    for (const stored of this.#held(receipts)) stored.visibleAt = Math.min(stored.visibleAt, now);
  }

  async deadLetter(receipt: string | undefined, body: string, reason: string): Promise<void> {
    // No receipt: the job left the queue long ago (it ran and failed for good).
    if (receipt === undefined) {
      this.#deadLetters.push({ body, reason });
      return;
    }
    const [stored] = this.#held([receipt]);
    // A stale receipt means the message is someone else's now: leave it in the queue, never lose it.
    if (!stored) return;
    this.#remove([stored]);
    this.#deadLetters.push({ body, reason });
  }

  /** Messages still in the queue: visible plus in flight (dead letters not included). */
  depth(): number {
    return this.#messages.size;
  }

  visibleCount(): number {
    const now = this.#clock.now();
    let visible = 0;
    for (const stored of this.#messages.values()) if (stored.visibleAt <= now) visible++;
    return visible;
  }

  inFlightCount(): number {
    return this.depth() - this.visibleCount();
  }

  /** The dead-letter queue, oldest first. */
  deadLetters(): DeadLetter[] {
    return [...this.#deadLetters];
  }

  /** The messages these receipts still act on; stale and unknown receipts are ignored, as SQS does. */
  #held(receipts: readonly string[]): StoredMessage[] {
    return [...new Set(receipts)].flatMap((receipt) => {
      const stored = this.#byReceipt.get(receipt);
      return stored ? [stored] : [];
    });
  }

  #remove(messages: readonly StoredMessage[]): void {
    for (const stored of messages) {
      this.#messages.delete(stored.id);
      if (stored.receipt !== undefined) this.#byReceipt.delete(stored.receipt);
    }
  }
}

function checkVisibility(name: string, seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
    throw new RangeError(`${name}: expected a number of seconds from 0 to ${MAX_VISIBILITY_SECONDS} (SQS's limit), got ${seconds}`);
  }
}
