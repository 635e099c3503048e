// Simulation benchmark: a generated working day of uploads through the real controller on
// the simulated cloud, in virtual time, with batch consolidation on and off.
//
//   npm run bench:sim -- [--seed N] [--uploads N] [--config FILE] [--markdown FILE]
//
// The config is examples/config.yaml unless told otherwise, with the simulation's
// failureRate set to 0 (every job runs once, so both variants run the same work); its
// durations, boot times, throttling and capacity errors stay. Each variant runs until every
// job has finished and the fleet is back to its warm minimum. Reported: the bill, the bill
// against a lower bound on any fleet running the same tasks for the same durations
// (src/core/bounds/resource-time-lower-bound.ts, LP with cuts), arrival-to-start waits,
// time-weighted utilization of the nodes paid for, instances launched, cloud calls per job,
// and the wall time the simulation took (measured, never asserted).

import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { LoadmasterConfig } from '../src/config/config-schema.ts';
import { catalogFromConfig } from '../src/config/config-to-core.ts';
import { loadConfigFile } from '../src/config/load-config.ts';
import type { TimedJob } from '../src/core/bounds/job-groups.ts';
import { resourceTimeLowerBound, type ResourceTimeLowerBound } from '../src/core/bounds/resource-time-lower-bound.ts';
import type { InstanceType } from '../src/core/catalog/instance-type.ts';
import { jobRulesFromConfig } from '../src/daemon/job-rules.ts';
import { runSimulation, type Arrival, type SimulationReport } from '../src/simulation/run-simulation.ts';
import { DEFAULT_UPLOADS, generateImageProcessingTrace } from '../src/simulation/traces/synthetic-image-processing.ts';
import { wholeNumberFlag } from '../src/cli/whole-number-flag.ts';
import { invokedDirectly, stringOptions, writeMarkdown } from './cli-support.ts';
import { errorMessage, markdownTable, textTable, type Table } from './table.ts';

const DEFAULT_CONFIG = fileURLToPath(new URL('../examples/config.yaml', import.meta.url));

const USAGE =
  'usage: npm run bench:sim -- [--seed N] [--uploads N] [--config FILE] [--markdown FILE]\n' +
  '  --seed      workload seed (default 1)\n' +
  `  --uploads   plates uploaded over the day, 20 to 200 images each (default ${DEFAULT_UPLOADS})\n` +
  '  --config    loadmaster config (default examples/config.yaml); its sim failureRate is set to 0\n' +
  '  --markdown FILE  also write the table as Markdown';

export interface SimVariant {
  readonly name: string;
  readonly consolidation: boolean;
}

export const VARIANTS: readonly SimVariant[] = [
  { name: 'consolidation on', consolidation: true },
  { name: 'consolidation off', consolidation: false },
];

export interface SimRun {
  readonly variant: string;
  readonly report: SimulationReport;
  readonly bound: ResourceTimeLowerBound;
  readonly wallMs: number;
}

/** The benchmark's config: `config` with consolidation set and no simulated task failures. */
export function benchmarkConfig(config: LoadmasterConfig, consolidation: boolean): LoadmasterConfig {
  return {
    ...config,
    controller: { ...config.controller, consolidation: { ...config.controller.consolidation, enabled: consolidation } },
    cloud: { ...config.cloud, sim: { ...config.cloud.sim, failureRate: 0 } },
  };
}

/**
 * The work a run did, as the lower bound takes it: every attempt that ran to its own exit
 * (not one cut short by its instance going away), for as long as it ran. The bound is then
 * valid for any fleet that runs the same tasks for the same durations.
 */
export function timedJobsOf(report: SimulationReport, arrivals: readonly Arrival[], config: LoadmasterConfig, catalog: readonly InstanceType[]): TimedJob[] {
  const rules = jobRulesFromConfig(config, catalog);
  const messageOf = new Map(arrivals.map((a) => [a.message.jobId, a.message]));
  return report.tasks.flatMap((task) => {
    const message = messageOf.get(task.jobId);
    if (message === undefined || task.exitCode === undefined || task.runningAt === undefined || task.stoppedAt === undefined) return [];
    const { demand, constraints } = rules.demandAndConstraints(message);
    return [{ id: `${task.jobId}#${task.attempt}`, demand, constraints, priority: 0, enqueuedAt: task.arrivedAt, durationSeconds: task.stoppedAt - task.runningAt }];
  });
}

