// Speed benchmark: planFleet's time and memory as the queue and the fleet grow.
//
//   npm run bench:speed -- [--jobs 1000,10000,100000] [--nodes 100,1000,5000] [--types 600]
//                          [--runs 5] [--seed N] [--share] [--launch-budget USD] [--markdown FILE]
//
// Each (jobs, nodes) size runs in a fresh child process (`node --expose-gc benchmarks/speed.ts
// --one JOBS NODES`) so heaps and RSS peaks of different sizes never mix. The child builds
// the built-in catalog extended to --types synthetic types, a 'mixed' image-processing
// workload and a partly used fleet (registered, launching, draining nodes), then times
// planFleet --runs times (a full GC before each run, outside the timing). It reports:
//   - plan time: median, min and max of the runs;
//   - RSS before: process RSS after building the input and a full GC;
//   - peak Δ: resourceUsage().maxRSS at the end minus RSS before, i.e. how far the process
//     peaked above its baseline while planning. Marked "≤" when the peak had already been
//     reached while building the input (the figure is then an upper bound).
// The first plan is checked (every job once, nothing over-used); an invalid plan stops the
// run with exit code 1. Times are measured and printed, never asserted.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_OVERHEAD } from '../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../src/core/catalog/build-catalog.ts';
import type { Plan, PlannerInput } from '../src/core/planner/plan-types.ts';
import { fleetHourlyCost } from '../src/core/planner/launch-budget.ts';
import { planFleet } from '../src/core/planner/planner.ts';
import { invokedDirectly, writeMarkdown } from './cli-support.ts';
import { errorMessage, markdownTable, median, textTable, type Table } from './table.ts';
import { validatePlan } from './validate-plan.ts';
import { GENEROUS_POLICY, generateFleet, generateWorkload, syntheticCatalog } from './workloads/image-processing-workload.ts';

const USAGE =
  'usage: npm run bench:speed -- [--jobs N,...] [--nodes N,...] [--types N] [--runs N] [--seed N] [--share] [--launch-budget USD] [--markdown FILE]\n' +
  '  --jobs    pending job counts (default 1000,10000,100000)\n' +
  '  --nodes   fleet sizes (default 100,1000,5000)\n' +
  '  --types   catalog size: the built-in types plus synthetic ones (default 600)\n' +
  '  --runs    timed planFleet runs per size (default 5)\n' +
  '  --seed    workload and fleet seed (default 1)\n' +
  '  --share   the share rule on, as the daemon plans: sharePriceRatio 3, node job counts, run and boot times\n' +
  '  --launch-budget USD  (whole number) policy.maxHourlyCost set to the fleet\'s cost plus USD: launches capped at USD/h (with --share, jobs\n' +
  '            whose own instance the budget refused are planned again with the rule off)\n' +
  '  --timeout seconds per size before its child process is stopped (default 1800)\n' +
  '  --markdown FILE  also write the table as Markdown\n' +
  '  --one JOBS NODES  (internal) measure one size in this process, print a RESULT line';

const RESULT_PREFIX = 'RESULT ';
const MIB = 1024 * 1024;

export interface SpeedResult {
  readonly jobs: number;
  readonly nodes: number;
  readonly types: number;
  readonly timesMs: readonly number[];
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly maxRssBefore: number;
  readonly maxRssAfter: number;
  readonly starts: number;
  readonly bindings: number;
  readonly launches: number;
  readonly waiting: number;
}

interface Settings {
  readonly types: number;
  readonly runs: number;
  readonly seed: number;
  /** The share rule on (policy.sharePriceRatio 3) with what the daemon gives it: node job counts, run and boot times. */
  readonly share: boolean;
  /** USD/h the plan may launch on top of the fleet (policy.maxHourlyCost = fleet cost + this); undefined: the generous policy's. */
  readonly launchBudget: number | undefined;
}

/** The input as the daemon hands it over with the share rule on: job counts per node, each algorithm's run time, the boot time. */
function withShareRule(input: PlannerInput): PlannerInput {
  return {
    ...input,
    policy: { ...input.policy, sharePriceRatio: 3 },
    nodes: input.nodes.map((node, i) => ({ ...node, jobs: i % 9 })),
    jobs: input.jobs.map((job, i) => ({ ...job, expectedRunSeconds: 10 + (i % 600) })),
    expectedBootSeconds: 40,
  };
}

