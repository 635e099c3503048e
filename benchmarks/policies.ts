// Policy comparison: loadmaster against the peer policies (Karpenter, AWS Batch
// BEST_FIT_PROGRESSIVE, ECS managed scaling, the original Lambda) on the same traces, each
// replayed through the real controller on the simulated cloud in virtual time.
//
//   npm run bench:policies -- [--alibaba CSV] [--seed N] [--uploads N] [--workers N] [--markdown FILE]
//
// Traces: the synthetic image-processing day (examples/config.yaml) and the Alibaba GPU
// cluster trace (examples/alibaba-config.yaml), when its CSV is given or found at
// ../shared/data/traces/alibaba-gpu-2023/openb_pod_list_default.csv. The synthetic day runs
// with the example's instance-count limits lifted (maxInstances, maxHourlyCost, typeLimits):
// the peers have no instance-count quota of their own (AWS quotas count vCPUs), and a cap
// on instances would measure how each copes with the cap, not its placement.
//
// Printed per trace: each policy's cost, cost over the lower bounds, waits, utilization,
// nodes launched, API calls per job and wall time; then the issue's targets, each measured
// and marked met or not met (never asserted: a benchmark measures and prints).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadmasterConfig } from '../src/config/config-schema.ts';
import { loadConfigFile } from '../src/config/load-config.ts';
import { POLICY_NAMES, type PolicyName } from '../src/core/policies/fleet-policy.ts';
import { readSourceFile } from '../src/config/read-source-file.ts';
import { lowerBounds } from '../src/simulation/compare-policies.ts';
import { summariseRuns, type PolicyRun, type SimulateReport, type SummarisedRun } from '../src/simulation/report/simulate-report.ts';
import { parseAlibabaTrace } from '../src/simulation/traces/alibaba-trace.ts';
import { DEFAULT_UPLOADS, generateImageProcessingTrace } from '../src/simulation/traces/synthetic-image-processing.ts';
import { TraceError, type Trace } from '../src/simulation/traces/trace.ts';
import { comparisonTable } from '../src/simulation/report/comparison-table.ts';
import { wholeNumberFlag } from '../src/cli/whole-number-flag.ts';
import { invokedDirectly, stringOptions, writeMarkdown } from './cli-support.ts';
import type { PolicyTask } from './policy-worker.ts';
import { errorMessage, markdownTable, textTable } from './table.ts';

const SYNTHETIC_CONFIG = fileURLToPath(new URL('../examples/config.yaml', import.meta.url));
const ALIBABA_CONFIG = fileURLToPath(new URL('../examples/alibaba-config.yaml', import.meta.url));
const DEFAULT_ALIBABA = fileURLToPath(new URL('../../shared/data/traces/alibaba-gpu-2023/openb_pod_list_default.csv', import.meta.url));

const USAGE =
  'usage: npm run bench:policies -- [--alibaba CSV] [--seed N] [--uploads N] [--workers N] [--markdown FILE]\n' +
  '  --alibaba   Alibaba GPU 2023 pod list (default ../shared/data/traces/alibaba-gpu-2023/openb_pod_list_default.csv when present)\n' +
  '  --seed      synthetic trace seed (default 1)\n' +
  `  --uploads   synthetic plates uploaded over the day (default ${DEFAULT_UPLOADS})\n` +
  '  --workers   policies replayed at once, one worker thread each (default: the cores, at most 2)\n' +
  '  --markdown FILE  also write the tables as Markdown';

/** The issue's targets: loadmaster at most 0.9 × the cheapest peer's cost with p95 wait at most 1.1 × that peer's, and at most 1.2 × the lower bound. */
const TARGET = { costVsPeer: 0.9, p95VsPeer: 1.1, costVsBound: 1.2 } as const;

interface Comparison {
  readonly name: string;
  readonly report: SimulateReport;
  readonly wallSeconds: number;
}

/** The synthetic day's config: the example with its instance-count limits lifted (see the header). */
export function unlimited(config: LoadmasterConfig): LoadmasterConfig {
  return { ...config, policy: { ...config.policy, maxInstances: 100_000, maxHourlyCost: 1_000_000, typeLimits: {} } };
}

/** Replays `trace` under every policy, `workers` at a time, while the bounds are solved here. */
async function compare(name: string, config: LoadmasterConfig, configName: string, trace: Trace, workers: number): Promise<Comparison> {
  const started = performance.now();
  const tasks = POLICY_NAMES.map((policy): PolicyTask => ({ config, configName, trace, policy }));
  const [bounds, runs] = await Promise.all([lowerBounds(config, configName, trace), runInWorkers(tasks, workers)]);
  const report = summariseRuns({ trace: { source: trace.source, jobs: trace.jobs.length, notes: trace.notes }, config: configName, bounds, runs });
  return { name, report, wallSeconds: (performance.now() - started) / 1000 };
}

async function runInWorkers(tasks: readonly PolicyTask[], workers: number): Promise<PolicyRun[]> {
  const runs = new Map<PolicyName, PolicyRun>();
  let next = 0;
  const lane = async (): Promise<void> => {
    const worker = new Worker(new URL('./policy-worker.ts', import.meta.url));
    try {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        const run = await new Promise<PolicyRun>((resolve, reject) => {
          worker.once('message', (answer: { ok: true; run: PolicyRun } | { ok: false; error: string }) =>
            answer.ok ? resolve(answer.run) : reject(new Error(`${task.policy}: ${answer.error}`)),
          );
          worker.once('error', reject);
          worker.postMessage(task);
        });
        console.log(`#   ${task.policy}: ${(run.report.simulatedSeconds / 3600).toFixed(1)} h simulated in ${run.wallSeconds.toFixed(1)} s`);
        runs.set(task.policy, run);
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, tasks.length) }, lane));
  // In the policies' order, whatever order the workers finished in.
  return POLICY_NAMES.flatMap((policy) => runs.get(policy) ?? []);
}