/** One variant: the simulation, then its lower bound. */
export async function runVariant(variant: SimVariant, config: LoadmasterConfig, arrivals: readonly Arrival[]): Promise<SimRun> {
  const variantConfig = benchmarkConfig(config, variant.consolidation);
  const started = performance.now();
  const report = await runSimulation({ config: variantConfig, arrivals });
  const wallMs = performance.now() - started;
  const catalog = catalogFromConfig(variantConfig);
  const bound = await resourceTimeLowerBound(timedJobsOf(report, arrivals, variantConfig, catalog), catalog);
  return { variant: variant.name, report, bound, wallMs };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

export function simTable(runs: readonly SimRun[]): Table {
  return {
    headers: ['variant', 'jobs', 'cost USD', 'lower bound', 'cost / bound', 'wait p50 s', 'wait p95 s', 'util cpu', 'util mem', 'util gpu', 'nodes', 'API calls/job', 'wall ms'],
    numeric: [false, true, true, true, true, true, true, true, true, true, true, true, true],
    rows: runs.map(({ variant, report: r, bound, wallMs }) => [
      variant,
      r.jobs.toLocaleString('en-US'),
      r.totalCost.toFixed(2),
      bound.lpCuts.toFixed(2),
      bound.lpCuts > 0 ? (r.totalCost / bound.lpCuts).toFixed(3) : '–',
      r.waitSeconds.p50.toFixed(0),
      r.waitSeconds.p95.toFixed(0),
      percent(r.utilization.cpu),
      percent(r.utilization.memoryMiB),
      percent(r.utilization.gpu),
      String(Object.values(r.nodesLaunched).reduce((sum, n) => sum + n, 0)),
      r.apiCallsPerJob.toFixed(2),
      wallMs.toFixed(0),
    ]),
  };
}

function describeRun(run: SimRun): string {
  const r = run.report;
  const types = Object.entries(r.nodesLaunched)
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  return (
    `# ${run.variant}: ${r.succeeded}/${r.jobs} succeeded, ${r.deadLettered} dead-lettered, ${(r.simulatedSeconds / 3600).toFixed(2)} h simulated, ` +
    `${r.totalCost.toFixed(2)} USD (LP bound ${run.bound.lp.toFixed(2)}, with cuts ${run.bound.lpCuts.toFixed(2)}), ` +
    `wait max ${r.waitSeconds.max.toFixed(0)} s, ${r.apiCalls} API calls, ${run.wallMs.toFixed(0)} ms\n#   launched: ${types}`
  );
}

/** Runs the benchmark; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const parsed = stringOptions(argv, ['seed', 'uploads', 'config', 'markdown'], USAGE);
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const flags = { seed: wholeNumberFlag('--seed', values.seed, 1), uploads: wholeNumberFlag('--uploads', values.uploads, DEFAULT_UPLOADS, 1) };
  if (!flags.seed.ok || !flags.uploads.ok) {
    for (const flag of Object.values(flags)) if (!flag.ok) console.error(flag.problem);
    return 2;
  }
  const [seed, uploads] = [flags.seed.value, flags.uploads.value];
  const configPath = values.config ?? DEFAULT_CONFIG;
  let config: LoadmasterConfig;
  try {
    config = await loadConfigFile(configPath);
  } catch (error) {
    console.error(errorMessage(error));
    return 1;
  }

  const arrivals = generateImageProcessingTrace({ config, seed, uploads }).jobs;
  const lastArrival = arrivals.at(-1)?.at ?? 0;
  const header = `${arrivals.length.toLocaleString('en-US')} jobs from ${uploads} uploads over ${(lastArrival / 3600).toFixed(1)} h, seed ${seed}, config ${relative(process.cwd(), configPath)} (sim failureRate 0)`;
  console.log(`# simulation benchmark: ${header}`);
  const runs: SimRun[] = [];
  let incomplete = false;
  for (const variant of VARIANTS) {
    try {
      const run = await runVariant(variant, config, arrivals);
      runs.push(run);
      console.log(describeRun(run));
      if (!run.report.completed) {
        incomplete = true;
        console.error(`# ${variant.name}: did not finish within the simulation's limit; its figures cover the run so far`);
      }
    } catch (error) {
      console.error(`${variant.name}: ${errorMessage(error)}`);
      return 1;
    }
  }
  const table = simTable(runs);
  console.log('');
  console.log(textTable(table));
  if (values.markdown !== undefined) {
    const text =
      `## Simulation: a working day through the controller, consolidation on and off\n\n` +
      `${header}. Virtual time; the real controller, planner, simulated ECS/EC2 and in-memory queue. ` +
      `Lower bound: LP relaxation over resource-time with per-instance cuts, on the tasks each run ran for as long as they ran ` +
      `(ignores boot time, the 60 s billing minimum and arrival times, so below any real schedule). ` +
      `Wait: arrival to task start. Utilization: allocated over allocatable resource-time of the nodes paid for, sampled every 30 s.\n\n` +
      `${markdownTable(table)}\n`;
    if (!writeMarkdown(values.markdown, text)) return 1;
  }
  return incomplete ? 1 : 0;
}

if (invokedDirectly(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
