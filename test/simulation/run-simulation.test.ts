import { describe, expect, it } from 'vitest';
import { timedJobsOf } from '../../benchmarks/sim.ts';
import { resourceTimeLowerBound } from '../../src/core/bounds/resource-time-lower-bound.ts';
import { catalogFromConfig } from '../../src/config/config-to-core.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { DIMENSIONS } from '../../src/core/resources.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import { runSimulation, type Arrival } from '../../src/simulation/run-simulation.ts';
import { message, simConfig } from './policy-sim-fixtures.ts';

const CONFIG = simConfig({ infer: 'env: { required: ["MODEL"] }' });

const config = parseConfig(CONFIG, 'test.yaml');

/** A job's message; infer jobs carry the MODEL their algorithm requires. */
function job(jobId: string, algorithm: string): JobMessage {
  return message(jobId, algorithm, algorithm === 'infer' ? { env: { MODEL: 'm1' } } : {});
}

/** Ten segment jobs and two infer jobs at once, then six more segment jobs ten minutes later. */
const ARRIVALS: Arrival[] = [
  ...Array.from({ length: 10 }, (_, i) => ({ at: 0, message: job(`seg-${i}`, 'segment') })),
  ...Array.from({ length: 2 }, (_, i) => ({ at: 0, message: job(`inf-${i}`, 'infer') })),
  ...Array.from({ length: 6 }, (_, i) => ({ at: 600 + i, message: job(`late-${i}`, 'segment') })),
];

