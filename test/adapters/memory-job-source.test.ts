import { describe, expect, it } from 'vitest';
import { MemoryJobSource } from '../../src/adapters/memory-queue/memory-job-source.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import type { Clock } from '../../src/ports/clock.ts';

/** A clock that moves only when told to. */
function manualClock(start = 1_000_000): Clock & { advanceSeconds(seconds: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: async () => {},
    advanceSeconds(seconds) {
      now += seconds * 1000;
    },
  };
}

function job(jobId: string): JobMessage {
  return { version: 1, jobId, algorithm: 'segment', inputs: [`s3://images/${jobId}.tif`], outputPrefix: 's3://results/', env: {}, priority: 0, attempt: 1 };
}

function setup(options: { visibilitySeconds?: number; maxReceives?: number } = {}) {
  const clock = manualClock();
  const queue = new MemoryJobSource({ clock, visibilitySeconds: 60, ...options });
  return { clock, queue };
}

const ids = (held: readonly { message: JobMessage }[]) => held.map((h) => h.message.jobId);

describe('MemoryJobSource', () => {
  it('hands out up to max visible messages, oldest first, and hides them', async () => {
    const { clock, queue } = setup();
    await queue.send([job('a'), job('b')]);
    clock.advanceSeconds(1);
    await queue.send([job('c')]);

    const first = await queue.receive(2);
    expect(ids(first.held)).toEqual(['a', 'b']);
    expect(first.rejected).toEqual([]);
    expect(first.held[0]).toMatchObject({ receiveCount: 1, sentAt: 1_000_000, message: job('a') });
    expect(ids((await queue.receive(10)).held)).toEqual(['c']);
    expect((await queue.receive(10)).held).toEqual([]);
    expect({ depth: queue.depth(), visible: queue.visibleCount(), inFlight: queue.inFlightCount() }).toEqual({ depth: 3, visible: 0, inFlight: 3 });
  });

  it('redelivers a message when its visibility timeout runs out, with a new receipt', async () => {
    const { clock, queue } = setup();
    await queue.send([job('a')]);
    const [first] = (await queue.receive(1)).held;
    clock.advanceSeconds(59);
    expect((await queue.receive(1)).held).toEqual([]);
    clock.advanceSeconds(1);
    const [second] = (await queue.receive(1)).held;
    expect(second).toMatchObject({ receiveCount: 2, message: job('a') });
    expect(second!.receipt).not.toBe(first!.receipt);
  });

  it('keeps a message hidden while its visibility is extended', async () => {
    const { clock, queue } = setup();
    await queue.send([job('a')]);
    const [held] = (await queue.receive(1)).held;
    clock.advanceSeconds(50);
    await queue.extendVisibility([held!.receipt], 120);
    clock.advanceSeconds(119);
    expect(queue.inFlightCount()).toBe(1);
    expect((await queue.receive(1)).held).toEqual([]);
    clock.advanceSeconds(1);
    expect(ids((await queue.receive(1)).held)).toEqual(['a']);
  });

  it('removes deleted messages for good', async () => {
    const { clock, queue } = setup();
    await queue.send([job('a'), job('b')]);
    const { held } = await queue.receive(10);
    await queue.delete([held[0]!.receipt]);
    clock.advanceSeconds(60);
    expect(ids((await queue.receive(10)).held)).toEqual(['b']);
    expect(queue.depth()).toBe(1);
  });

  it('hands released messages back at once', async () => {
    const { queue } = setup();
    await queue.send([job('a'), job('b')]);
    const { held } = await queue.receive(10);
    await queue.release(held.map((h) => h.receipt));
    expect(queue.visibleCount()).toBe(2);
    const again = await queue.receive(10);
    expect(ids(again.held)).toEqual(['a', 'b']);
    expect(again.held.map((h) => h.receiveCount)).toEqual([2, 2]);
  });

  it('ignores stale and unknown receipts, like SQS', async () => {
    const { clock, queue } = setup();
    await queue.send([job('a')]);
    const [stale] = (await queue.receive(1)).held;
    clock.advanceSeconds(60);
    const [current] = (await queue.receive(1)).held;

    await queue.delete([stale!.receipt, 'no-such-receipt']);
    await queue.release([stale!.receipt]);
    await queue.extendVisibility([stale!.receipt], 3600);
    await queue.deadLetter(stale!.receipt, 'body', 'reason');
    expect({ depth: queue.depth(), inFlight: queue.inFlightCount(), deadLetters: queue.deadLetters() }).toEqual({ depth: 1, inFlight: 1, deadLetters: [] });

    await queue.delete([current!.receipt]);
    expect(queue.depth()).toBe(0);
  });

  it('still deletes by the latest receipt after the timeout ran out, until someone receives again', async () => {
    const { clock, queue } = setup();
    await queue.send([job('a')]);
    const [held] = (await queue.receive(1)).held;
    clock.advanceSeconds(61);
    // The message is visible again but no one took it: the holder may still finish the job.
    await queue.extendVisibility([held!.receipt], 60);
    expect(queue.visibleCount()).toBe(1);
    await queue.delete([held!.receipt]);
    expect(queue.depth()).toBe(0);
  });

  it('dead-letters a message handed out maxReceives times on its next receive', async () => {
    const { clock, queue } = setup({ maxReceives: 2 });
    await queue.send([job('a'), job('b')]);
    for (let receive = 1; receive <= 2; receive++) {
      const { held } = await queue.receive(1);
      expect(ids(held)).toEqual(['a']);
      expect(held[0]!.receiveCount).toBe(receive);
      clock.advanceSeconds(60);
    }
    // "a" is moved aside, and the receive goes on to the next message.
    expect(ids((await queue.receive(1)).held)).toEqual(['b']);
    expect(queue.deadLetters()).toEqual([{ body: JSON.stringify(job('a')), reason: 'received 2 times without being deleted' }]);
    expect(queue.depth()).toBe(1);
  });

  it('returns invalid bodies as rejected, for the caller to dead-letter with the reason', async () => {
    const { queue } = setup();
    queue.sendRaw('{"jobId": "x"');
    queue.sendRaw(JSON.stringify({ ...job('b'), colour: 'red' }));
    await queue.send([job('c')]);

    const { held, rejected } = await queue.receive(10);
    expect(ids(held)).toEqual(['c']);
    expect(rejected.map((r) => r.body)).toEqual(['{"jobId": "x"', JSON.stringify({ ...job('b'), colour: 'red' })]);
    expect(rejected[0]!.reason).toMatch(/^invalid JSON: /);
    expect(rejected[1]!.reason).toMatch(/^colour: unknown key/);
    expect(queue.inFlightCount()).toBe(3);

    for (const r of rejected) await queue.deadLetter(r.receipt, r.body, r.reason);
    expect(queue.deadLetters()).toEqual(rejected.map((r) => ({ body: r.body, reason: r.reason })));
    expect(queue.depth()).toBe(1);
  });

  it('counts rejected bodies against max', async () => {
    const { queue } = setup();
    queue.sendRaw('not json');
    await queue.send([job('b')]);
    const { held, rejected } = await queue.receive(1);
    expect({ held: held.length, rejected: rejected.length }).toEqual({ held: 0, rejected: 1 });
  });

  it('is deterministic: the same calls give the same receipts', async () => {
    async function run() {
      const { clock, queue } = setup();
      await queue.send([job('a'), job('b')]);
      const first = await queue.receive(10);
      clock.advanceSeconds(60);
      const second = await queue.receive(10);
      return [...first.held, ...second.held].map((h) => h.receipt);
    }
    expect(await run()).toEqual(await run());
  });

  it('defaults to 300 s visibility and rejects limits SQS would not accept', async () => {
    const clock = manualClock();
    const queue = new MemoryJobSource({ clock });
    await queue.send([job('a')]);
    await queue.receive(1);
    clock.advanceSeconds(299);
    expect(queue.visibleCount()).toBe(0);
    clock.advanceSeconds(1);
    expect(queue.visibleCount()).toBe(1);

    expect(() => new MemoryJobSource({ clock, visibilitySeconds: 13 * 3600 })).toThrow(/visibilitySeconds: expected a number of seconds from 0 to 43200/);
    expect(() => new MemoryJobSource({ clock, maxReceives: 0 })).toThrow('maxReceives: expected an integer >= 1, got 0');
    await expect(queue.extendVisibility([], -1)).rejects.toThrow(/seconds: expected a number of seconds from 0 to 43200/);
  });
});
