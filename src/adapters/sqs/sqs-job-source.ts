// The job queue on Amazon SQS: the JobSource port over a standard queue and its
// dead-letter queue, with the same semantics as the embedded memory queue. Long polling,
// several ReceiveMessage calls at once for a large receive, every batch action in chunks
// of 10. A body that is not a valid job message comes back as rejected, for the caller
// to dead-letter; nothing here stops on one bad message.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { realClock } from '../../clock/real-clock.ts';
import type { JobMessage } from '../../jobs/job-message.ts';
import { parseJobMessageText } from '../../jobs/parse-job-message.ts';
import type { Clock } from '../../ports/clock.ts';
import type { HeldMessage, JobSource, RejectedMessage } from '../../ports/job-source.ts';
import { runInBatches, SQS_BATCH_LIMIT, type BatchEntryFailure } from './sqs-batch.ts';

export interface SqsJobSourceOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** Most ReceiveMessage calls in flight for one receive(); each brings at most 10 messages. */
  readonly pollers?: number;
  /** Long polling: how long an empty queue may keep a ReceiveMessage waiting, 0 to 20 s. */
  readonly waitSeconds?: number;
  /**
   * How long a received message stays invisible before the first extendVisibility; give the
   * controller's visibilitySeconds. Without it the queue's own VisibilityTimeout applies.
   */
  readonly visibilitySeconds?: number;
  /** Only for a message that lacks SentTimestamp (SQS always sends it when asked). */
  readonly clock?: Clock;
  /**
   * Receipts that no longer act on a message (its visibility ran out, or it was received
   * again). Like the memory queue they are skipped, not errors; this is told which.
   */
  readonly reportStaleReceipts?: (summary: string) => void;
}

/** Message attribute with the reason a message was dead-lettered. */
export const REASON_ATTRIBUTE = 'loadmaster-reason';
/** Message attribute with the URL of the queue the dead letter came from. */
export const SOURCE_QUEUE_ATTRIBUTE = 'loadmaster-source-queue';

/** SQS caps any visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;
const MAX_WAIT_SECONDS = 20;
/** Keeps the reason readable in the console and well inside SQS's attribute limits. */
const MAX_REASON_LENGTH = 1000;
/** SQS refuses an empty body, so an empty one is dead-lettered as this (the reason says so). */
const EMPTY_BODY_STAND_IN = '(empty body)';

export class SqsJobSource implements JobSource {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #deadLetterQueueUrl: string;
  readonly #pollers: number;
  readonly #waitSeconds: number;
  readonly #visibilitySeconds: number | undefined;
  readonly #clock: Clock;
  readonly #reportStaleReceipts: (summary: string) => void;

