// `loadmaster simulate --trace FILE --config FILE [--policy NAME[,NAME…]|all] [--report DIR]`:
// replays a job trace through the real controller and planner on the simulated cloud, in
// virtual time, once per policy, and prints how each did against lower bounds on the
// cost. With --report, also writes report.json and report.html (charts) into DIR.
import { constants } from 'node:fs';
import { access, mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { closestMatch, InputError, listAlternatives } from '../../config/input-issues.ts';
import { loadConfigFile } from '../../config/load-config.ts';
import { POLICY_NAMES, type PolicyName } from '../../core/policies/fleet-policy.ts';
import { readSourceFile } from '../../config/read-source-file.ts';
import { comparePolicies, withTimeoutNote } from '../../simulation/compare-policies.ts';
import { COST_SPLIT_PARTS } from '../../simulation/cost-split.ts';
import { reportHtml } from '../../simulation/report/report-html.ts';
import { comparisonTable, type ComparisonTable } from '../../simulation/report/comparison-table.ts';
import { reportJson, type SimulateReport } from '../../simulation/report/simulate-report.ts';
import { parseAlibabaTrace } from '../../simulation/traces/alibaba-trace.ts';
import { parseJsonLinesTrace } from '../../simulation/traces/json-lines-trace.ts';
import { TraceError, type Trace } from '../../simulation/traces/trace.ts';
import type { CliIo } from '../cli-io.ts';
import { renderTable } from '../render-table.ts';
import { count } from '../text-format.ts';
import { EXIT_USAGE, reportInputError } from '../report-input-error.ts';

export interface SimulateOptions {
  readonly trace: string;
  readonly config: string;
  readonly policy?: string;
  readonly format?: string;
  readonly report?: string;
}

export const TRACE_FORMATS = ['jsonl', 'alibaba'] as const;
type TraceFormat = (typeof TRACE_FORMATS)[number];

export async function runSimulate(options: SimulateOptions, io: CliIo): Promise<number> {
  const policies = parsePolicies(options.policy ?? 'loadmaster');
  const format = options.format ?? (options.trace.toLowerCase().endsWith('.csv') ? 'alibaba' : 'jsonl');
  const problems = [
    ...(typeof policies === 'string' ? [policies] : []),
    ...((TRACE_FORMATS as readonly string[]).includes(format) ? [] : [`--format: expected ${listAlternatives([...TRACE_FORMATS])}, got ${JSON.stringify(format)}`]),
  ];
  if (problems.length > 0 || typeof policies === 'string') {
    for (const problem of problems) io.stderr.write(`${problem}\n`);
    return EXIT_USAGE;
  }

  let report: SimulateReport;
  try {
    const config = await loadConfigFile(options.config);
    const trace = withTimeoutNote(config, readTrace(await readSourceFile(options.trace, TraceError), options.trace, format as TraceFormat));
    // Before the replays, which can take minutes: a report that cannot be written is known now.
    const reportProblem = options.report === undefined ? undefined : await reportDirectoryProblem(options.report);
    if (reportProblem !== undefined) {
      io.stderr.write(`--report ${JSON.stringify(options.report)}: ${reportProblem}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`${count(trace.jobs.length, 'job')} from ${trace.source}; computing lower bounds…\n`);
    for (const note of trace.notes) io.stderr.write(`note: ${note}\n`);
    report = await comparePolicies({
      config,
      configName: options.config,
      trace,
      policies,
      wallClock: () => performance.now() / 1000,
      onRun: (run) => io.stderr.write(`${run.policy}: simulated ${(run.report.simulatedSeconds / 3600).toFixed(1)} h in ${run.wallSeconds.toFixed(1)} s\n`),
    });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return reportInputError(io, error);
  }

  io.stdout.write(renderComparison(report));
  if (options.report !== undefined) {
    try {
      await mkdir(options.report, { recursive: true });
      await writeFile(join(options.report, 'report.json'), reportJson(report));
      await writeFile(join(options.report, 'report.html'), reportHtml(report));
    } catch (error) {
      io.stderr.write(`--report ${options.report}: cannot write the report: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`report written to ${join(options.report, 'report.html')} and report.json\n`);
  }
  return 0;
}

/**
 * What keeps `path` from holding the report, or undefined; creates nothing, so a run that
 * fails later leaves no empty directory behind. A missing directory needs its nearest
 * existing ancestor to be a writable directory.
 */
async function reportDirectoryProblem(path: string): Promise<string | undefined> {
  const expected = 'expected a directory to write report.json and report.html to (created when missing)';
  if (path.trim() === '') return `empty; ${expected}`;
  const wanted = resolve(path);
  let existing = wanted;
  let info = await stat(existing).catch(() => undefined);
  while (info === undefined && dirname(existing) !== existing) {
    existing = dirname(existing);
    info = await stat(existing).catch(() => undefined);
  }
  if (info?.isDirectory() !== true) return `${existing === wanted ? 'it' : `${existing}, on its path,`} is a file; ${expected}`;
  const targets = existing === wanted ? [existing, join(existing, 'report.json'), join(existing, 'report.html')] : [existing];
  for (const target of targets) {
    const targetInfo = await stat(target).catch(() => undefined);
    if (targetInfo === undefined) continue;
    if (target !== existing && targetInfo.isDirectory()) return `${basename(target)} there is a directory; ${expected}`;
    const writable = await access(target, constants.W_OK).then(() => true, () => false);
    if (!writable) return `${target} is not writable; ${expected}`;
  }
  return undefined;
}

/** `all`, or names separated by commas; a string says what is wrong. */
export function parsePolicies(text: string): PolicyName[] | string {
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => name !== 'all' && !(POLICY_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    const hints = unknown.map((name) => {
      const near = closestMatch(name, POLICY_NAMES);
      return `${JSON.stringify(name)}${near ? ` (did you mean ${near}?)` : ''}`;
    });
    return `--policy: unknown policy ${hints.join(', ')}; expected all, or one or more of ${listAlternatives([...POLICY_NAMES], 'and')} separated by commas`;
  }
  return names.includes('all') ? [...POLICY_NAMES] : ([...new Set(names)] as PolicyName[]);
}

function readTrace(text: string, source: string, format: TraceFormat): Trace {
  return format === 'alibaba' ? parseAlibabaTrace(text, source) : parseJsonLinesTrace(text, source);
}

export function renderComparison(report: SimulateReport): string {
  const { clairvoyantUsd, clairvoyantBootSeconds, clairvoyantWholeInstanceStretches, anyScheduleUsd } = report.bounds;
  return [
    `trace ${report.trace.source}: ${report.trace.jobs} jobs; config ${report.config}`,
    `lower bounds: clairvoyant $${clairvoyantUsd.toFixed(2)} (every job started on arrival on an ideal fleet, whole instances in ${count(clairvoyantWholeInstanceStretches, 'stretch', 'stretches')}, each instance billed a ${clairvoyantBootSeconds} s boot first), any schedule $${anyScheduleUsd.toFixed(2)} (resource-time LP)`,
    ...renderCells(comparisonTable(report)),
    '',
    'where the money went (USD):',
    ...renderCells(costSplitTable(report)),
    '',
  ].join('\n');
}

/** Each policy's cost by what its instances were doing; the parts add up to the total. */
function costSplitTable(report: SimulateReport): ComparisonTable {
  return {
    headers: ['policy', ...COST_SPLIT_PARTS.map((part) => part.label), 'total'],
    numeric: [false, ...COST_SPLIT_PARTS.map(() => true), true],
    rows: report.runs.map(({ policy, costSplit, totalCostUsd }) => [policy, ...[...COST_SPLIT_PARTS.map((part) => costSplit[part.key]), totalCostUsd].map((usd) => usd.toFixed(2))]),
  };
}

function renderCells({ headers, numeric, rows }: ComparisonTable): string[] {
  return renderTable(
    headers.map((header, i) => ({ header, align: numeric[i] ? ('right' as const) : ('left' as const) })),
    rows,
    '',
  );
}