/** The policy's maxHourlyCost set so that launches may add `usd` per hour to the fleet's cost. */
function withLaunchBudget(input: PlannerInput, usd: number): PlannerInput {
  return { ...input, policy: { ...input.policy, maxHourlyCost: fleetHourlyCost(input) + usd } };
}

/** Measures one size in this process. */
export function measureOne(jobCount: number, nodeCount: number, settings: Settings): SpeedResult {
  const catalog = syntheticCatalog(settings.types, buildCatalog({ overhead: DEFAULT_OVERHEAD }), { seed: settings.seed });
  const plain: PlannerInput = {
    jobs: generateWorkload({ jobs: jobCount, mix: 'mixed', seed: settings.seed }),
    nodes: generateFleet(nodeCount, catalog, settings.seed + 1),
    catalog,
    policy: GENEROUS_POLICY,
  };
  const shared = settings.share ? withShareRule(plain) : plain;
  const input = settings.launchBudget === undefined ? shared : withLaunchBudget(shared, settings.launchBudget);
  const gc = (): void => globalThis.gc?.();
  gc();
  const rssBefore = process.memoryUsage().rss;
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;
  const timesMs: number[] = [];
  let first: Plan | undefined;
  for (let i = 0; i < settings.runs; i++) {
    if (i > 0) gc();
    const started = performance.now();
    const plan = planFleet(input);
    timesMs.push(performance.now() - started);
    first ??= plan;
  }
  const rssAfter = process.memoryUsage().rss;
  const maxRssAfter = process.resourceUsage().maxRSS * 1024;
  if (first === undefined) throw new Error('--runs must be at least 1');
  const problems = validatePlan(input, first);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((p) => `  ${p}`);
    if (problems.length > 20) shown.push(`  … and ${problems.length - 20} more`);
    throw new Error(`INVALID plan for ${jobCount} jobs × ${nodeCount} nodes:\n${shown.join('\n')}`);
  }
  return {
    jobs: jobCount,
    nodes: nodeCount,
    types: catalog.length,
    timesMs,
    rssBefore,
    rssAfter,
    maxRssBefore,
    maxRssAfter,
    starts: first.starts.length,
    bindings: first.bindings.length,
    launches: first.launches.length,
    waiting: first.waiting.length,
  };
}

export function speedTable(results: readonly SpeedResult[]): Table {
  return {
    headers: ['jobs', 'nodes', 'types', 'median ms', 'min ms', 'max ms', 'jobs/s', 'on nodes', 'launches', 'waiting', 'RSS before MiB', 'peak Δ MiB'],
    numeric: [true, true, true, true, true, true, true, true, true, true, true, true],
    rows: results.map((r) => {
      const med = median(r.timesMs);
      const peakDelta = (r.maxRssAfter - r.rssBefore) / MIB;
      const peakSetBefore = r.maxRssAfter <= r.maxRssBefore;
      return [
        r.jobs.toLocaleString('en-US'),
        r.nodes.toLocaleString('en-US'),
        String(r.types),
        med.toFixed(1),
        Math.min(...r.timesMs).toFixed(1),
        Math.max(...r.timesMs).toFixed(1),
        Math.round(r.jobs / (med / 1000)).toLocaleString('en-US'),
        (r.starts + r.bindings).toLocaleString('en-US'),
        r.launches.toLocaleString('en-US'),
        r.waiting.toLocaleString('en-US'),
        (r.rssBefore / MIB).toFixed(0),
        `${peakSetBefore ? '≤' : ''}${Math.max(0, peakDelta).toFixed(0)}`,
      ];
    }),
  };
}

function parseNumbers(option: string, value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  const numbers = value.split(',').map((s) => Number(s.trim()));
  if (numbers.length === 0 || numbers.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`--${option}: expected whole numbers ≥ 0, got "${value}"`);
  return numbers;
}

function parseNumber(option: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new Error(`--${option}: expected a whole number ≥ ${min}, got "${value}"`);
  return n;
}

