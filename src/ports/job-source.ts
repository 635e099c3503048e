import type { JobMessage } from '../jobs/job-message.ts';

/** A job message held by loadmaster: invisible to other consumers until released, deleted or expired. */
export interface HeldMessage {
  /** Opaque handle for later calls (an SQS receipt handle). */
  readonly receipt: string;
  /** The queue's id of the message (an SQS MessageId): the same on every delivery of it, unlike the receipt. */
  readonly messageId: string;
  readonly message: JobMessage;
  /** How many times the queue has handed this message out, this time included. */
  readonly receiveCount: number;
  /** When the message was first sent, ms since the epoch. */
  readonly sentAt: number;
}

/** A message that failed validation: it goes to the dead-letter queue with the reason. */
export interface RejectedMessage {
  readonly receipt: string;
  readonly body: string;
  readonly reason: string;
}

/**
 * The central job queue, with SQS semantics: received messages stay invisible for the
 * visibility timeout, then reappear unless deleted; after maxReceives they go to the
 * dead-letter queue. Implemented by `memory` (embedded) and `sqs` (AWS).
 */
export interface JobSource {
  receive(max: number): Promise<{ readonly held: readonly HeldMessage[]; readonly rejected: readonly RejectedMessage[] }>;
  /** Keep held messages invisible for `seconds` more. */
  extendVisibility(receipts: readonly string[], seconds: number): Promise<void>;
  /** The job is safely elsewhere (its task is confirmed): remove the messages for good. */
  delete(receipts: readonly string[]): Promise<void>;
  /** Hand messages back to the queue now (visibility 0), e.g. on shutdown. */
  release(receipts: readonly string[]): Promise<void>;
  /**
   * Move a message to the dead-letter queue with the reason; without a receipt, put the
   * body there (a job whose message is long deleted: it ran and failed for good).
   */
  deadLetter(receipt: string | undefined, body: string, reason: string): Promise<void>;
  /** Enqueue new messages (submissions, retries with attempt + 1, next workflow steps). */
  send(messages: readonly JobMessage[]): Promise<void>;
}
