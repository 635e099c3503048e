import { describe, expect, it } from 'vitest';
import { DIMENSIONS, resources } from '../../../src/core/resources.ts';
import { DEFAULT_MAX_POINTS, downsampleSamples, reportJson, summariseRuns } from '../../../src/simulation/report/simulate-report.ts';
import type { PolicyRun } from '../../../src/simulation/report/simulate-report.ts';
import { reportHtml } from '../../../src/simulation/report/report-html.ts';
import { policyRun, sample, syntheticSamples } from './report-fixtures.ts';

const TRACE = { source: 'traces/day.csv', jobs: 10, notes: ['first day only'] };
const BOUNDS = { clairvoyantUsd: 8, clairvoyantBootSeconds: 30, clairvoyantWholeInstanceStretches: 7, anyScheduleUsd: 5 };

function summarise(runs: readonly PolicyRun[], maxPoints?: number) {
  return summariseRuns({ trace: TRACE, config: 'config.yaml', bounds: BOUNDS, runs, ...(maxPoints !== undefined && { maxPoints }) });
}

describe('summariseRuns', () => {
  it('sets each run against the bounds and totals what it launched', () => {
    const report = summarise([
      policyRun('cheapest', { totalCost: 10, nodesLaunched: { 'c7g.large': 3, 'm7g.xlarge': 2 }, apiCalls: 70, apiCallsPerJob: 7 }, 2.5),
      policyRun('spread', { totalCost: 16, completed: false, deadLettered: 1, succeeded: 9 }),
    ]);

    expect(report.trace).toEqual(TRACE);
    expect(report.config).toBe('config.yaml');
    expect(report.bounds).toEqual(BOUNDS);
    const [cheapest, spread] = report.runs;
    expect(cheapest).toMatchObject({
      policy: 'cheapest',
      totalCostUsd: 10,
      costSplit: { runningUsd: 6, bootingUsd: 2, emptyUsd: 1.5, minimumUsd: 0.5 },
      costOverClairvoyant: 1.25,
      costOverAnySchedule: 2,
      nodesLaunched: { byType: { 'c7g.large': 3, 'm7g.xlarge': 2 }, total: 5 },
      apiCalls: 70,
      apiCallsPerJob: 7,
      waitSeconds: { p50: 5, p95: 20, max: 40 },
      utilization: { cpu: 0.5, memoryMiB: 0.5, gpu: 0.5 },
      jobs: 10,
      succeeded: 10,
      completed: true,
      simulatedSeconds: 60,
      wallSeconds: 2.5,
    });
    expect(spread).toMatchObject({ policy: 'spread', costOverClairvoyant: 2, costOverAnySchedule: 3.2, completed: false, deadLettered: 1, succeeded: 9 });
  });

  it('gives no ratio against a bound of zero', () => {
    const report = summariseRuns({ trace: TRACE, config: 'c.yaml', bounds: { clairvoyantUsd: 0, clairvoyantBootSeconds: 30, clairvoyantWholeInstanceStretches: 7, anyScheduleUsd: 0 }, runs: [policyRun('p', { totalCost: 3 })] });
    expect(report.runs[0]).toMatchObject({ costOverClairvoyant: null, costOverAnySchedule: null });
  });

  it('leaves the per-task list out, and its JSON reads back as the report', () => {
    const task = { jobId: 'job-secret-id', attempt: 1, algorithm: 'seg', instanceId: 'i-1', instanceType: 'c7g.large', demand: resources(() => 1), arrivedAt: 0, startedAt: 1 };
    const report = summarise([policyRun('p', { tasks: [task] })]);
    const json = reportJson(report);
    expect(json).not.toContain('job-secret-id');
    expect(json).not.toContain('"tasks"');
    expect(JSON.parse(json)).toEqual(report);
  });

  it('keeps arrays of numbers on one line in the JSON', () => {
    const json = reportJson(summarise([policyRun('p')]));
    expect(json).toMatch(/"t": \[0, 30, 60\]/);
    expect(json).toMatch(/^ {2}"bounds": \{$/m);
  });

  it('rejects a point cap below one', () => {
    expect(() => summarise([policyRun('p')], 0)).toThrow(/maxPoints/);
  });
});

describe('downsampleSamples', () => {
  // Six samples in stretches of two: the peaks sit in the middle of stretches on purpose.
  const samples = [
    sample({ t: 0, nodesByType: { a: 1 }, queueDepth: 3, runningJobs: 1, allocated: resources(() => 1), allocatable: resources(() => 4), cost: 0 }),
    sample({ t: 30, nodesByType: { a: 2, b: 1 }, queueDepth: 9, runningJobs: 4, allocated: resources(() => 3), allocatable: resources(() => 4), cost: 0.1 }),
    sample({ t: 60, nodesByType: { b: 4 }, queueDepth: 2, runningJobs: 7, allocated: resources(() => 2), allocatable: resources(() => 8), cost: 0.3 }),
    sample({ t: 90, nodesByType: { a: 1 }, queueDepth: 0, runningJobs: 2, allocated: resources(() => 0), allocatable: resources(() => 2), cost: 0.4 }),
    sample({ t: 120, nodesByType: {}, queueDepth: 0, runningJobs: 0, cost: 0.45 }),
    sample({ t: 150, nodesByType: {}, queueDepth: 1, runningJobs: 0, cost: 0.46 }),
  ];

  it('keeps each stretch’s peaks, its fullest fleet, its last cost, and its utilization over the stretch', () => {
    const series = downsampleSamples(samples, 3);
    expect(series.t).toEqual([30, 90, 150]);
    expect(series.queueDepth).toEqual([9, 2, 1]);
    expect(series.runningJobs).toEqual([4, 7, 0]);
    expect(series.cost).toEqual([0.1, 0.4, 0.46]);
    // The fleet is the sample with the most nodes, so its types add up to a fleet that existed.
    expect(series.nodesByType).toEqual({ a: [2, 0, 0], b: [1, 4, 0] });
    // (1 + 3) / (4 + 4), (2 + 0) / (8 + 2), and nothing allocatable.
    for (const d of DIMENSIONS) expect(series.utilization[d]).toEqual([0.5, 0.2, 0]);
  });

  it('keeps every sample when they fit', () => {
    const series = downsampleSamples(samples, 10);
    expect(series.t).toEqual([0, 30, 60, 90, 120, 150]);
    expect(series.queueDepth).toEqual([3, 9, 2, 0, 0, 1]);
  });

  it('never gives more points than the cap', () => {
    for (const [count, cap] of [[0, 600], [1, 600], [599, 600], [600, 600], [601, 600], [1_201, 600], [10_000, 7]] as const) {
      const series = downsampleSamples(syntheticSamples(count, 1, 4), cap);
      expect(series.t.length).toBeLessThanOrEqual(cap);
      expect(series.t.length).toBe(count === 0 ? 0 : Math.ceil(count / Math.ceil(count / cap)));
      expect(series.cost).toHaveLength(series.t.length);
      for (const column of Object.values(series.nodesByType)) expect(column).toHaveLength(series.t.length);
    }
  });

  it('keeps the overall maximum and the final cost whatever the stretch size', () => {
    const many = syntheticSamples(50_000, 3, 6);
    const series = downsampleSamples(many, DEFAULT_MAX_POINTS);
    expect(Math.max(...series.queueDepth)).toBe(Math.max(...many.map((s) => s.queueDepth)));
    expect(Math.max(...series.runningJobs)).toBe(Math.max(...many.map((s) => s.runningJobs)));
    expect(series.cost.at(-1)).toBeCloseTo(many.at(-1)!.cost, 4);
    expect(series.t.at(-1)).toBe(many.at(-1)!.t);
  });
});

describe('a 150-day trace with 2,000,000 samples per run', () => {
  it('gives a JSON report of well under a few MB, and a page of about the same', () => {
    const samples = syntheticSamples(2_000_000, 150, 24);
    const runs = ['cheapest', 'first-fit', 'karpenter-like'].map((policy, i) =>
      policyRun(policy, {
        samples,
        totalCost: 20_000 + i * 1_500,
        simulatedSeconds: samples.at(-1)!.t,
        nodesLaunched: Object.fromEntries(Object.keys(samples[0]!.nodesByType).map((type, k) => [type, 100 + k * 10 + i])),
      }),
    );
    const report = summariseRuns({ trace: { source: 'alibaba-gpu.csv', jobs: 1_000_000, notes: [] }, config: 'config.yaml', bounds: { clairvoyantUsd: 15_000, clairvoyantBootSeconds: 30, clairvoyantWholeInstanceStretches: 7, anyScheduleUsd: 12_000 }, runs });
    const jsonBytes = Buffer.byteLength(reportJson(report));
    const htmlBytes = Buffer.byteLength(reportHtml(report));
    console.log(`3 runs × 2,000,000 samples over 150 days, 24 types: JSON ${(jsonBytes / 1e6).toFixed(2)} MB, HTML ${(htmlBytes / 1e6).toFixed(2)} MB`);
    for (const run of report.runs) expect(run.series.t.length).toBeLessThanOrEqual(DEFAULT_MAX_POINTS);
    expect(jsonBytes).toBeLessThan(2e6);
    expect(htmlBytes).toBeLessThan(4e6);
  }, 120_000); // millions of samples: slow on a busy machine, though linear
});
