import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedReleases, NEWEST_RUN_WEIGHT, nextRunTimeEstimate, releasesRecheckIn, type RunningTask } from '../../../src/core/planner/run-time-estimates.ts';
import type { Resources } from '../../../src/core/resources.ts';

describe('nextRunTimeEstimate', () => {
  it('takes the first observed run time as it is', () => {
    expect(nextRunTimeEstimate(undefined, 120)).toBe(120);
    expect(nextRunTimeEstimate(undefined, 0)).toBe(0);
  });

  it('moves a fifth of the way towards each new run time', () => {
    expect(NEWEST_RUN_WEIGHT).toBe(0.2);
    expect(nextRunTimeEstimate(100, 200)).toBeCloseTo(120);
    expect(nextRunTimeEstimate(100, 50)).toBeCloseTo(90);
    expect(nextRunTimeEstimate(100, 100)).toBe(100);
  });

  it('treats a previous estimate of 0 as an estimate, not as none', () => {
    expect(nextRunTimeEstimate(0, 100)).toBeCloseTo(20);
  });

  it('weighs recent runs most: a new run time is mostly learnt within a few runs', () => {
    let estimate: number | undefined;
    for (let i = 0; i < 20; i++) estimate = nextRunTimeEstimate(estimate, 60);
    for (let i = 0; i < 10; i++) estimate = nextRunTimeEstimate(estimate, 300);
    // 60 + 240 × (1 − 0.8^10) ≈ 274.2
    expect(estimate).toBeCloseTo(60 + 240 * (1 - 0.8 ** 10), 6);
  });

  it('stays between the previous estimate and the new run time', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (previous, observed) => {
        const next = nextRunTimeEstimate(previous, observed);
        expect(next).toBeGreaterThanOrEqual(Math.min(previous, observed) - 1e-6);
        expect(next).toBeLessThanOrEqual(Math.max(previous, observed) + 1e-6);
      }),
    );
  });
});

