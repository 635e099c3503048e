// The exact SQS requests SqsJobSource makes, and how it treats failed batch entries and
// failed requests, against aws-sdk-client-mock (no network).
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsBatchError } from '../../src/adapters/sqs/sqs-batch.ts';
import { pollSizes, reasonAttribute, SqsJobSource, type SqsJobSourceOptions } from '../../src/adapters/sqs/sqs-job-source.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs-dlq';

function job(jobId: string): JobMessage {
  return { version: 1, jobId, algorithm: 'segment', inputs: [`s3://images/${jobId}.tif`], outputPrefix: 's3://results/', env: {}, priority: 0, attempt: 1 };
}

function sqsMessage(receipt: string, body: string, attributes: Record<string, string> = {}): Message {
  return { MessageId: `id-${receipt}`, ReceiptHandle: receipt, Body: body, Attributes: { SentTimestamp: '1700000000000', ApproximateReceiveCount: '1', ...attributes } };
}

const receipts = (count: number) => Array.from({ length: count }, (_, i) => `receipt-${i}`);

let client: SQSClient;
let sqs: ReturnType<typeof mockClient>;
let staleReports: string[];

function source(options: Partial<SqsJobSourceOptions> = {}): SqsJobSource {
  return new SqsJobSource({ client, queueUrl: QUEUE_URL, deadLetterQueueUrl: DLQ_URL, reportStaleReceipts: (s) => staleReports.push(s), ...options });
}

beforeEach(() => {
  client = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  sqs = mockClient(client);
  staleReports = [];
});

describe('SqsJobSource.receive', () => {
  it('long-polls for at most 10 messages with the two delivery attributes', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    await source().receive(10);
    const calls = sqs.commandCalls(ReceiveMessageCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 20, MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'] },
    ]);
  });

  it('asks for the configured wait and visibility', async () => {
    sqs.on(ReceiveMessageCommand).resolves({});
    await source({ waitSeconds: 5, visibilitySeconds: 300 }).receive(3);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({ MaxNumberOfMessages: 3, WaitTimeSeconds: 5, VisibilityTimeout: 300 });
  });

  it('turns valid bodies into held messages and invalid ones into rejected, in order', async () => {
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        sqsMessage('r-good', JSON.stringify({ jobId: 'a', algorithm: 'segment', inputs: ['s3://images/a.tif'], outputPrefix: 's3://results/' }), {
          ApproximateReceiveCount: '3',
          SentTimestamp: '1700000123456',
        }),
        sqsMessage('r-syntax', 'not json'),
        sqsMessage('r-shape', JSON.stringify({ jobId: 'b', colour: 'blue' })),
      ],
    });
    const { held, rejected } = await source().receive(10);
    expect(held).toEqual([{ receipt: 'r-good', messageId: 'id-r-good', message: job('a'), receiveCount: 3, sentAt: 1_700_000_123_456 }]);
    expect(rejected.map((r) => [r.receipt, r.body])).toEqual([
      ['r-syntax', 'not json'],
      ['r-shape', JSON.stringify({ jobId: 'b', colour: 'blue' })],
    ]);
    expect(rejected[0]!.reason).toMatch(/^invalid JSON/);
    expect(rejected[1]!.reason).toMatch(/colour/);
  });

  it('falls back to the clock when SentTimestamp is missing', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ ReceiptHandle: 'r', Body: JSON.stringify(job('a')) }] });
    const clock = { now: () => 42_000, sleep: async () => {} };
    const { held } = await source({ clock }).receive(1);
    expect(held[0]).toMatchObject({ receiveCount: 1, sentAt: 42_000 });
  });

  it.each([
    [25, 2, [10, 10]],
    [25, 3, [10, 10, 5]],
    [7, 3, [7]],
    [30, 3, [10, 10, 10]],
    [0, 2, []],
  ])('receive(%i) with %i pollers asks for %j', async (max, pollers, sizes) => {
    expect(pollSizes(max, pollers)).toEqual(sizes);
    sqs.on(ReceiveMessageCommand).resolves({});
    await source({ pollers }).receive(max);
    expect(sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.MaxNumberOfMessages)).toEqual(sizes);
  });

  it('runs the pollers concurrently and merges what they bring', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    let call = 0;
    sqs.on(ReceiveMessageCommand).callsFake(async () => {
      const index = call++;
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return { Messages: [sqsMessage(`r${index}`, JSON.stringify(job(`job-${index}`)))] };
    });
    const { held } = await source({ pollers: 3 }).receive(100);
    expect(mostInFlight).toBe(3);
    expect(held.map((h) => h.message.jobId).sort()).toEqual(['job-0', 'job-1', 'job-2']);
  });

  it('rejects when SQS throttles, so the controller sees the error', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sqs.on(ReceiveMessageCommand).rejects(throttled);
    await expect(source().receive(10)).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
  });

  it('hands back what one poller got when another fails, then rejects', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [sqsMessage('r-a', JSON.stringify(job('a'))), sqsMessage('r-b', 'not json')] })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    await expect(source({ pollers: 2 }).receive(20)).rejects.toThrow('Rate exceeded');
    const released = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(released.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([
      ['r-a', 0],
      ['r-b', 0],
    ]);
  });

  it('refuses settings SQS would refuse', () => {
    expect(() => source({ waitSeconds: 21 })).toThrow(/waitSeconds/);
    expect(() => source({ pollers: 0 })).toThrow(/pollers/);
    expect(() => source({ visibilitySeconds: 43_201 })).toThrow(/visibilitySeconds/);
  });
});

