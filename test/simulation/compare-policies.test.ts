import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/config/input-issues.ts';
import { loadConfigFile, parseConfig } from '../../src/config/load-config.ts';
import { POLICY_NAMES } from '../../src/core/policies/fleet-policy.ts';
import { comparePolicies, lowerBounds, withTimeoutNote } from '../../src/simulation/compare-policies.ts';
import type { PolicyRun } from '../../src/simulation/report/simulate-report.ts';
import type { Trace } from '../../src/simulation/traces/trace.ts';
import { message, POLICY_SIM_CONFIG, POLICY_SIM_TRACE, simConfig } from './policy-sim-fixtures.ts';

const config = parseConfig(POLICY_SIM_CONFIG, 'policy-sim.yaml');

/** A wall clock that ticks one second per reading: deterministic, and every run takes 1 s. */
function steppingClock(): () => number {
  let t = 0;
  return () => t++;
}

describe('comparePolicies', () => {
  it('replays the trace once per policy: every run completes and succeeds every job, at no less than the lower bounds allow', async () => {
    const told: PolicyRun[] = [];
    const report = await comparePolicies({
      config,
      configName: 'policy-sim.yaml',
      trace: POLICY_SIM_TRACE,
      policies: POLICY_NAMES,
      wallClock: steppingClock(),
      onRun: (run) => told.push(run),
    });

    expect(report.trace).toEqual({ source: POLICY_SIM_TRACE.source, jobs: POLICY_SIM_TRACE.jobs.length, notes: [] });
    expect(report.config).toBe('policy-sim.yaml');
    const { clairvoyantUsd, anyScheduleUsd } = report.bounds;
    expect(anyScheduleUsd).toBeGreaterThan(0);
    expect(clairvoyantUsd).toBeGreaterThan(0);
    expect(clairvoyantUsd).toBeGreaterThanOrEqual(anyScheduleUsd);

    expect(report.runs.map((r) => r.policy)).toEqual([...POLICY_NAMES]);
    expect(told.map((r) => r.policy)).toEqual([...POLICY_NAMES]);
    for (const run of report.runs) {
      expect(run, run.policy).toMatchObject({ completed: true, jobs: POLICY_SIM_TRACE.jobs.length, succeeded: POLICY_SIM_TRACE.jobs.length, deadLettered: 0, wallSeconds: 1 });
      expect(run.totalCostUsd, run.policy).toBeGreaterThanOrEqual(anyScheduleUsd);
      expect(run.costOverAnySchedule, run.policy).toBeCloseTo(run.totalCostUsd / anyScheduleUsd, 12);
      expect(run.costOverClairvoyant, run.policy).toBeCloseTo(run.totalCostUsd / clairvoyantUsd, 12);
      expect(run.nodesLaunched.total, run.policy).toBeGreaterThan(0);
    }
    // The runs told about are the runs reported, each with its own simulation.
    for (const [i, run] of told.entries()) expect(report.runs[i]!.totalCostUsd).toBe(run.report.totalCost);
    // The recorded outcomes were replayed: seg-1's first attempt failed and was retried, in every run.
    for (const run of told) {
      expect(
        run.report.tasks.filter((t) => t.jobId === 'seg-1').map((t) => [t.attempt, t.exitCode]),
        run.policy,
      ).toEqual([
        [1, 1],
        [2, 0],
      ]);
    }
  });

  it('runs a small trace under the example config', async () => {
    const example = await loadConfigFile('examples/config.yaml');
    const trace: Trace = {
      source: 'example jobs',
      notes: ['hand-made'],
      jobs: [
        { at: 0, message: message('seg-a', 'segment-cells', { env: { MODEL: 'm' } }), durationSeconds: 120, exitCode: 0 },
        { at: 0, message: message('seg-b', 'segment-cells', { env: { MODEL: 'm' } }), durationSeconds: 90, exitCode: 0 },
        { at: 30, message: message('nuc-a', 'detect-nuclei', { env: { MODEL_URI: 's3://models/n' } }), durationSeconds: 200, exitCode: 0 },
        { at: 60, message: message('feat-a', 'extract-features'), durationSeconds: 60, exitCode: 0 },
      ],
    };
    const report = await comparePolicies({ config: example, configName: 'examples/config.yaml', trace, policies: ['loadmaster', 'seed-lambda'], wallClock: steppingClock() });
    expect(report.trace.notes).toEqual(['hand-made']);
    expect(report.runs.map((r) => [r.policy, r.completed, r.succeeded])).toEqual([
      ['loadmaster', true, 4],
      ['seed-lambda', true, 4],
    ]);
    for (const run of report.runs) expect(run.totalCostUsd).toBeGreaterThanOrEqual(report.bounds.anyScheduleUsd);
  });

  it('refuses a trace with a job the config cannot run, naming the job, before running anything', async () => {
    const trace: Trace = {
      ...POLICY_SIM_TRACE,
      jobs: [...POLICY_SIM_TRACE.jobs, { at: 10, message: message('mystery-7', 'no-such-algorithm'), durationSeconds: 10, exitCode: 0 }],
    };
    const told: string[] = [];
    const run = comparePolicies({ config, configName: 'policy-sim.yaml', trace, policies: POLICY_NAMES, wallClock: steppingClock(), onRun: (r) => told.push(r.policy) });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/job mystery-7: cannot run under policy-sim\.yaml: .*no-such-algorithm/);
    expect(told).toEqual([]);
  });
});

describe('jobs longer than their timeout', () => {
  const timed = parseConfig(simConfig({ segment: 'timeoutSeconds: 60' }), 'timed.yaml');
  const traceOf = (durationSeconds: number): Trace => ({
    source: 'timed',
    notes: [],
    jobs: [
      { at: 0, message: message('long', 'segment'), durationSeconds, exitCode: 0 },
      { at: 0, message: message('short', 'segment'), durationSeconds: 30, exitCode: 0 },
    ],
  });

  it('are bounded as running until the timeout, since no schedule runs them longer', async () => {
    const [atTimeout, longer] = [await lowerBounds(timed, 'timed.yaml', traceOf(60)), await lowerBounds(timed, 'timed.yaml', traceOf(6000))];
    expect(longer).toEqual(atTimeout);
    expect((await lowerBounds(timed, 'timed.yaml', traceOf(59))).clairvoyantUsd).toBeLessThan(atTimeout.clairvoyantUsd);
  });

  it('get a note naming how many and their algorithms; a trace without any keeps its notes', () => {
    // The timeout counts from the start call; the simulated task pulls its image for 1 s first.
    expect(withTimeoutNote(timed, traceOf(59)).notes).toEqual([
      "1 job runs longer than its algorithm's timeoutSeconds (segment): every attempt is stopped at the timeout, so they fail, and the lower bounds count the timeout as their run time",
    ]);
    const fits = traceOf(58);
    expect(withTimeoutNote(timed, fits)).toBe(fits);
  });
});
