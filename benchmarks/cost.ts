// Cost benchmark: how close planFleet's fleets come to the cheapest possible.
//
//   npm run bench:cost -- [--sizes 200,2000,20000] [--mixes mixed,cpu-only,...] [--seed N] [--markdown FILE]
//
// For each workload mix and size: an empty fleet, the built-in catalog with the default
// overhead, a generous policy (no limits bind, no instance penalty). The plan must hold every
// job (launches, or waiting with no-compatible-type); an invalid plan stops the run with exit
// code 1. Reported: instances launched, their cost, the LP lower bound on any fleet that
// holds the same jobs (src/core/bounds/cost-lower-bound.ts), the ratio cost / bound (1 =
// provably optimal; the LP ignores integrality, so some gap is unavoidable), the same for
// the LP with per-instance cuts (a tighter valid bound), and the time planFleet took (one
// run after a warm-up; measured, never asserted).

import { performance } from 'node:perf_hooks';
import { costLowerBound } from '../src/core/bounds/cost-lower-bound.ts';
import { DEFAULT_OVERHEAD } from '../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../src/core/catalog/build-catalog.ts';
import type { InstanceType } from '../src/core/catalog/instance-type.ts';
import type { Plan, PlannerInput } from '../src/core/planner/plan-types.ts';
import { planFleet } from '../src/core/planner/planner.ts';
import { invokedDirectly, stringOptions, writeMarkdown } from './cli-support.ts';
import { errorMessage, markdownTable, median, textTable, type Table } from './table.ts';
import { launchCost, validatePlan } from './validate-plan.ts';
import { GENEROUS_POLICY, generateWorkload, WORKLOAD_MIXES, type WorkloadMix } from './workloads/image-processing-workload.ts';

const USAGE =
  'usage: npm run bench:cost -- [--sizes N,N,...] [--mixes MIX,...] [--seed N] [--markdown FILE]\n' +
  '  --sizes     job counts per workload (default 200,2000,20000)\n' +
  `  --mixes     workload mixes (default ${WORKLOAD_MIXES.join(',')})\n` +
  '  --seed      workload seed (default 1)\n' +
  '  --markdown FILE  also write the table as Markdown';

export interface CostRun {
  readonly mix: WorkloadMix;
  readonly jobs: number;
  readonly instances: number;
  readonly types: number;
  readonly waiting: number;
  readonly cost: number;
  /** The LP relaxation bound (costLowerBound's `lp`). */
  readonly lowerBound: number;
  /** The LP with per-instance cuts (`lpCuts`), the tighter of the two. */
  readonly cutsBound: number;
  readonly perDimensionBound: number;
  /** cost / lowerBound */
  readonly ratio: number;
  /** cost / cutsBound */
  readonly cutsRatio: number;
  readonly planMs: number;
  readonly boundMs: number;
}

export type Planner = (input: PlannerInput) => Plan;

/** Plans one workload, checks the plan, and measures it against the LP bound. */
export async function runCostCase(mix: WorkloadMix, jobCount: number, seed: number, catalog: readonly InstanceType[], planner: Planner = planFleet): Promise<CostRun> {
  const jobs = generateWorkload({ jobs: jobCount, mix, seed });
  const input: PlannerInput = { jobs, nodes: [], catalog, policy: GENEROUS_POLICY };
  const started = performance.now();
  const plan = planner(input);
  const planMs = performance.now() - started;
  const problems = validatePlan(input, plan, { allowedWaitCodes: ['no-compatible-type'] });
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((p) => `  ${p}`);
    if (problems.length > 20) shown.push(`  … and ${problems.length - 20} more`);
    throw new Error(`INVALID plan for ${mix} × ${jobCount}:\n${shown.join('\n')}`);
  }
  const boundStarted = performance.now();
  const bound = await costLowerBound(jobs, catalog);
  const boundMs = performance.now() - boundStarted;
  if (bound.unplaceable.length !== plan.waiting.length) {
    throw new Error(`${mix} × ${jobCount}: ${plan.waiting.length} job(s) wait, but ${bound.unplaceable.length} fit no type`);
  }
  const cost = launchCost(plan, catalog);
  return {
    mix,
    jobs: jobCount,
    instances: plan.launches.length,
    types: new Set(plan.launches.map((l) => l.type)).size,
    waiting: plan.waiting.length,
    cost,
    lowerBound: bound.lp,
    cutsBound: bound.lpCuts,
    perDimensionBound: bound.perDimension,
    ratio: ratioOf(cost, bound.lp),
    cutsRatio: ratioOf(cost, bound.lpCuts),
    planMs,
    boundMs,
  };
}

function ratioOf(cost: number, bound: number): number {
  return bound > 0 ? cost / bound : cost === 0 ? 1 : Infinity;
}