  constructor(options: SqsJobSourceOptions) {
    const pollers = options.pollers ?? 2;
    const waitSeconds = options.waitSeconds ?? MAX_WAIT_SECONDS;
    if (!Number.isInteger(pollers) || pollers < 1) throw new RangeError(`pollers: expected an integer >= 1, got ${pollers}`);
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
      throw new RangeError(`waitSeconds: expected an integer from 0 to ${MAX_WAIT_SECONDS} (SQS's long polling limit), got ${waitSeconds}`);
    }
    if (options.visibilitySeconds !== undefined) checkVisibility('visibilitySeconds', options.visibilitySeconds);
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#deadLetterQueueUrl = options.deadLetterQueueUrl;
    this.#pollers = pollers;
    this.#waitSeconds = waitSeconds;
    this.#visibilitySeconds = options.visibilitySeconds === undefined ? undefined : Math.ceil(options.visibilitySeconds);
    this.#clock = options.clock ?? realClock;
    // Never silent by default; the daemon passes its logger.
    this.#reportStaleReceipts = options.reportStaleReceipts ?? ((summary) => console.warn(`loadmaster sqs: ${summary}`));
  }

  async receive(max: number): Promise<{ readonly held: readonly HeldMessage[]; readonly rejected: readonly RejectedMessage[] }> {
    const sizes = pollSizes(Math.floor(max), this.#pollers);
    const polls = await Promise.allSettled(
      sizes.map((size) =>
        this.#client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.#queueUrl,
            MaxNumberOfMessages: size,
            WaitTimeSeconds: this.#waitSeconds,
            MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
            ...(this.#visibilitySeconds === undefined ? {} : { VisibilityTimeout: this.#visibilitySeconds }),
          }),
        ),
      ),
    );
    const messages = polls.flatMap((poll) => (poll.status === 'fulfilled' ? (poll.value.Messages ?? []) : []));
    const failure = polls.find((poll) => poll.status === 'rejected');
    if (failure) {
      // The caller sees the error and none of these messages, so hand them back now rather
      // than after their visibility timeout; if that fails too they come back by themselves.
      await this.release(messages.flatMap((m) => (m.ReceiptHandle === undefined ? [] : [m.ReceiptHandle]))).catch(() => undefined);
      throw failure.reason;
    }

    const held: HeldMessage[] = [];
    const rejected: RejectedMessage[] = [];
    for (const message of messages) {
      // Without a receipt nothing can be done with a message; SQS always sends one.
      if (message.ReceiptHandle === undefined) continue;
      const body = message.Body ?? '';
      const parsed = parseJobMessageText(body);
      if (parsed.ok) held.push({ receipt: message.ReceiptHandle, messageId: message.MessageId ?? message.ReceiptHandle, message: parsed.message, ...this.#deliveryFacts(message) });
      else rejected.push({ receipt: message.ReceiptHandle, body, reason: parsed.reason });
    }
    return { held, rejected };
  }

  async extendVisibility(receipts: readonly string[], seconds: number): Promise<void> {
    checkVisibility('seconds', seconds);
    // SQS takes whole seconds; rounding up never hides a message for less than asked.
    await this.#changeVisibility(receipts, Math.ceil(seconds));
  }

  async delete(receipts: readonly string[]): Promise<void> {
    const stale = await runInBatches({
      action: 'DeleteMessageBatch',
      entries: unique(receipts).map((receipt) => ({ ReceiptHandle: receipt })),
      describe: (entry) => describeReceipt(entry.ReceiptHandle),
      send: (entries) => this.#client.send(new DeleteMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: [...entries] })),
      isIgnorable: isStaleReceipt,
    });
    this.#reportStale('DeleteMessageBatch', stale);
  }

  async release(receipts: readonly string[]): Promise<void> {
    await this.#changeVisibility(receipts, 0);
  }

  async deadLetter(receipt: string | undefined, body: string, reason: string): Promise<void> {
    // Send first, delete second: a failure in between leaves a copy in both queues, never in none.
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#deadLetterQueueUrl,
        MessageBody: body === '' ? EMPTY_BODY_STAND_IN : body,
        MessageAttributes: {
          [REASON_ATTRIBUTE]: { DataType: 'String', StringValue: reasonAttribute(reason) },
          [SOURCE_QUEUE_ATTRIBUTE]: { DataType: 'String', StringValue: this.#queueUrl },
        },
      }),
    );
    // No receipt: the job left the queue long ago (it ran and failed for good).
    if (receipt !== undefined) await this.#client.send(new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: receipt }));
  }

  async send(messages: readonly JobMessage[]): Promise<void> {
    await runInBatches({
      action: 'SendMessageBatch',
      entries: messages.map((message) => ({ jobId: message.jobId, MessageBody: JSON.stringify(message) })),
      describe: (entry) => `job ${entry.jobId}`,
      send: (entries) =>
        this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries.map(({ Id, MessageBody }) => ({ Id, MessageBody })) })),
    });
  }

  async #changeVisibility(receipts: readonly string[], seconds: number): Promise<void> {
    const stale = await runInBatches({
      action: 'ChangeMessageVisibilityBatch',
      entries: unique(receipts).map((receipt) => ({ ReceiptHandle: receipt, VisibilityTimeout: seconds })),
      describe: (entry) => describeReceipt(entry.ReceiptHandle),
      send: (entries) => this.#client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.#queueUrl, Entries: [...entries] })),
      isIgnorable: isStaleReceipt,
    });
    this.#reportStale('ChangeMessageVisibilityBatch', stale);
  }

  #reportStale(action: string, stale: readonly BatchEntryFailure[]): void {
    if (stale.length === 0) return;
    this.#reportStaleReceipts(`${action}: skipped ${stale.length} stale receipt(s): ${stale.map((f) => `${f.entry} (${f.code})`).join(', ')}`);
  }

  #deliveryFacts(message: Message): { receiveCount: number; sentAt: number } {
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount);
    const sentAt = Number(message.Attributes?.SentTimestamp);
    return {
      receiveCount: Number.isInteger(receiveCount) && receiveCount >= 1 ? receiveCount : 1,
      sentAt: Number.isFinite(sentAt) && sentAt > 0 ? sentAt : this.#clock.now(),
    };
  }
}

/** MaxNumberOfMessages of each ReceiveMessage call: up to 10 each, no more calls than pollers. */
export function pollSizes(max: number, pollers: number): number[] {
  const sizes: number[] = [];
  for (let remaining = max; remaining > 0 && sizes.length < pollers; remaining -= SQS_BATCH_LIMIT) sizes.push(Math.min(SQS_BATCH_LIMIT, remaining));
  return sizes;
}

/**
 * A receipt that no longer acts on a message: SQS answers ReceiptHandleIsInvalid,
 * MessageNotInflight, or InvalidParameterValue naming the receipt handle ("has expired",
 * "not available for visibility timeout change"). Retrying cannot help; the message is
 * someone else's or back in the queue, where it is safe.
 */
function isStaleReceipt(failure: { readonly code: string; readonly message: string }): boolean {
  const code = failure.code.replace(/^AWS\.SimpleQueueService\./, '');
  if (code === 'ReceiptHandleIsInvalid' || code === 'MessageNotInflight') return true;
  return code === 'InvalidParameterValue' && /receipt ?handle/i.test(failure.message);
}

/** Receipt handles run to hundreds of characters; the tail tells them apart in a log. */
function describeReceipt(receipt: string): string {
  return `receipt …${receipt.slice(-12)}`;
}

function unique(receipts: readonly string[]): string[] {
  return [...new Set(receipts)];
}

/**
 * The reason as an SQS string attribute: characters SQS refuses (most control characters)
 * replaced, at most MAX_REASON_LENGTH characters, never empty.
 */
export function reasonAttribute(reason: string): string {
  const allowed = reason.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
  if (allowed.length === 0) return '(no reason given)';
  if (allowed.length <= MAX_REASON_LENGTH) return allowed;
  // Cut before a surrogate pair rather than through it.
  let cut = MAX_REASON_LENGTH - 1;
  if (/[\uD800-\uDBFF]/.test(allowed[cut - 1]!)) cut--;
  return `${allowed.slice(0, cut)}…`;
}

function checkVisibility(name: string, seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
    throw new RangeError(`${name}: expected a number of seconds from 0 to ${MAX_VISIBILITY_SECONDS} (SQS's limit), got ${seconds}`);
  }
}