describe('runSimulation', () => {
  it('runs a small arrivals list to the end, with a consistent report', async () => {
    const report = await runSimulation({ config, arrivals: ARRIVALS });
    expect(report.completed).toBe(true);
    expect(report.jobs).toBe(ARRIVALS.length);
    expect(report.succeeded).toBe(report.jobs);
    expect(report.deadLettered).toBe(0);

    // One task per job, each started after its arrival.
    expect(report.tasks).toHaveLength(report.jobs);
    for (const task of report.tasks) {
      expect(task.startedAt).toBeGreaterThanOrEqual(task.arrivedAt);
      expect(task.exitCode).toBe(0);
    }
    const { p50, p95, max } = report.waitSeconds;
    expect(0).toBeLessThanOrEqual(p50);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(max);
    // The first burst waits for a boot (40 ± 10 s) at least.
    expect(max).toBeGreaterThanOrEqual(30);

    // Ends after the last task and the idle shutdown that follows it (idleSeconds 300 by default).
    const lastStop = Math.max(...report.tasks.map((t) => t.stoppedAt ?? Infinity));
    expect(report.simulatedSeconds).toBeGreaterThanOrEqual(lastStop + 300);
    expect(Object.values(report.nodesLaunched).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2); // a GPU and a CPU node at least
    expect(report.apiCallsPerJob).toBeGreaterThan(0);
    expect(report.apiCallsPerJob).toBe(report.apiCalls / report.jobs);

    expect(report.nodesAtEnd).toEqual({});

    // Samples every 30 s from the start to the end.
    expect(report.samples[0]!.t).toBe(0);
    expect(report.samples.at(-1)!.t).toBe(report.simulatedSeconds);
    for (let i = 1; i < report.samples.length; i++) expect(report.samples[i]!.t).toBeGreaterThan(report.samples[i - 1]!.t);
    expect(report.samples.at(-1)!.cost).toBeCloseTo(report.totalCost, 9);
    expect(Math.max(...report.samples.map((s) => s.runningJobs))).toBeGreaterThan(0);
    for (const d of DIMENSIONS) {
      expect(report.utilization[d]).toBeGreaterThan(0);
      expect(report.utilization[d]).toBeLessThanOrEqual(1);
    }

    // Cost is positive and no less than the resource-time lower bound of the same work.
    const catalog = catalogFromConfig(config);
    const bound = await resourceTimeLowerBound(timedJobsOf(report, ARRIVALS, config, catalog), catalog);
    expect(bound.boundedJobs).toBe(report.jobs);
    expect(bound.lpCuts).toBeGreaterThan(0);
    expect(report.totalCost).toBeGreaterThanOrEqual(bound.lpCuts);
  });

  it('is deterministic: same inputs, same report', async () => {
    const [a, b] = await Promise.all([runSimulation({ config, arrivals: ARRIVALS }), runSimulation({ config, arrivals: ARRIVALS.map((a) => ({ ...a })) })]);
    expect(b.totalCost).toBe(a.totalCost);
    expect(b.waitSeconds).toEqual(a.waitSeconds);
    expect(b.simulatedSeconds).toBe(a.simulatedSeconds);
  });

  it('counts jobs that fail for good or are invalid as dead-lettered, and still completes', async () => {
    const failing = parseConfig(CONFIG.replace('failureRate: 0', 'failureRate: 1'), 'test.yaml');
    const report = await runSimulation({
      config: failing,
      arrivals: [
        { at: 0, message: job('seg-0', 'segment') },
        { at: 0, message: job('nope', 'no-such-algorithm') },
      ],
    });
    expect(report.completed).toBe(true);
    expect(report.succeeded).toBe(0);
    expect(report.deadLettered).toBe(2);
  });

  it('ends with the warm minimum still up', async () => {
    const report = await runSimulation({ config, arrivals: ARRIVALS.slice(0, 3), settings: { warmNodes: { 'c7g.*': 1 } } });
    expect(report.completed).toBe(true);
    const [warm, ...others] = Object.entries(report.nodesAtEnd);
    expect(others).toEqual([]);
    expect(warm![0]).toMatch(/^c7g\./);
    expect(warm![1]).toBe(1);
  });

  it('stops at the limit when the work cannot finish by then', async () => {
    const report = await runSimulation({ config, arrivals: ARRIVALS, limitSeconds: 60 });
    expect(report.completed).toBe(false);
    expect(report.simulatedSeconds).toBe(60);
    expect(report.succeeded).toBeLessThan(report.jobs);
  });

  it('counts a job never started as waiting until the run ended, not as no wait', async () => {
    // Cut off at 20 s, before the first boot (30 s at the soonest): the 12 jobs of t = 0 waited 20 s; the later ones had not arrived.
    const report = await runSimulation({ config, arrivals: ARRIVALS, limitSeconds: 20 });
    expect(report.tasks).toEqual([]);
    expect(report.waitSeconds).toEqual({ p50: 20, p95: 20, max: 20 });
  });

  it('refuses arrivals with the same job id or a negative time', async () => {
    await expect(runSimulation({ config, arrivals: [ARRIVALS[0]!, ARRIVALS[0]!] })).rejects.toThrow(/arrives twice/);
    await expect(runSimulation({ config, arrivals: [{ at: -1, message: job('x', 'segment') }] })).rejects.toThrow(/expected seconds >= 0/);
  });

  it('keeps a job held for hours in the queue without a redelivery: visibility extensions are deadlines the quiet tick cannot skip', async () => {
    // One instance at most and jobs of an hour each: the second waits about an hour, held,
    // with visibility 300 s; the simulation's quiet tick is 300 s too.
    const oneAtATime = { ...config, policy: { ...config.policy, maxInstances: 1 } };
    const long = new Map([
      ['first', { durationSeconds: 3600, exitCode: 0 }],
      ['second', { durationSeconds: 60, exitCode: 0 }],
    ]);
    const wide = (id: string): Arrival => ({ at: 0, message: { ...job(id, 'segment'), resources: { cpu: 100 * 1024, memoryMiB: 1024, gpu: 0 } } });
    const report = await runSimulation({ config: oneAtATime, arrivals: [wide('first'), wide('second')], outcomes: long });
    expect(report.completed).toBe(true);
    expect(report.deadLettered).toBe(0);
    expect(report.succeeded).toBe(2);
    const second = report.tasks.filter((t) => t.jobId === 'second');
    expect(second).toHaveLength(1);
    expect(second[0]!.startedAt).toBeGreaterThan(3600);
  });
});