export function costTable(runs: readonly CostRun[]): Table {
  return {
    headers: ['workload', 'jobs', 'instances', 'types', 'cost USD/h', 'LP bound', 'ratio', 'LP+cuts', 'ratio+cuts', 'plan ms'],
    numeric: [false, true, true, true, true, true, true, true, true, true],
    rows: runs.map((r) => [
      r.mix,
      r.jobs.toLocaleString('en-US'),
      r.instances.toLocaleString('en-US'),
      String(r.types),
      r.cost.toFixed(2),
      r.lowerBound.toFixed(2),
      r.ratio.toFixed(4),
      r.cutsBound.toFixed(2),
      r.cutsRatio.toFixed(4),
      r.planMs.toFixed(1),
    ]),
  };
}

export function ratioSummary(runs: readonly CostRun[]): string {
  if (runs.length === 0) return 'no runs';
  const line = (label: string, ratio: (r: CostRun) => number): string => {
    const worst = runs.reduce((a, b) => (ratio(b) > ratio(a) ? b : a));
    return `${label}: worst ${ratio(worst).toFixed(4)} (${worst.mix} × ${worst.jobs}), median ${median(runs.map(ratio)).toFixed(4)}`;
  };
  return `${line('ratio to LP bound', (r) => r.ratio)}\n${line('ratio to LP+cuts bound', (r) => r.cutsRatio)}`;
}

function parseList(value: string | undefined, fallback: readonly string[]): string[] {
  return value === undefined ? [...fallback] : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Runs the benchmark; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const parsed = stringOptions(argv, ['sizes', 'mixes', 'seed', 'markdown'], USAGE);
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const sizes = parseList(values.sizes, ['200', '2000', '20000']).map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    console.error(`--sizes: expected positive whole numbers, got "${values.sizes}"`);
    return 2;
  }
  const mixes = parseList(values.mixes, WORKLOAD_MIXES);
  const unknown = mixes.filter((m) => !(WORKLOAD_MIXES as readonly string[]).includes(m));
  if (unknown.length > 0) {
    console.error(`--mixes: unknown ${unknown.join(', ')}; expected some of ${WORKLOAD_MIXES.join(', ')}`);
    return 2;
  }
  const seed = Number(values.seed ?? '1');
  if (!Number.isInteger(seed)) {
    console.error(`--seed: expected a whole number, got "${values.seed}"`);
    return 2;
  }

  const catalog = buildCatalog({ overhead: DEFAULT_OVERHEAD });
  console.log(`# cost benchmark: ${catalog.length} built-in types, default overhead, empty fleet, generous policy, seed ${seed}`);
  // Warm-up (not reported): the first call would otherwise pay for JIT compilation.
  try {
    planFleet({ jobs: generateWorkload({ jobs: 200, mix: 'mixed', seed: seed + 1 }), nodes: [], catalog, policy: GENEROUS_POLICY });
  } catch (error) {
    console.error(`planFleet failed on the warm-up workload: ${errorMessage(error)}`);
    return 1;
  }
  const runs: CostRun[] = [];
  for (const mix of mixes as WorkloadMix[]) {
    for (const size of sizes) {
      try {
        const run = await runCostCase(mix, size, seed, catalog);
        runs.push(run);
        console.log(
          `# ${mix} × ${size}: ${run.instances} instances, ${run.cost.toFixed(2)} USD/h, ` +
            `LP bound ${run.lowerBound.toFixed(2)}, with cuts ${run.cutsBound.toFixed(2)}, per-dimension ${run.perDimensionBound.toFixed(2)} ` +
            `(bounds ${run.boundMs.toFixed(0)} ms), ratio ${run.ratio.toFixed(4)} / ${run.cutsRatio.toFixed(4)}, plan ${run.planMs.toFixed(1)} ms`,
        );
      } catch (error) {
        console.error(errorMessage(error));
        return 1;
      }
    }
  }
  const table = costTable(runs);
  console.log('');
  console.log(textTable(table));
  const summary = ratioSummary(runs);
  console.log(`\n${summary}`);
  if (values.markdown !== undefined) {
    const text =
      `## Cost: planFleet vs the LP lower bound\n\n` +
      `Built-in catalog (${catalog.length} types), default overhead, empty fleet, generous policy, seed ${seed}. ` +
      `Ratio = launched cost / LP relaxation bound (1 = provably optimal); ` +
      `LP+cuts adds "an instance holds a whole number of each job" (y ≤ ⌊cap/r⌋·x), still a valid lower bound, tighter for large jobs.\n\n` +
      `${markdownTable(table)}\n\n${summary}\n`;
    if (!writeMarkdown(values.markdown, text)) return 1;
  }
  return 0;
}

if (invokedDirectly(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
