// One trace, replayed once per placement policy on the same simulated cloud, and set
// against two lower bounds on its cost: the engine of `loadmaster simulate` and of
// `npm run bench:policies`. Every run starts from the same state with the same seed, so
// only the policies' decisions differ.
import type { LoadmasterConfig } from '../config/config-schema.ts';
import { catalogFromConfig } from '../config/config-to-core.ts';
import { clairvoyantLowerBound } from '../core/bounds/clairvoyant-lower-bound.ts';
import { resourceTimeLowerBound } from '../core/bounds/resource-time-lower-bound.ts';
import { chooseFixedTypes } from '../core/policies/fixed-types.ts';
import type { PolicyName } from '../core/policies/fleet-policy.ts';
import { fleetPolicy, type PolicyContext } from '../core/policies/policies.ts';
import { jobRulesFromConfig } from '../daemon/job-rules.ts';
import type { Logger } from '../log/logger.ts';
import { summariseRuns, type LowerBounds, type PolicyRun, type SimulateReport } from './report/simulate-report.ts';
import { DEFAULT_TASK_START_SECONDS } from '../adapters/sim/sim-options.ts';
import { runSimulation } from './run-simulation.ts';
import { throwIfIssues, type Trace } from './traces/trace.ts';

export interface ComparePoliciesOptions {
  readonly config: LoadmasterConfig;
  /** How the report names the config (its file name). */
  readonly configName: string;
  readonly trace: Trace;
  readonly policies: readonly PolicyName[];
  /** Real time in seconds, to report how long each run took (the simulation itself never reads it). */
  readonly wallClock: () => number;
  /** Told about each run as it ends (progress). */
  readonly onRun?: (run: PolicyRun) => void;
  readonly logger?: Logger;
}

export async function comparePolicies(options: ComparePoliciesOptions): Promise<SimulateReport> {
  const { config, trace } = options;
  const bounds = await lowerBounds(config, options.configName, trace);
  const runs: PolicyRun[] = [];
  for (const name of options.policies) {
    const run = await simulatePolicy(config, trace, name, options);
    runs.push(run);
    options.onRun?.(run);
  }
  return summariseRuns({ trace: { source: trace.source, jobs: trace.jobs.length, notes: trace.notes }, config: options.configName, bounds, runs });
}

/** The lower bounds on the trace's cost under the config's catalog; refuses a trace with jobs the config cannot run. */
export async function lowerBounds(config: LoadmasterConfig, configName: string, trace: Trace): Promise<LowerBounds> {
  const { catalog, jobs } = boundJobs(config, configName, trace);
  // Every instance the simulated cloud launches is billed at least its shortest boot before it can run a task.
  const bootSeconds = Math.max(0, config.cloud.sim.bootSeconds - config.cloud.sim.bootJitterSeconds);
  const [clairvoyant, anySchedule] = [await clairvoyantLowerBound(jobs, catalog, { bootSeconds }), await resourceTimeLowerBound(jobs, catalog)];
  return { clairvoyantUsd: clairvoyant.usd, clairvoyantBootSeconds: bootSeconds, clairvoyantWholeInstanceStretches: clairvoyant.integerSegments, anyScheduleUsd: anySchedule.lpCuts };
}

/** One policy's replay of the trace. Runs of different policies share nothing, so they may run in parallel (worker threads). */
export async function simulatePolicy(
  config: LoadmasterConfig,
  trace: Trace,
  name: PolicyName,
  options: Pick<ComparePoliciesOptions, 'configName' | 'wallClock' | 'logger'>,
): Promise<PolicyRun> {
  const { catalog, jobs } = boundJobs(config, options.configName, trace);
  const context: PolicyContext = {
    loadmaster: {
      batch: { idleSeconds: config.controller.batchIdleSeconds, maxSeconds: config.controller.batchMaxSeconds },
      idle: { idleSeconds: config.controller.idleSeconds, evaluationSeconds: 0, learned: config.controller.learnIdleSeconds },
      consolidation: config.controller.consolidation.enabled,
    },
    fixedTypes: chooseFixedTypes(jobs, catalog),
  };
  const arrivals = trace.jobs.map(({ at, message }) => ({ at, message }));
  const outcomes = new Map(trace.jobs.map(({ message, durationSeconds, exitCode }) => [message.jobId, { durationSeconds, exitCode }]));
  const started = options.wallClock();
  const report = await runSimulation({ config, arrivals, outcomes, policy: fleetPolicy(name, context), ...(options.logger ? { logger: options.logger } : {}) });
  return { policy: name, report, wallSeconds: options.wallClock() - started };
}

/** The trace's jobs with what the config makes of them; an InputError names every job the config cannot run. */
function boundJobs(config: LoadmasterConfig, configName: string, trace: Trace) {
  const catalog = catalogFromConfig(config);
  const rules = jobRulesFromConfig(config, catalog);
  throwIfIssues(
    trace.source,
    trace.jobs.flatMap(({ message }) => {
      const problem = rules.check(message);
      return problem === undefined ? [] : [{ path: `job ${message.jobId}`, message: `cannot run under ${configName}: ${problem}` }];
    }),
  );
  const jobs = trace.jobs.map(({ at, message, durationSeconds }) => ({
    id: message.jobId,
    algorithm: message.algorithm,
    ...rules.demandAndConstraints(message),
    arrivalSeconds: at,
    // A job that outlasts its algorithm's timeout is stopped there: no schedule runs it longer.
    durationSeconds: Math.min(durationSeconds, timeoutOf(config, message.algorithm)),
  }));
  return { catalog, jobs };
}

function timeoutOf(config: LoadmasterConfig, algorithm: string): number {
  return config.algorithms[algorithm]?.timeoutSeconds ?? Infinity;
}

/**
 * The trace with a note added when some of its jobs would outlast their algorithm's
 * timeoutSeconds: the timeout counts from the task's start call, and the simulated task
 * pulls its image for DEFAULT_TASK_START_SECONDS before it runs, so each attempt is stopped.
 */
export function withTimeoutNote(config: LoadmasterConfig, trace: Trace): Trace {
  const over = trace.jobs.filter(({ message, durationSeconds }) => DEFAULT_TASK_START_SECONDS + durationSeconds >= timeoutOf(config, message.algorithm));
  if (over.length === 0) return trace;
  const algorithms = [...new Set(over.map(({ message }) => message.algorithm))].sort();
  const note =
    `${over.length.toLocaleString('en-US')} job${over.length === 1 ? ' runs' : 's run'} longer than ${algorithms.length === 1 ? 'its' : 'their'} algorithm's timeoutSeconds (${algorithms.join(', ')}): ` +
    'every attempt is stopped at the timeout, so they fail, and the lower bounds count the timeout as their run time';
  return { ...trace, notes: [...trace.notes, note] };
}