/** The targets, measured: one line each, with the figures and whether it is met. */
export function targetLines(report: SimulateReport): string[] {
  const ours = report.runs.find((r) => r.policy === 'loadmaster');
  const peers = report.runs.filter((r) => r.policy !== 'loadmaster' && r.completed);
  if (!ours || peers.length === 0) return ['targets: not measured (loadmaster or every peer missing)'];
  const cheapest = peers.reduce((a, b) => (b.totalCostUsd < a.totalCostUsd ? b : a));
  const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
  const costRatio = ours.totalCostUsd / cheapest.totalCostUsd;
  const p95Ratio = cheapest.waitSeconds.p95 > 0 ? ours.waitSeconds.p95 / cheapest.waitSeconds.p95 : Infinity;
  const bound = (run: SummarisedRun): number => run.costOverClairvoyant ?? Infinity;
  return [
    `cost vs the cheapest peer (${cheapest.policy}): ${costRatio.toFixed(3)} (target <= ${TARGET.costVsPeer}) — ${verdict(costRatio <= TARGET.costVsPeer)}`,
    `p95 wait vs ${cheapest.policy}: ${ours.waitSeconds.p95.toFixed(0)} s / ${cheapest.waitSeconds.p95.toFixed(0)} s = ${p95Ratio.toFixed(3)} (target <= ${TARGET.p95VsPeer}) — ${verdict(p95Ratio <= TARGET.p95VsPeer)}`,
    `cost vs the clairvoyant lower bound: ${bound(ours).toFixed(3)} (target <= ${TARGET.costVsBound}) — ${verdict(bound(ours) <= TARGET.costVsBound)}`,
  ];
}

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = stringOptions(argv, ['alibaba', 'seed', 'uploads', 'workers', 'markdown'], USAGE);
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const flags = {
    seed: wholeNumberFlag('--seed', values.seed, 1),
    uploads: wholeNumberFlag('--uploads', values.uploads, DEFAULT_UPLOADS, 1),
    workers: wholeNumberFlag('--workers', values.workers, Math.min(2, availableParallelism()), 1),
  };
  if (!flags.seed.ok || !flags.uploads.ok || !flags.workers.ok) {
    for (const flag of Object.values(flags)) if (!flag.ok) console.error(flag.problem);
    return 2;
  }
  const [seed, uploads, workers] = [flags.seed.value, flags.uploads.value, flags.workers.value];

  const started = performance.now();
  const comparisons: Comparison[] = [];
  try {
    const synthetic = unlimited(await loadConfigFile(SYNTHETIC_CONFIG));
    const day = generateImageProcessingTrace({ config: synthetic, seed, uploads });
    console.log(`# synthetic image-processing day: ${day.jobs.length} jobs (seed ${seed}, ${uploads} uploads), examples/config.yaml without instance-count limits`);
    comparisons.push(await compare('synthetic image-processing day', synthetic, 'examples/config.yaml (instance-count limits lifted)', day, workers));

    const alibabaPath = values.alibaba ?? (existsSync(DEFAULT_ALIBABA) ? DEFAULT_ALIBABA : undefined);
    if (alibabaPath === undefined) {
      console.log(`# Alibaba trace: skipped (no --alibaba and nothing at ${DEFAULT_ALIBABA})`);
    } else {
      const trace = parseAlibabaTrace(await readSourceFile(alibabaPath, TraceError), alibabaPath);
      console.log(`# Alibaba GPU cluster trace: ${trace.jobs.length} jobs from ${alibabaPath}, examples/alibaba-config.yaml`);
      comparisons.push(await compare('Alibaba GPU 2023 (openb_pod_list_default)', await loadConfigFile(ALIBABA_CONFIG), 'examples/alibaba-config.yaml', trace, workers));
    }
  } catch (error) {
    console.error(errorMessage(error));
    return 1;
  }

  const markdown: string[] = [];
  for (const { name, report, wallSeconds } of comparisons) {
    const { clairvoyantUsd, anyScheduleUsd } = report.bounds;
    const boundsLine = `lower bounds: clairvoyant $${clairvoyantUsd.toFixed(2)}, any schedule $${anyScheduleUsd.toFixed(2)}; compared in ${wallSeconds.toFixed(0)} s`;
    const table = comparisonTable(report);
    const targets = targetLines(report);
    console.log(`\n## ${name}: ${report.trace.jobs} jobs; ${boundsLine}\n${textTable(table)}\n${targets.map((t) => `- ${t}`).join('\n')}`);
    markdown.push(`### ${name}\n\n${report.trace.jobs.toLocaleString('en-US')} jobs, config ${report.config}; ${boundsLine}.\n\n${markdownTable(table)}\n\n${targets.map((t) => `- ${t}`).join('\n')}\n`);
  }
  const totalSeconds = (performance.now() - started) / 1000;
  console.log(`\n# whole comparison: ${totalSeconds.toFixed(0)} s with ${workers} worker(s)`);
  if (values.markdown !== undefined && !writeMarkdown(values.markdown, `${markdown.join('\n')}\nWhole comparison: ${totalSeconds.toFixed(0)} s with ${workers} worker thread(s).\n`)) return 1;
  return 0;
}

if (invokedDirectly(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
