import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retireAt } from '../../../src/core/policies/fleet-policy.ts';

describe('retireAt', () => {
  it('measured continuously: idleSeconds after the node emptied', () => {
    expect(retireAt(0, { idleSeconds: 600, evaluationSeconds: 0 })).toBe(600);
    expect(retireAt(301, { idleSeconds: 600, evaluationSeconds: 0 })).toBe(901);
    expect(retireAt(12.5, { idleSeconds: 30, evaluationSeconds: 0 })).toBe(42.5);
  });

  it('treats a negative evaluation period as continuous measurement', () => {
    expect(retireAt(301, { idleSeconds: 600, evaluationSeconds: -300 })).toBe(901);
  });

  it('over whole evaluation periods: idleSeconds counted from the end of the period in which it emptied', () => {
    const alarm = { idleSeconds: 600, evaluationSeconds: 300 };
    // Emptied at 301 s: the period 300–600 s is not wholly idle; idleness counts from 600 s.
    expect(retireAt(301, alarm)).toBe(1200);
    expect(retireAt(599, alarm)).toBe(1200);
    expect(retireAt(600, alarm)).toBe(1200);
    expect(retireAt(601, alarm)).toBe(1500);
  });

  it('a node that empties exactly on a period boundary needs no extra period', () => {
    expect(retireAt(0, { idleSeconds: 600, evaluationSeconds: 300 })).toBe(600);
    expect(retireAt(900, { idleSeconds: 600, evaluationSeconds: 300 })).toBe(1500);
  });

  it('is never earlier than continuous measurement, and at most one period later; always on a period boundary plus idleSeconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 3600 }), fc.integer({ min: 1, max: 3600 }), (emptySince, idleSeconds, evaluationSeconds) => {
        const at = retireAt(emptySince, { idleSeconds, evaluationSeconds });
        const continuous = retireAt(emptySince, { idleSeconds, evaluationSeconds: 0 });
        expect(at).toBeGreaterThanOrEqual(continuous);
        expect(at).toBeLessThan(continuous + evaluationSeconds);
        expect((at - idleSeconds) % evaluationSeconds).toBe(0);
      }),
    );
  });

  it('never goes back in time as the node empties later', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 600 }), (a, later, evaluationSeconds) => {
        const rule = { idleSeconds: 120, evaluationSeconds };
        expect(retireAt(a + later, rule)).toBeGreaterThanOrEqual(retireAt(a, rule));
      }),
    );
  });
});