describe('SqsJobSource batch actions', () => {
  it('extends visibility in chunks of 10 with unique entry ids, once per receipt', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Failed: [] });
    await source().extendVisibility([...receipts(23), 'receipt-0'], 600);
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((input) => input.QueueUrl)).toEqual([QUEUE_URL, QUEUE_URL, QUEUE_URL]);
    expect(calls.map((input) => input.Entries!.length)).toEqual([10, 10, 3]);
    const entries = calls.flatMap((input) => input.Entries!);
    expect(entries.map((e) => e.ReceiptHandle)).toEqual(receipts(23));
    expect(new Set(entries.map((e) => e.VisibilityTimeout))).toEqual(new Set([600]));
    for (const input of calls) expect(new Set(input.Entries!.map((e) => e.Id)).size).toBe(input.Entries!.length);
  });

  it('rounds a fractional extension up and refuses more than 12 hours', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});
    await source().extendVisibility(['r'], 2.5);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input.Entries![0]!.VisibilityTimeout).toBe(3);
    await expect(source().extendVisibility(['r'], 43_201)).rejects.toThrow(RangeError);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(1);
  });

  it('sends nothing for no receipts', async () => {
    await source().extendVisibility([], 60);
    await source().delete([]);
    await source().release([]);
    await source().send([]);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('deletes in chunks of 10', async () => {
    sqs.on(DeleteMessageBatchCommand).resolves({ Failed: [] });
    await source().delete(receipts(21));
    const calls = sqs.commandCalls(DeleteMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((input) => input.Entries!.length)).toEqual([10, 10, 1]);
    expect(calls.flatMap((input) => input.Entries!.map((e) => e.ReceiptHandle))).toEqual(receipts(21));
  });

  it('releases with visibility 0', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});
    await source().release(['r1', 'r2']);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input.Entries!.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([
      ['r1', 0],
      ['r2', 0],
    ]);
  });

  it('sends job messages as JSON bodies in chunks of 10', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const jobs = Array.from({ length: 12 }, (_, i) => job(`job-${i}`));
    await source().send(jobs);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((input) => [input.QueueUrl, input.Entries!.length])).toEqual([
      [QUEUE_URL, 10],
      [QUEUE_URL, 2],
    ]);
    const entries = calls.flatMap((input) => input.Entries!);
    expect(entries.map((e) => JSON.parse(e.MessageBody!))).toEqual(jobs);
    expect(Object.keys(entries[0]!).sort()).toEqual(['Id', 'MessageBody']);
  });
});

