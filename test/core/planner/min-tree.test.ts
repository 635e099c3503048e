import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinTree } from '../../../src/core/planner/min-tree.ts';

describe('MinTree', () => {
  it('finds the leftmost position at most a bound, after any updates (brute force)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(39), fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(Infinity)), fc.integer({ min: -6, max: 6 })), { maxLength: 30 }),
        (initial, steps) => {
          const values: number[] = [...initial];
          const tree = new MinTree(values);
          for (const [at, value, bound] of steps) {
            const position = at % values.length;
            values[position] = value;
            tree.set(position, value);
            const expected = values.findIndex((v) => v <= bound);
            expect(tree.firstAtMost(bound)).toBe(expected < 0 ? undefined : expected);
          }
        },
      ),
      { numRuns: 300, seed: 12 },
    );
    expect(new MinTree([]).firstAtMost(0)).toBeUndefined();
    expect(new MinTree([-Infinity, 3]).firstAtMost(-1e300)).toBe(0);
  });
});
