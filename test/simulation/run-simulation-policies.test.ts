import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import type { PolicyName } from '../../src/core/policies/fleet-policy.ts';
import { fleetPolicy } from '../../src/core/policies/policies.ts';
import { runSimulation, type JobOutcome, type SimulatedTask, type SimulationReport } from '../../src/simulation/run-simulation.ts';
import { POLICY_SIM_CONFIG, POLICY_SIM_JOBS, policyContext } from './policy-sim-fixtures.ts';

const config = parseConfig(POLICY_SIM_CONFIG, 'test.yaml');
const arrivals = POLICY_SIM_JOBS.map(({ at, message }) => ({ at, message }));
const outcomes: ReadonlyMap<string, JobOutcome> = new Map(POLICY_SIM_JOBS.map((j) => [j.message.jobId, { durationSeconds: j.durationSeconds, exitCode: j.exitCode }]));
const context = policyContext(config, POLICY_SIM_JOBS);
const POLICIES: readonly PolicyName[] = ['loadmaster', 'karpenter'];

/** The tasks as the cloud ran them, in a stable order, for comparing two runs. */
const byJobAndAttempt = (tasks: readonly SimulatedTask[]): SimulatedTask[] =>
  [...tasks].sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : a.attempt - b.attempt));

async function quietTickRuns(name: PolicyName): Promise<[SimulationReport, SimulationReport]> {
  const [fast, slow] = await Promise.all([5, 300].map((quietTickSeconds) => runSimulation({ config, arrivals, outcomes, policy: fleetPolicy(name, context), quietTickSeconds })));
  return [fast!, slow!];
}

describe.each(POLICIES)('runSimulation with the %s policy and recorded outcomes', (name) => {
  it('runs each task for its recorded time, retries the failed first attempt, and succeeds every job', async () => {
    const report = await runSimulation({ config, arrivals, outcomes, policy: fleetPolicy(name, context) });
    expect(report.completed).toBe(true);
    expect(report.jobs).toBe(POLICY_SIM_JOBS.length);
    expect(report.succeeded).toBe(report.jobs);
    expect(report.deadLettered).toBe(0);

    // Every recorded run time is what the task ran for, RUNNING to STOPPED (retries too).
    for (const task of report.tasks) {
      const recorded = outcomes.get(task.jobId)!;
      expect(task.runningAt).toBeDefined();
      expect(task.stoppedAt).toBeDefined();
      expect(task.stoppedAt! - task.runningAt!).toBeCloseTo(recorded.durationSeconds, 6);
    }

    // seg-1's first attempt exits 1 as recorded; segment allows 2 attempts; the retry exits 0.
    const seg1 = report.tasks.filter((t) => t.jobId === 'seg-1').sort((a, b) => a.attempt - b.attempt);
    expect(seg1.map((t) => [t.attempt, t.exitCode])).toEqual([
      [1, 1],
      [2, 0],
    ]);
    expect(seg1[1]!.startedAt).toBeGreaterThanOrEqual(seg1[0]!.stoppedAt!);
    // Every other job ran once and exited 0.
    const others = report.tasks.filter((t) => t.jobId !== 'seg-1');
    expect(others.map((t) => t.jobId).sort()).toEqual(POLICY_SIM_JOBS.map((j) => j.message.jobId).filter((id) => id !== 'seg-1').sort());
    for (const task of others) expect([task.attempt, task.exitCode]).toEqual([1, 0]);
  });

  it('makes the same decisions whether the quiet tick is 5 s or 300 s: same instances, same placements, same outcomes', async () => {
    const [fast, slow] = await quietTickRuns(name);
    expect(fast.completed).toBe(true);
    expect(slow.completed).toBe(true);
    expect(slow.succeeded).toBe(fast.succeeded);
    expect(slow.nodesLaunched).toEqual(fast.nodesLaunched);
    const placements = (tasks: readonly SimulatedTask[]) => byJobAndAttempt(tasks).map((t) => [t.jobId, t.attempt, t.instanceId, t.instanceType, t.exitCode]);
    expect(placements(slow.tasks)).toEqual(placements(fast.tasks));
  });

  // The controller's own loop sleeps reconcileSeconds from the end of its last round, whose
  // phase batch windows and API latency set, while the quiet-tick run is woken on the grid of
  // multiples of reconcileSeconds: a task may start earlier with the 5 s tick, by one period
  // at most.
  it('shifts no task start by more than one reconcileSeconds between a quiet tick of 5 s and of 300 s', async () => {
    const [fast, slow] = await quietTickRuns(name);
    const starts = (tasks: readonly SimulatedTask[]) => byJobAndAttempt(tasks).map((t) => t.startedAt);
    const shifts = starts(slow.tasks).map((at, i) => Math.abs(at - starts(fast.tasks)[i]!));
    expect(shifts.length).toBeGreaterThan(0);
    for (const shift of shifts) expect(shift).toBeLessThanOrEqual(5 + 1e-9);
  });
});

describe('runSimulation policy timing', () => {
  it("replaces the config's idle rule by the policy's: Karpenter retires an empty node after 30 s, loadmaster after the config's 300 s", async () => {
    const one = [{ at: 0, message: POLICY_SIM_JOBS[0]!.message }];
    const once = new Map([[one[0]!.message.jobId, { durationSeconds: 60, exitCode: 0 }]]);
    const [karpenter, loadmaster] = await Promise.all(
      (['karpenter', 'loadmaster'] as const).map((n) => runSimulation({ config, arrivals: one, outcomes: once, policy: fleetPolicy(n, context) })),
    );
    for (const report of [karpenter!, loadmaster!]) expect(report.completed).toBe(true);
    const idleAfterLastStop = (r: typeof karpenter): number => r!.simulatedSeconds - r!.tasks[0]!.stoppedAt!;
    expect(idleAfterLastStop(karpenter)).toBeGreaterThanOrEqual(30);
    expect(idleAfterLastStop(karpenter)).toBeLessThan(60);
    expect(idleAfterLastStop(loadmaster)).toBeGreaterThanOrEqual(300);
    expect(idleAfterLastStop(loadmaster)).toBeLessThan(330);
    expect(loadmaster!.totalCost).toBeGreaterThan(karpenter!.totalCost);
  });
});