describe('SqsJobSource partial batch failures', () => {
  it('retries only the failed entries once, and is content when the retry succeeds', async () => {
    sqs
      .on(DeleteMessageBatchCommand)
      .callsFakeOnce((input: { Entries: { Id: string }[] }) => ({
        Successful: input.Entries.slice(1).map((e) => ({ Id: e.Id })),
        Failed: [{ Id: input.Entries[0]!.Id, Code: 'InternalError', SenderFault: false, Message: 'try again' }],
      }))
      .resolves({ Failed: [] });
    await source().delete(['r1', 'r2', 'r3']);
    const calls = sqs.commandCalls(DeleteMessageBatchCommand).map((c) => c.args[0].input.Entries!);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual([{ Id: calls[0]![0]!.Id, ReceiptHandle: 'r1' }]);
  });

  it('throws naming the entries and codes that failed twice', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Failed: input.Entries.filter((_, i) => i === 0).map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false, Message: 'still broken' })),
    }));
    const extending = source().extendVisibility(['r1-abcdefghijkl', 'r2-mnopqrstuvwx'], 60);
    await expect(extending).rejects.toThrow(SqsBatchError);
    await expect(extending).rejects.toThrow(/ChangeMessageVisibilityBatch: 1 of 2 entries failed.*receipt …abcdefghijkl \(InternalError: still broken\)/);
    // First try with both, the retry with the one that failed, then no more.
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([2, 1]);
  });

  it('names the job of a message that could not be sent', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => ({
      Failed: input.Entries.filter((e) => JSON.parse(e.MessageBody).jobId === 'job-b').map((e) => ({ Id: e.Id, Code: 'KMS.ThrottlingException', SenderFault: false })),
    }));
    const sending = source().send([job('job-a'), job('job-b')]);
    await expect(sending).rejects.toThrow(/job job-b \(KMS\.ThrottlingException/);
    await expect(sending).rejects.toSatisfy((error: SqsBatchError) => error.failures.length === 1 && error.failures[0]!.entry === 'job job-b');
  });

  it('keeps going through the other chunks when one request fails as a whole', async () => {
    sqs
      .on(DeleteMessageBatchCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ Failed: [] });
    const deleting = source().delete(receipts(25));
    await expect(deleting).rejects.toThrow(/DeleteMessageBatch: 10 of 25 entries failed.*ThrottlingException: Rate exceeded/);
    expect(sqs.commandCalls(DeleteMessageBatchCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 5]);
  });

  it('skips stale receipts without a retry or an error, and reports them', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Failed: [
        { Id: input.Entries[0]!.Id, Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'The input receipt handle is invalid.' },
        {
          Id: input.Entries[1]!.Id,
          Code: 'InvalidParameterValue',
          SenderFault: true,
          Message: 'Value r2 for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.',
        },
      ],
    }));
    await source().extendVisibility(['r1', 'r2', 'r3'], 60);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(1);
    expect(staleReports).toEqual([
      'ChangeMessageVisibilityBatch: skipped 2 stale receipt(s): receipt …r1 (ReceiptHandleIsInvalid), receipt …r2 (InvalidParameterValue)',
    ]);
  });

  it('does not take any InvalidParameterValue for a stale receipt', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Failed: [{ Id: input.Entries[0]!.Id, Code: 'InvalidParameterValue', SenderFault: true, Message: 'VisibilityTimeout is out of range' }],
    }));
    await expect(source().extendVisibility(['r1'], 60)).rejects.toThrow(/InvalidParameterValue/);
    expect(staleReports).toEqual([]);
  });
});

describe('SqsJobSource.deadLetter', () => {
  it('sends the body with the reason to the dead-letter queue, then deletes the original', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    sqs.on(DeleteMessageCommand).resolves({});
    await source().deadLetter('r-bad', 'not json', 'invalid JSON: Unexpected token');
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: DLQ_URL,
        MessageBody: 'not json',
        MessageAttributes: {
          'loadmaster-reason': { DataType: 'String', StringValue: 'invalid JSON: Unexpected token' },
          'loadmaster-source-queue': { DataType: 'String', StringValue: QUEUE_URL },
        },
      },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: 'r-bad' }]);
    expect(sqs.calls().map((c) => c.args[0].constructor.name)).toEqual(['SendMessageCommand', 'DeleteMessageCommand']);
  });

  it('without a receipt only sends', async () => {
    sqs.on(SendMessageCommand).resolves({});
    await source().deadLetter(undefined, JSON.stringify(job('a')), 'failed 3 times');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('leaves the original in the queue when the dead-letter send fails', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('Access denied to the dead-letter queue'));
    await expect(source().deadLetter('r-bad', 'x', 'why')).rejects.toThrow('Access denied');
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('keeps the reason attribute within 1000 characters of what SQS accepts', async () => {
    expect(reasonAttribute('x'.repeat(5000))).toHaveLength(1000);
    expect(reasonAttribute('x'.repeat(5000)).endsWith('…')).toBe(true);
    expect(reasonAttribute('x'.repeat(1000))).toBe('x'.repeat(1000));
    expect(reasonAttribute('a\u0000b\tc')).toBe('a\uFFFDb\tc');
    expect(reasonAttribute('')).toBe('(no reason given)');
    // A cut never splits a surrogate pair.
    const cut = reasonAttribute(`${'x'.repeat(998)}😀😀`);
    expect(cut).toBe(`${'x'.repeat(998)}…`);

    sqs.on(SendMessageCommand).resolves({});
    await source().deadLetter(undefined, 'x', 'y'.repeat(2000));
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageAttributes!['loadmaster-reason']!.StringValue).toHaveLength(1000);
  });

  it('puts a stand-in body for an empty one, which SQS would refuse', async () => {
    sqs.on(SendMessageCommand).resolves({});
    await source().deadLetter(undefined, '', 'empty body; expected a JSON job message');
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody).toBe('(empty body)');
  });
});