/** Runs the benchmark; returns the process exit code. */
export function main(argv: readonly string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        jobs: { type: 'string' },
        nodes: { type: 'string' },
        types: { type: 'string' },
        runs: { type: 'string' },
        seed: { type: 'string' },
        timeout: { type: 'string' },
        markdown: { type: 'string' },
        share: { type: 'boolean' },
        'launch-budget': { type: 'string' },
        one: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${errorMessage(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  let settings: Settings;
  let jobSizes: number[];
  let nodeSizes: number[];
  let timeoutSeconds: number;
  try {
    settings = {
      types: parseNumber('types', values.types, 600, 1),
      runs: parseNumber('runs', values.runs, 5, 1),
      seed: parseNumber('seed', values.seed, 1, 0),
      share: values.share === true,
      launchBudget: values['launch-budget'] === undefined ? undefined : parseNumber('launch-budget', values['launch-budget'], 0, 0),
    };
    timeoutSeconds = parseNumber('timeout', values.timeout, 1800, 1);
    jobSizes = parseNumbers('jobs', values.jobs, [1000, 10_000, 100_000]);
    nodeSizes = parseNumbers('nodes', values.nodes, [100, 1000, 5000]);
    if (values.one === true) {
      if (positionals.length !== 2) throw new Error('--one: expected JOBS NODES');
      jobSizes = [parseNumber('one JOBS', positionals[0], 0, 0)];
      nodeSizes = [parseNumber('one NODES', positionals[1], 0, 0)];
    } else if (positionals.length > 0) {
      throw new Error(`unexpected arguments: ${positionals.join(' ')}`);
    }
  } catch (error) {
    console.error(`${errorMessage(error)}\n${USAGE}`);
    return 2;
  }

  if (values.one === true) {
    try {
      const result = measureOne(jobSizes[0]!, nodeSizes[0]!, settings);
      console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
      return 0;
    } catch (error) {
      console.error(errorMessage(error));
      return 1;
    }
  }

  const script = fileURLToPath(import.meta.url);
  console.log(`# speed benchmark: ${settings.types} types, 'mixed' workload, seed ${settings.seed}, median of ${settings.runs} runs, one child process per size${settings.share ? ', share rule on' : ''}${settings.launchBudget === undefined ? '' : `, launches capped at ${settings.launchBudget} USD/h`}`);
  const results: SpeedResult[] = [];
  for (const jobs of jobSizes) {
    for (const nodes of nodeSizes) {
      const child = spawnSync(
        process.execPath,
        ['--expose-gc', script, '--one', String(jobs), String(nodes), '--types', String(settings.types), '--runs', String(settings.runs), '--seed', String(settings.seed), ...(settings.share ? ['--share'] : []), ...(settings.launchBudget === undefined ? [] : ['--launch-budget', String(settings.launchBudget)])],
        { encoding: 'utf8', maxBuffer: 64 * MIB, timeout: timeoutSeconds * 1000 },
      );
      const line = child.stdout?.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (child.status !== 0 || line === undefined) {
        const why = child.error ? errorMessage(child.error) : `exit ${child.status ?? child.signal}`;
        console.error(`${jobs} jobs × ${nodes} nodes failed (${why}):\n${child.stderr ?? ''}`);
        return 1;
      }
      const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as SpeedResult;
      results.push(result);
      const med = median(result.timesMs);
      console.log(
        `# ${jobs} jobs × ${nodes} nodes: median ${med.toFixed(1)} ms ` +
          `(min ${Math.min(...result.timesMs).toFixed(1)}, max ${Math.max(...result.timesMs).toFixed(1)}), ` +
          `peak RSS ${(result.maxRssAfter / MIB).toFixed(0)} MiB`,
      );
    }
  }
  const table = speedTable(results);
  console.log('');
  console.log(textTable(table));
  if (values.markdown !== undefined) {
    const text =
      `## Speed: planFleet time and memory\n\n` +
      `${settings.types} instance types (built-in + synthetic), 'mixed' image-processing workload, partly used fleet, ` +
      `generous policy${settings.share ? ' with the share rule on' : ''}${settings.launchBudget === undefined ? '' : ` and launches capped at ${settings.launchBudget} USD/h`}, ` +
      `seed ${settings.seed}; ${settings.runs} runs per size in a fresh process, node ${process.version}. ` +
      `Peak Δ = maxRSS after planning − RSS before (≤: the peak was reached while building the input).\n\n` +
      `${markdownTable(table)}\n`;
    if (!writeMarkdown(values.markdown, text)) return 1;
  }
  return 0;
}

if (invokedDirectly(import.meta.url)) process.exitCode = main(process.argv.slice(2));
