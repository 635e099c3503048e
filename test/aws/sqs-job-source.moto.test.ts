// SqsJobSource over the real SQS wire protocol, against moto_server: what a message goes
// through (send, receive, extend, delete, release, redelivery, dead-lettering).
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsJobSource, type SqsJobSourceOptions } from '../../src/adapters/sqs/sqs-job-source.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import type { HeldMessage } from '../../src/ports/job-source.ts';
import { motoAvailable, motoClientConfig, MOTO_SKIP_REASON, resetMoto, startMoto, type Moto } from './moto-server.ts';

function job(jobId: string): JobMessage {
  return { version: 1, jobId, algorithm: 'segment', inputs: [`s3://images/${jobId}.tif`], outputPrefix: 's3://results/', env: {}, priority: 0, attempt: 1 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MOTO_AVAILABLE = motoAvailable();
if (!MOTO_AVAILABLE) {
  console.warn(MOTO_SKIP_REASON);
  it.skip(MOTO_SKIP_REASON, () => {});
}

describe.skipIf(!MOTO_AVAILABLE)('SqsJobSource on moto_server', () => {
  let moto: Moto;
  let client: SQSClient;
  let queueUrl: string;
  let deadLetterQueueUrl: string;
  let staleReports: string[];

  beforeAll(async () => {
    moto = (await startMoto())!;
    client = new SQSClient({ ...motoClientConfig(moto), maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  beforeEach(async () => {
    await resetMoto(moto);
    queueUrl = await createQueue('jobs', 30);
    deadLetterQueueUrl = await createQueue('jobs-dlq', 30);
    staleReports = [];
  });

  async function createQueue(name: string, visibilityTimeout: number): Promise<string> {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: String(visibilityTimeout) } }));
    return QueueUrl!;
  }

  function source(options: Partial<SqsJobSourceOptions> = {}): SqsJobSource {
    // No long polling by default: an empty receive answers at once.
    return new SqsJobSource({ client, queueUrl, deadLetterQueueUrl, waitSeconds: 0, reportStaleReceipts: (s) => staleReports.push(s), ...options });
  }

  async function counts(url: string): Promise<{ visible: number; inFlight: number }> {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return { visible: Number(Attributes!.ApproximateNumberOfMessages), inFlight: Number(Attributes!.ApproximateNumberOfMessagesNotVisible) };
  }

  /** Receives until `expected` messages are held: a standard queue may hand out fewer than asked per call. */
  /**
   * Receives until `expected` distinct jobs are held. SQS delivers at least once, and moto's
   * concurrent receives can hand one message to two pollers: like the controller, keep one
   * copy per job, with the newest receipt.
   */
  async function receiveAll(queue: SqsJobSource, expected: number): Promise<HeldMessage[]> {
    const held = new Map<string, HeldMessage>();
    for (let round = 0; round < 10 && held.size < expected; round++) {
      for (const message of (await queue.receive(expected - held.size)).held) held.set(message.message.jobId, message);
    }
    return [...held.values()];
  }

  it('carries a job through send, receive, extend and delete, leaving the queue empty', async () => {
    const queue = source();
    const before = Date.now();
    await queue.send([job('a')]);
    const after = Date.now();

    const { held, rejected } = await queue.receive(10);
    expect(rejected).toEqual([]);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ message: job('a'), receiveCount: 1 });
    // moto stamps with its own clock on this machine; allow for its whole-ms rounding.
    expect(held[0]!.sentAt).toBeGreaterThanOrEqual(before - 1000);
    expect(held[0]!.sentAt).toBeLessThanOrEqual(after + 1000);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 1 });

    await queue.extendVisibility([held[0]!.receipt], 600);
    expect((await queue.receive(10)).held).toEqual([]);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 1 });

    await queue.delete([held[0]!.receipt]);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(staleReports).toEqual([]);
  });

  it('makes a released message visible at once', async () => {
    const queue = source();
    await queue.send([job('a')]);
    const [first] = (await queue.receive(1)).held;
    expect((await queue.receive(1)).held).toEqual([]);

    await queue.release([first!.receipt]);
    const [again] = (await queue.receive(1)).held;
    expect(again).toMatchObject({ message: job('a'), receiveCount: 2 });
  });

  it('returns invalid bodies as rejected, and dead-letters them with the reason, out of the main queue', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not json' }));
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ jobId: 'b', algorithm: 'segment', colour: 'blue' }) }));
    const queue = source();

    const { held, rejected } = await queue.receive(10);
    expect(held).toEqual([]);
    expect(rejected.map((r) => r.body).sort()).toEqual(['not json', JSON.stringify({ jobId: 'b', algorithm: 'segment', colour: 'blue' })].sort());
    for (const r of rejected) await queue.deadLetter(r.receipt, r.body, r.reason);

    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    const deadLetters = (Messages ?? []).map((m) => ({
      body: m.Body,
      reason: m.MessageAttributes?.['loadmaster-reason']?.StringValue,
      sourceQueue: m.MessageAttributes?.['loadmaster-source-queue']?.StringValue,
    }));
    expect(deadLetters.sort((x, y) => x.body!.localeCompare(y.body!))).toEqual(
      rejected
        .map((r) => ({ body: r.body, reason: r.reason, sourceQueue: queueUrl }))
        .sort((x, y) => x.body.localeCompare(y.body)),
    );
    expect(deadLetters.find((d) => d.body === 'not json')!.reason).toMatch(/^invalid JSON/);
  });

  it('dead-letters a body without a receipt by sending only', async () => {
    const queue = source();
    await queue.send([job('still-queued')]);
    await queue.deadLetter(undefined, JSON.stringify(job('done')), 'failed 3 times');

    expect(await counts(deadLetterQueueUrl)).toEqual({ visible: 1, inFlight: 0 });
    expect(await counts(queueUrl)).toEqual({ visible: 1, inFlight: 0 });
  });

  it('redelivers a message whose visibility timeout ran out, with receiveCount 2 and a new receipt', async () => {
    queueUrl = await createQueue('short-visibility', 1);
    const queue = source();
    await queue.send([job('a')]);
    const [first] = (await queue.receive(1)).held;
    expect((await queue.receive(1)).held).toEqual([]);

    await sleep(1500);
    const [second] = (await queue.receive(1)).held;
    expect(second).toMatchObject({ message: job('a'), receiveCount: 2 });
    expect(second!.receipt).not.toBe(first!.receipt);
  });

  it('hides a received message for visibilitySeconds rather than the queue default', async () => {
    const queue = source({ visibilitySeconds: 1 });
    await queue.send([job('a')]);
    expect((await queue.receive(1)).held).toHaveLength(1);
    await sleep(1500);
    expect((await queue.receive(1)).held).toMatchObject([{ message: job('a'), receiveCount: 2 }]);
  });

  it('moves more than 10 messages through every action', async () => {
    const queue = source({ pollers: 3 });
    const jobs = Array.from({ length: 25 }, (_, i) => job(`job-${i}`));
    await queue.send(jobs);
    expect(await counts(queueUrl)).toEqual({ visible: 25, inFlight: 0 });

    const held = await receiveAll(queue, 25);
    expect(held.map((h) => h.message.jobId).sort()).toEqual(jobs.map((j) => j.jobId).sort());
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 25 });

    await queue.extendVisibility(
      held.map((h) => h.receipt),
      600,
    );
    await queue.release(held.slice(0, 12).map((h) => h.receipt));
    expect(await counts(queueUrl)).toEqual({ visible: 12, inFlight: 13 });

    await queue.delete(held.slice(12).map((h) => h.receipt));
    expect(await counts(queueUrl)).toEqual({ visible: 12, inFlight: 0 });
    expect(staleReports).toEqual([]);
  });

  it('long-polls an empty queue for waitSeconds', async () => {
    const started = Date.now();
    expect(await source({ waitSeconds: 1 }).receive(10)).toEqual({ held: [], rejected: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('skips and reports a receipt SQS no longer knows', async () => {
    const queue = source();
    await queue.send([job('a')]);
    const [held] = (await queue.receive(1)).held;
    await queue.delete([held!.receipt, 'not-a-receipt-handle']);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(staleReports).toEqual(['DeleteMessageBatch: skipped 1 stale receipt(s): receipt …ceipt-handle (ReceiptHandleIsInvalid)']);
  });
});
