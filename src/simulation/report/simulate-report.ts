// What `loadmaster simulate` reports: one trace replayed once per placement policy, each
// run summarised and set against lower bounds on the cost. Pure: runs in, report out; the
// CLI writes the files. The per-task list stays out so the report stays small.
import { DIMENSIONS, resources, type Dimension, type Resources } from '../../core/resources.ts';
import type { CostSplit } from '../cost-split.ts';
import type { SimulationReport, SimulationSample } from '../run-simulation.ts';

export interface PolicyRun {
  readonly policy: string;
  readonly report: SimulationReport;
  /** Real seconds the run took. */
  readonly wallSeconds: number;
}

/** USD no schedule of the trace's jobs can beat, under two sets of assumptions. */
export interface LowerBounds {
  /** Every job started on arrival, a fractional fleet (whole instances in the stretches where that matters most) re-chosen at each instant, each instance billed `clairvoyantBootSeconds` before it runs anything. */
  readonly clairvoyantUsd: number;
  /** The boot the clairvoyant bound charges: the simulated cloud's shortest. */
  readonly clairvoyantBootSeconds: number;
  /** Stretches of time the clairvoyant bound prices with whole instances (a MIP each) instead of a fractional fleet. */
  readonly clairvoyantWholeInstanceStretches: number;
  /** The resource-time LP over the whole run: jobs may run whenever suits the packing. */
  readonly anyScheduleUsd: number;
}

/** Columns over time, all of one length: columns rather than rows, so keys are not repeated per point. */
export interface TimeSeries {
  /** Seconds from the start: the end of the stretch each point covers. */
  readonly t: readonly number[];
  /** Nodes kept, per instance type, at the moment of the stretch with the most nodes. */
  readonly nodesByType: Readonly<Record<string, readonly number[]>>;
  /** Highest queue depth in the stretch. */
  readonly queueDepth: readonly number[];
  /** Most jobs running at once in the stretch. */
  readonly runningJobs: readonly number[];
  /** Allocated over allocatable over the stretch, per dimension. */
  readonly utilization: { readonly [D in Dimension]: readonly number[] };
  /** USD billed by the end of the stretch. */
  readonly cost: readonly number[];
}

export interface SummarisedRun {
  readonly policy: string;
  readonly totalCostUsd: number;
  /** Where totalCostUsd went: booting, running tasks, empty, the 60 s minimum. */
  readonly costSplit: CostSplit;
  /** totalCostUsd over the bound; null when the bound is 0 and no ratio exists. */
  readonly costOverClairvoyant: number | null;
  readonly costOverAnySchedule: number | null;
  /** Arrival to first start; a job never started counts as waiting until it was dead-lettered or the run ended. */
  readonly waitSeconds: { readonly p50: number; readonly p95: number; readonly max: number };
  /** Time-weighted over the whole run, per dimension. */
  readonly utilization: Resources;
  /** Instances launched (failed ones included). */
  readonly nodesLaunched: { readonly byType: Readonly<Record<string, number>>; readonly total: number };
  readonly apiCalls: number;
  readonly apiCallsPerJob: number;
  readonly jobs: number;
  readonly succeeded: number;
  readonly deadLettered: number;
  /** Every job finished and the fleet got back to its warm minimum before the limit. */
  readonly completed: boolean;
  readonly simulatedSeconds: number;
  readonly wallSeconds: number;
  readonly series: TimeSeries;
}

export interface SimulateReport {
  readonly trace: { readonly source: string; readonly jobs: number; readonly notes: readonly string[] };
  /** The config the runs used, as the CLI names it. */
  readonly config: string;
  readonly bounds: LowerBounds;
  readonly runs: readonly SummarisedRun[];
}

export interface SummariseInput {
  readonly trace: SimulateReport['trace'];
  readonly config: string;
  readonly bounds: LowerBounds;
  readonly runs: readonly PolicyRun[];
  /** Points per time series at most (default DEFAULT_MAX_POINTS). */
  readonly maxPoints?: number;
}

/** About one point per pixel of a chart: more would not show, and would only grow the JSON. */
export const DEFAULT_MAX_POINTS = 600;

export function summariseRuns(input: SummariseInput): SimulateReport {
  const maxPoints = input.maxPoints ?? DEFAULT_MAX_POINTS;
  if (!(Number.isInteger(maxPoints) && maxPoints >= 1)) throw new RangeError(`summariseRuns: maxPoints must be an integer >= 1, got ${maxPoints}`);
  return {
    trace: { source: input.trace.source, jobs: input.trace.jobs, notes: [...input.trace.notes] },
    config: input.config,
    bounds: {
      clairvoyantUsd: input.bounds.clairvoyantUsd,
      clairvoyantBootSeconds: input.bounds.clairvoyantBootSeconds,
      clairvoyantWholeInstanceStretches: input.bounds.clairvoyantWholeInstanceStretches,
      anyScheduleUsd: input.bounds.anyScheduleUsd,
    },
    runs: input.runs.map((run) => summariseRun(run, input.bounds, maxPoints)),
  };
}