describe('expectedReleases', () => {
  const demand: Resources = { cpu: 2048, memoryMiB: 4096, gpu: 0 };
  const task = (startedAtSeconds: number, estimateSeconds: number | undefined, r: Resources = demand): RunningTask => ({ startedAtSeconds, demand: r, estimateSeconds });

  it('is due when its start plus the estimate is reached, with the task’s demand', () => {
    // Started at 1000, runs about 100 s: at 1070 it frees its room in 30 s.
    expect(expectedReleases([task(1000, 100)], 1070, 45)).toEqual([{ inSeconds: 30, resources: demand }]);
  });

  it('keeps a release exactly at the horizon and drops one further ahead', () => {
    expect(expectedReleases([task(1000, 100)], 1055, 45)).toEqual([{ inSeconds: 45, resources: demand }]);
    expect(expectedReleases([task(1000, 100)], 1054, 45)).toEqual([]);
    expect(expectedReleases([task(1000, 100)], 1000, 45)).toEqual([]);
  });

  it('counts a task past its estimate as due any moment (0), while it is late by no more than the horizon', () => {
    expect(expectedReleases([task(1000, 100)], 1100, 45)).toEqual([{ inSeconds: 0, resources: demand }]);
    expect(expectedReleases([task(1000, 100)], 1120, 45)).toEqual([{ inSeconds: 0, resources: demand }]);
    expect(expectedReleases([task(1000, 100)], 1145, 45)).toEqual([{ inSeconds: 0, resources: demand }]);
  });

  it('drops a task late by more than the horizon: no job waits on a task running far longer than usual', () => {
    expect(expectedReleases([task(1000, 100)], 1146, 45)).toEqual([]);
    expect(expectedReleases([task(1000, 100)], 5000, 45)).toEqual([]);
  });

  it('drops tasks of algorithms with no estimate yet', () => {
    expect(expectedReleases([task(1000, undefined)], 1000, 45)).toEqual([]);
    expect(expectedReleases([task(1000, undefined)], 1000, 1e9)).toEqual([]);
  });

  it('counts a zero estimate as an estimate', () => {
    expect(expectedReleases([task(1000, 0)], 1010, 45)).toEqual([{ inSeconds: 0, resources: demand }]);
  });

  it('with horizon 0 keeps only tasks due exactly now', () => {
    expect(expectedReleases([task(1000, 100)], 1100, 0)).toEqual([{ inSeconds: 0, resources: demand }]);
    expect(expectedReleases([task(1000, 100)], 1099, 0)).toEqual([]);
    expect(expectedReleases([task(1000, 100)], 1101, 0)).toEqual([]);
  });

  it('keeps one release per counted task, in the tasks’ order, each with its own demand', () => {
    const gpu: Resources = { cpu: 4096, memoryMiB: 16384, gpu: 1 };
    const tasks = [task(900, 100), task(1000, 60, gpu), task(1000, undefined), task(990, 20), task(1000, 500)];
    // At 1020: 0 (overdue by 20), 40, dropped (no estimate), 0 (overdue by 10), dropped (480 ahead).
    expect(expectedReleases(tasks, 1020, 45)).toEqual([
      { inSeconds: 0, resources: demand },
      { inSeconds: 40, resources: gpu },
      { inSeconds: 0, resources: demand },
    ]);
  });

  it('every release it keeps is due within the horizon and never negative', () => {
    const taskArb = fc.record({
      startedAtSeconds: fc.integer({ min: 0, max: 10_000 }),
      estimateSeconds: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: undefined }),
      demand: fc.constant(demand),
    });
    fc.assert(
      fc.property(fc.array(taskArb, { maxLength: 20 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 600 }), (tasks, now, horizon) => {
        const releases = expectedReleases(tasks, now, horizon);
        for (const r of releases) {
          expect(r.inSeconds).toBeGreaterThanOrEqual(0);
          expect(r.inSeconds).toBeLessThanOrEqual(horizon);
        }
        const counted = tasks.filter((t) => t.estimateSeconds !== undefined && Math.abs(t.startedAtSeconds + t.estimateSeconds - now) <= horizon);
        expect(releases).toHaveLength(counted.length);
      }),
    );
  });
});

describe('releasesRecheckIn', () => {
  const demand: Resources = { cpu: 1024, memoryMiB: 2048, gpu: 0 };
  const task = (startedAtSeconds: number, estimateSeconds: number | undefined): RunningTask => ({ startedAtSeconds, demand, estimateSeconds });

  it('is when the first counted release stops being counted: its task late by more than the horizon', () => {
    // Due at 1100 and at 1130; with horizon 45 they stop counting at 1145 and 1175: at 1080, in 65 s.
    expect(releasesRecheckIn([task(1000, 100), task(1000, 130)], 1080, 45)).toBe(65);
    // Overdue by 20: 25 s left.
    expect(releasesRecheckIn([task(1000, 100)], 1120, 45)).toBe(25);
  });

  it('is undefined when no release is counted: none due within the horizon, none with an estimate', () => {
    expect(releasesRecheckIn([task(1000, 500), task(1000, undefined)], 1000, 45)).toBeUndefined();
    expect(releasesRecheckIn([], 1000, 45)).toBeUndefined();
  });

  it('matches expectedReleases: a recheck exactly when some release is counted', () => {
    const taskArb = fc.record({
      startedAtSeconds: fc.integer({ min: 0, max: 10_000 }),
      estimateSeconds: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: undefined }),
      demand: fc.constant(demand),
    });
    fc.assert(
      fc.property(fc.array(taskArb, { maxLength: 10 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 1, max: 600 }), (tasks, now, horizon) => {
        const recheck = releasesRecheckIn(tasks, now, horizon);
        expect(recheck === undefined).toBe(expectedReleases(tasks, now, horizon).length === 0);
        if (recheck !== undefined) expect(recheck).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
