// How long to keep an empty node, learnt per type from the gaps before empty nodes' next jobs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cheapestTimeout, IDLE_GAPS_KEPT, IdleGaps, MIN_IDLE_GAPS } from '../../../src/core/policies/idle-gaps.ts';

const BOOT = 40;
const LONGEST = 30;

/** Keeping a node t seconds against the gaps seen: the ski-rental cost the choice minimises. */
function costOf(gaps: readonly number[], t: number, boot: number): number {
  return gaps.reduce((sum, g) => sum + (g <= t ? g : t + boot), 0);
}

describe('cheapestTimeout', () => {
  it('keeps the longest until enough gaps are seen', () => {
    expect(cheapestTimeout(Array<number>(MIN_IDLE_GAPS - 1).fill(Infinity), BOOT, LONGEST)).toBe(LONGEST);
  });

  it('retires at once when no job came for an empty node in time, and keeps it as long as the usual gap when one did', () => {
    expect(cheapestTimeout(Array<number>(MIN_IDLE_GAPS).fill(Infinity), BOOT, LONGEST)).toBe(0);
    expect(cheapestTimeout(Array<number>(MIN_IDLE_GAPS).fill(100), BOOT, LONGEST)).toBe(0);
    expect(cheapestTimeout(Array<number>(MIN_IDLE_GAPS).fill(5), BOOT, LONGEST)).toBe(5);
  });

  it('weighs the gaps against the boot a missed job costs', () => {
    // Half the nodes get a job after 10 s, half never: keeping 10 s costs 5·10 + 5·(10 + 40) = 300,
    // retiring at once 10·40 = 400, keeping 30 s 5·10 + 5·70 = 400.
    const gaps = [...Array<number>(5).fill(10), ...Array<number>(5).fill(Infinity)];
    expect(cheapestTimeout(gaps, BOOT, LONGEST)).toBe(10);
    // A cheap boot: waiting for the half never pays.
    expect(cheapestTimeout(gaps, 5, LONGEST)).toBe(0);
  });

  it('never keeps a node longer than the longest, and costs no more than any other timeout up to it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(Infinity)), { minLength: MIN_IDLE_GAPS, maxLength: 40 }),
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 0, max: 60 }),
        (gaps, boot, longest) => {
          const chosen = cheapestTimeout(gaps, boot, longest);
          expect(chosen).toBeGreaterThanOrEqual(0);
          expect(chosen).toBeLessThanOrEqual(longest);
          for (let t = 0; t <= longest; t += 0.5) expect(costOf(gaps, chosen, boot)).toBeLessThanOrEqual(costOf(gaps, t, boot) + 1e-9);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('IdleGaps', () => {
  it('learns per type: retired nodes whose type is launched again soon after count as reused at that gap', () => {
    const gaps = new IdleGaps();
    for (let i = 0; i < MIN_IDLE_GAPS; i++) {
      const emptySince = i * 1000;
      gaps.retired('c7g.large', emptySince);
      gaps.launched('c7g.large', emptySince + 8, LONGEST);
    }
    expect(gaps.idleSeconds('c7g.large', 100_000, BOOT, LONGEST)).toBe(8);
    // Another type has seen nothing: the longest.
    expect(gaps.idleSeconds('g5.xlarge', 100_000, BOOT, LONGEST)).toBe(LONGEST);
  });

  it('counts a retired node as never reused once the longest timeout has passed with no launch of its type', () => {
    const gaps = new IdleGaps();
    for (let i = 0; i < MIN_IDLE_GAPS; i++) gaps.retired('c7g.large', i * 1000);
    // A launch after the longest timeout comes too late for every one of them.
    gaps.launched('c7g.large', 9000 + LONGEST + 1, LONGEST);
    expect(gaps.idleSeconds('c7g.large', 20_000, BOOT, LONGEST)).toBe(0);
  });

  it('matches each launch to one retired node, oldest first', () => {
    const gaps = new IdleGaps();
    gaps.retired('m', 0);
    gaps.retired('m', 10);
    gaps.launched('m', 20, LONGEST); // the node empty since 0: gap 20
    gaps.launched('m', 25, LONGEST); // the one empty since 10: gap 15
    gaps.launched('m', 26, LONGEST); // none left: nothing learnt
    for (let i = 0; i < MIN_IDLE_GAPS - 2; i++) gaps.reused('m', 15);
    // Nine gaps of 15 and one of 20: keeping 15 s costs 9·15 + 55 = 190, 20 s costs 9·15 + 20 = 155.
    expect(gaps.idleSeconds('m', 30, BOOT, LONGEST)).toBe(20);
  });

  it('learns from empty nodes that took a job, and follows the newest gaps', () => {
    const gaps = new IdleGaps();
    for (let i = 0; i < IDLE_GAPS_KEPT; i++) gaps.reused('m', 3);
    expect(gaps.idleSeconds('m', 0, BOOT, LONGEST)).toBe(3);
    // The workload changes: empty nodes stop getting jobs; once they outnumber the old gaps, retire at once.
    for (let i = 0; i < IDLE_GAPS_KEPT; i++) gaps.retired('m', i);
    expect(gaps.idleSeconds('m', IDLE_GAPS_KEPT + LONGEST + 1, BOOT, LONGEST)).toBe(0);
  });
});