function summariseRun({ policy, report, wallSeconds }: PolicyRun, bounds: LowerBounds, maxPoints: number): SummarisedRun {
  const ratio = (bound: number): number | null => (bound > 0 ? report.totalCost / bound : null);
  return {
    policy,
    totalCostUsd: report.totalCost,
    costSplit: { ...report.costSplit },
    costOverClairvoyant: ratio(bounds.clairvoyantUsd),
    costOverAnySchedule: ratio(bounds.anyScheduleUsd),
    waitSeconds: { p50: report.waitSeconds.p50, p95: report.waitSeconds.p95, max: report.waitSeconds.max },
    utilization: resources((d) => report.utilization[d]),
    nodesLaunched: { byType: { ...report.nodesLaunched }, total: Object.values(report.nodesLaunched).reduce((sum, n) => sum + n, 0) },
    apiCalls: report.apiCalls,
    apiCallsPerJob: report.apiCallsPerJob,
    jobs: report.jobs,
    succeeded: report.succeeded,
    deadLettered: report.deadLettered,
    completed: report.completed,
    simulatedSeconds: report.simulatedSeconds,
    wallSeconds,
    series: downsampleSamples(report.samples, maxPoints),
  };
}

/**
 * At most `maxPoints` points, each covering a run of consecutive samples. Counts keep their
 * maximum over the stretch, because a peak is what a chart must not hide (the burst that
 * queued jobs, the fleet that drove the bill); the fleet is the sample with the most nodes,
 * so its types still add up to a fleet that existed. Cost is cumulative: the stretch's last
 * value is exact at the point's time. Utilization is a ratio, so a peak would flatter it:
 * it is the stretch's allocated over its allocatable.
 */
export function downsampleSamples(samples: readonly SimulationSample[], maxPoints: number): TimeSeries {
  const stretch = Math.max(1, Math.ceil(samples.length / maxPoints));
  const typeSet = new Set<string>();
  for (const sample of samples) for (const type in sample.nodesByType) typeSet.add(type);
  const types = [...typeSet].sort();
  const t: number[] = [];
  const nodesByType: Record<string, number[]> = Object.fromEntries(types.map((type) => [type, []]));
  const queueDepth: number[] = [];
  const runningJobs: number[] = [];
  const utilization = Object.fromEntries(DIMENSIONS.map((d) => [d, [] as number[]])) as { [D in Dimension]: number[] };
  const cost: number[] = [];

  for (let start = 0; start < samples.length; start += stretch) {
    const end = Math.min(samples.length, start + stretch);
    let fullest = samples[start]!;
    let fullestNodes = -1;
    let maxQueue = 0;
    let maxRunning = 0;
    const allocated = Object.fromEntries(DIMENSIONS.map((d) => [d, 0])) as Record<Dimension, number>;
    const allocatable = { ...allocated };
    for (let i = start; i < end; i++) {
      const sample = samples[i]!;
      let nodes = 0;
      for (const type in sample.nodesByType) nodes += sample.nodesByType[type]!;
      if (nodes > fullestNodes) {
        fullest = sample;
        fullestNodes = nodes;
      }
      if (sample.queueDepth > maxQueue) maxQueue = sample.queueDepth;
      if (sample.runningJobs > maxRunning) maxRunning = sample.runningJobs;
      for (const d of DIMENSIONS) {
        allocated[d] += sample.allocated[d];
        allocatable[d] += sample.allocatable[d];
      }
    }
    const last = samples[end - 1]!;
    t.push(last.t);
    for (const type of types) nodesByType[type]!.push(fullest.nodesByType[type] ?? 0);
    queueDepth.push(maxQueue);
    runningJobs.push(maxRunning);
    for (const d of DIMENSIONS) utilization[d].push(roundTo(allocatable[d] > 0 ? allocated[d] / allocatable[d] : 0, 4));
    // A hundredth of a cent is below anything a chart or a reader resolves, and keeps numbers short.
    cost.push(roundTo(last.cost, 4));
  }
  return { t, nodesByType, queueDepth, runningJobs, utilization, cost };
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/**
 * The report as indented JSON, with arrays of plain values kept on one line: a time series
 * printed one number per line would be most of the file and unreadable anyway.
 */
export function reportJson(report: SimulateReport): string {
  return `${formatJson(report, '')}\n`;
}

function formatJson(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) return `[${value.map((item) => formatJson(item, inner)).join(', ')}]`;
    return `[\n${value.map((item) => inner + formatJson(item, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
}
