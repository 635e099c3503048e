// Alibaba's GPU cluster trace (cluster-trace-gpu-v2023, Weng et al., ATC 2023) as a
// loadmaster trace: the `openb_pod_list_*.csv` files, one Kubernetes pod per row. Pure:
// CSV text in, Trace out; the CLI reads the file.
//
// The mapping (also in README.md next to this file):
//
// | loadmaster                 | from the pod                                                                      |
// |----------------------------|-----------------------------------------------------------------------------------|
// | at                         | creation_time, shifted so the first job arrives at 0                             |
// | durationSeconds            | deletion_time − scheduled_time (− creation_time when scheduled_time is empty)    |
// | skipped                    | never scheduled (phase Pending, no scheduled_time); run time under 1 ms          |
// | exitCode                   | 1 when pod_phase is Failed, else 0; Running pods keep the run time up to the cut |
// | algorithm                  | alibaba-cpu (num_gpu 0), alibaba-gpu (1), alibaba-multi-gpu (2 or more)           |
// | jobId                      | name                                                                              |
// | resources.cpu              | round(cpu_milli × 1024 / 1000) ECS cpu units, at least 1                          |
// | resources.memoryMiB        | memory_mib, at least 1                                                            |
// | resources.gpu              | num_gpu; a GPU share (gpu_milli < 1000) gets a whole GPU: ECS assigns whole GPUs |
// | instanceTypes              | gpu_spec models: T4 → g4dn.*, A10 → g5.*, V100M16 → p3.*; others dropped         |
// | inputs, outputPrefix       | s3://alibaba-trace/pods/<name>, s3://alibaba-trace/results/<name>/                |
// | priority, env, workflow    | 0, none, none (qos is not mapped)                                                 |
//
// A GPU pod whose models all lack an AWS counterpart (P100, G2, G3, V100M32: the
// 32 GB V100 is p3dn.24xlarge, which the built-in catalog does not have) or that names
// none may run on any GPU type its algorithm allows. Every rule that changed or dropped
// something is counted in the trace's notes.
import { describeValue, listAlternatives, type InputIssue } from '../../config/input-issues.ts';
import type { JobMessage } from '../../jobs/job-message.ts';
import { parseJobMessage } from '../../jobs/parse-job-message.ts';
import { csvRecords, type CsvRecord } from './csv.ts';
import { byArrival, MIN_DURATION_SECONDS, spanIssue, throwIfIssues, TraceError, type Trace, type TraceJob } from './trace.ts';

/** The columns read, in the files' order; others are ignored. */
export const ALIBABA_COLUMNS = [
  'name',
  'cpu_milli',
  'memory_mib',
  'num_gpu',
  'gpu_milli',
  'gpu_spec',
  'qos',
  'pod_phase',
  'creation_time',
  'deletion_time',
  'scheduled_time',
] as const;
type Column = (typeof ALIBABA_COLUMNS)[number];

/** The algorithms the jobs run as; examples/alibaba-config.yaml defines them. */
export const ALIBABA_ALGORITHMS = { cpu: 'alibaba-cpu', gpu: 'alibaba-gpu', multiGpu: 'alibaba-multi-gpu' } as const;

/** Alibaba's GPU model names → the AWS instance types with that GPU (patterns of the built-in catalog). */
export const ALIBABA_GPU_MODEL_TYPES: Readonly<Record<string, readonly string[]>> = {
  T4: ['g4dn.*'],
  A10: ['g5.*'], // A10G
  V100M16: ['p3.*'], // p3.2xlarge, p3.8xlarge, p3.16xlarge: 16 GB V100s
};

/** Why a model named in gpu_spec has no instance types; models not listed here have no known AWS counterpart. */
const UNMAPPED_MODEL_REASONS: Readonly<Record<string, string>> = {
  V100M32: 'its AWS counterpart, p3dn.24xlarge, is not in the built-in catalog',
  P100: 'no current AWS instance type has a P100',
};

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed'] as const;
type Phase = (typeof PHASES)[number];

const BUCKET = 's3://alibaba-trace';
const CPU_UNITS_PER_VCPU = 1024;
const MILLI = 1000;

/** A pod row with its fields read and checked. */
interface Pod {
  readonly line: number;
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  readonly gpus: number;
  readonly gpuMilli: number;
  readonly gpuModels: readonly string[];
  readonly phase: Phase;
  readonly created: number;
  readonly deleted: number | undefined;
  readonly scheduled: number | undefined;
}

/** What the mapping did, for the notes. */
class Tally {
  pods = 0;
  neverScheduled = 0;
  tooShort = 0;
  timedFromCreation = 0;
  scheduledBeforeCreation = 0;
  running = 0;
  failed = 0;
  gpuShares = 0;
  cpuRounded = 0;
  cpuRaised = 0;
  memoryRaised = 0;
  noModel = 0;
  narrowed = 0;
  partlyDropped = 0;
  onlyUnmapped = 0;
  cpuPodsWithModels = 0;
  readonly droppedModels = new Map<string, number>();
  readonly byAlgorithm = new Map<string, number>();
}

/**
 * Reads an `openb_pod_list_*.csv` file's text; `source` names it in messages and becomes
 * the trace's source. Throws a TraceError naming each bad cell (`line N, column C: what
 * was expected`), a missing column, or a pod name used twice (both lines named).
 */
export function parseAlibabaTrace(text: string, source: string): Trace {
  const records = csvRecords(text);
  const header = records[0];
  if (header === undefined) throw new TraceError(source, [{ path: '', message: `the file is empty; expected a CSV header (${ALIBABA_COLUMNS.join(',')}) and one pod per line` }]);
  const columns = columnIndices(header, source);

  const issues: InputIssue[] = [];
  const tally = new Tally();
  const unshifted: TraceJob[] = [];
  const lineOfJob: number[] = [];
  const lineOfPod = new Map<string, number>();
  for (const record of records.slice(1)) {
    const pod = readPod(record, columns, header.fields.length, issues);
    if (pod === undefined) continue;
    tally.pods++;
    const firstLine = lineOfPod.get(pod.name);
    if (firstLine !== undefined) {
      issues.push(issueAt(record.line, 'name', `${describeValue(pod.name)} is already used on line ${firstLine}; expected distinct pod names (they become job ids)`));
      continue;
    }
    lineOfPod.set(pod.name, record.line);
    const job = jobOf(pod, tally, issues);
    if (job === undefined) continue;
    unshifted.push(job);
    lineOfJob.push(record.line);
  }
  const first = unshifted.reduce((min, job) => Math.min(min, job.at), Infinity);
  const shifted = unshifted.map((job) => ({ ...job, at: job.at - first }));
  shifted.forEach((job, k) => {
    const tooLong = spanIssue(job, `line ${lineOfJob[k]!}`, lineOfJob[k]!);
    if (tooLong !== undefined) issues.push(tooLong);
  });
  throwIfIssues(source, issues);
  if (shifted.length === 0) {
    const skipped = tally.pods === 1 ? 'its one pod was skipped' : `all ${tally.pods.toLocaleString('en-US')} pods were skipped`;
    const why = tally.pods === 0 ? 'the file has no pods' : `${skipped} (never scheduled, or a run time under 1 ms)`;
    throw new TraceError(source, [{ path: '', message: `no jobs: ${why}; expected at least one pod that ran` }]);
  }
  const jobs = byArrival(shifted);
  return { source, jobs, notes: notesOf(tally, jobs, Number.isFinite(first) ? first : 0) };
}

function columnIndices(header: CsvRecord, source: string): Record<Column, number> {
  const names = header.fields.map((name) => name.trim());
  const missing = ALIBABA_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new TraceError(source, [
      {
        path: `line ${header.line}`,
        message: `missing column${missing.length === 1 ? '' : 's'} ${listAlternatives(missing.map((c) => `"${c}"`), 'and')}; expected a header with ${ALIBABA_COLUMNS.join(',')}`,
        line: header.line,
      },
    ]);
  }
  return Object.fromEntries(ALIBABA_COLUMNS.map((column) => [column, names.indexOf(column)])) as Record<Column, number>;
}

function issueAt(line: number, column: Column | undefined, message: string): InputIssue {
  return { path: column === undefined ? `line ${line}` : `line ${line}, column ${column}`, message, line };
}

/** The row's fields, checked; undefined (with issues) when any is wrong. */
function readPod(record: CsvRecord, columns: Record<Column, number>, width: number, issues: InputIssue[]): Pod | undefined {
  if (record.fields.length !== width) {
    issues.push(issueAt(record.line, undefined, `expected ${width} comma-separated fields as in the header, got ${record.fields.length}`));
    return undefined;
  }
  const before = issues.length;
  const cell = (column: Column): string => record.fields[columns[column]]!.trim();
  const wholeNumber = (column: Column, what: string, max = Infinity): number => {
    const text = cell(column);
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (Number.isSafeInteger(value) && value <= max) return value;
    issues.push(issueAt(record.line, column, `expected ${what}: a whole number >= 0${max < Infinity ? ` and <= ${max}` : ''}, got ${describeValue(text)}`));
    return 0;
  };
  const seconds = (column: Column, optional: boolean): number | undefined => {
    const text = cell(column);
    if (text === '' && optional) return undefined;
    const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (Number.isFinite(value)) return value;
    issues.push(issueAt(record.line, column, `expected seconds: a number >= 0${optional ? ' or nothing' : ''}, got ${describeValue(text)}`));
    return undefined;
  };

  const name = cell('name');
  if (name === '') issues.push(issueAt(record.line, 'name', 'expected the pod name, got ""'));
  const cpuMilli = wholeNumber('cpu_milli', 'millicores');
  const memoryMiB = wholeNumber('memory_mib', 'MiB');
  const gpus = wholeNumber('num_gpu', 'a GPU count');
  const gpuMilli = wholeNumber('gpu_milli', 'thousandths of a GPU', MILLI);
  const phaseText = cell('pod_phase');
  const phase = PHASES.find((p) => p === phaseText);
  if (phase === undefined) issues.push(issueAt(record.line, 'pod_phase', `expected ${listAlternatives(PHASES.map((p) => `"${p}"`))}, got ${describeValue(phaseText)}`));
  const created = seconds('creation_time', false);
  const scheduled = seconds('scheduled_time', true);
  // A pod that never ran needs no end.
  const deleted = seconds('deletion_time', phase === 'Pending' && scheduled === undefined);
  if (issues.length > before || phase === undefined || created === undefined) return undefined;

  const gpuModels = [...new Set(cell('gpu_spec').split('|').map((model) => model.trim()).filter((model) => model !== ''))];
  return { line: record.line, name, cpuMilli, memoryMiB, gpus, gpuMilli, gpuModels, phase, created, deleted, scheduled };
}

/** The pod as a job (at still unshifted), or undefined when it is skipped; counts what the mapping did. */
function jobOf(pod: Pod, tally: Tally, issues: InputIssue[]): TraceJob | undefined {
  if (pod.scheduled === undefined && pod.phase === 'Pending') {
    tally.neverScheduled++;
    return undefined;
  }
  const started = pod.scheduled ?? pod.created;
  const durationSeconds = (pod.deleted ?? started) - started;
  if (!(durationSeconds >= MIN_DURATION_SECONDS)) {
    tally.tooShort++;
    return undefined;
  }
  if (pod.scheduled === undefined) tally.timedFromCreation++;
  if (pod.scheduled !== undefined && pod.scheduled < pod.created) tally.scheduledBeforeCreation++;
  if (pod.phase === 'Running') tally.running++;
  if (pod.phase === 'Failed') tally.failed++;

  const exactCpu = (pod.cpuMilli * CPU_UNITS_PER_VCPU) / MILLI;
  const cpu = Math.max(1, Math.round(exactCpu));
  if (cpu !== exactCpu) {
    if (Math.round(exactCpu) === 0) tally.cpuRaised++;
    else tally.cpuRounded++;
  }
  const memoryMiB = Math.max(1, pod.memoryMiB);
  if (memoryMiB !== pod.memoryMiB) tally.memoryRaised++;
  if (pod.gpus > 0 && pod.gpuMilli < MILLI) tally.gpuShares++;

  const algorithm = pod.gpus === 0 ? ALIBABA_ALGORITHMS.cpu : pod.gpus === 1 ? ALIBABA_ALGORITHMS.gpu : ALIBABA_ALGORITHMS.multiGpu;
  tally.byAlgorithm.set(algorithm, (tally.byAlgorithm.get(algorithm) ?? 0) + 1);
  const instanceTypes = pod.gpus > 0 ? instanceTypesOf(pod.gpuModels, tally) : undefined;
  if (pod.gpus === 0 && pod.gpuModels.length > 0) tally.cpuPodsWithModels++;

  const candidate: JobMessage = {
    version: 1,
    jobId: pod.name,
    algorithm,
    inputs: [`${BUCKET}/pods/${pod.name}`],
    outputPrefix: `${BUCKET}/results/${pod.name}/`,
    env: {},
    resources: { cpu, memoryMiB, gpu: pod.gpus },
    ...(instanceTypes !== undefined && { instanceTypes }),
    priority: 0,
    attempt: 1,
  };
  // The job message's own rules (a job id's alphabet and length) apply to the pod name.
  const parsed = parseJobMessage(candidate);
  if (!parsed.ok) {
    issues.push(issueAt(pod.line, 'name', `${describeValue(pod.name)} cannot be a job id: ${parsed.reason}`));
    return undefined;
  }
  return { at: pod.created, message: parsed.message, durationSeconds, exitCode: pod.phase === 'Failed' ? 1 : 0 };
}

/** The instance type patterns of a GPU pod's models; undefined (any GPU type) when none maps. */
function instanceTypesOf(models: readonly string[], tally: Tally): string[] | undefined {
  if (models.length === 0) {
    tally.noModel++;
    return undefined;
  }
  const patterns = new Set<string>();
  let dropped = false;
  for (const model of models) {
    const types = Object.hasOwn(ALIBABA_GPU_MODEL_TYPES, model) ? ALIBABA_GPU_MODEL_TYPES[model]! : [];
    if (types.length === 0) {
      dropped = true;
      tally.droppedModels.set(model, (tally.droppedModels.get(model) ?? 0) + 1);
    }
    for (const type of types) patterns.add(type);
  }
  if (patterns.size === 0) {
    tally.onlyUnmapped++;
    return undefined;
  }
  tally.narrowed++;
  if (dropped) tally.partlyDropped++;
  return [...patterns];
}

function notesOf(tally: Tally, jobs: readonly TraceJob[], shift: number): string[] {
  const n = (count: number, noun: string): string => `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
  const perAlgorithm = Object.values(ALIBABA_ALGORITHMS)
    .map((algorithm) => `${(tally.byAlgorithm.get(algorithm) ?? 0).toLocaleString('en-US')} ${algorithm}`)
    .join(', ');
  const span = jobs.reduce((end, job) => Math.max(end, job.at + job.durationSeconds), 0);
  const mappings = Object.entries(ALIBABA_GPU_MODEL_TYPES)
    .map(([model, types]) => `${model} → ${types.join(', ')}`)
    .join(', ');
  const notes = [
    `${n(tally.pods, 'pod')} read, ${n(jobs.length, 'job')} in the trace: ${perAlgorithm}`,
    `${n(tally.neverScheduled, 'pod')} skipped: never scheduled (phase Pending, no scheduled_time)`,
    `${n(tally.tooShort, 'pod')} skipped: run time under 1 ms`,
    ...(tally.timedFromCreation > 0 ? [`${n(tally.timedFromCreation, 'pod')} without scheduled_time: run time from creation_time`] : []),
    ...(tally.scheduledBeforeCreation > 0 ? [`${n(tally.scheduledBeforeCreation, 'pod')} scheduled before creation_time: arrival at creation_time, run time from scheduled_time`] : []),
    `${n(tally.running, 'pod')} still Running when the trace was cut: run time up to the cut (deletion_time)`,
    `${n(tally.failed, 'pod')} Failed: the first attempt exits 1 (the others exit 0)`,
    `${n(tally.gpuShares, 'pod')} with a share of a GPU (gpu_milli < 1000): a whole GPU each, as ECS assigns whole GPUs to tasks`,
    ...(tally.cpuRounded > 0 ? [`${n(tally.cpuRounded, 'pod')}: cpu rounded to whole ECS cpu units (cpu_milli × 1.024 is not whole)`] : []),
    ...(tally.cpuRaised > 0 ? [`${n(tally.cpuRaised, 'pod')} asking for less than half a cpu unit: 1 unit (a job asks for at least 1)`] : []),
    ...(tally.memoryRaised > 0 ? [`${n(tally.memoryRaised, 'pod')} asking for 0 MiB of memory: 1 MiB (a job asks for at least 1)`] : []),
    `${n(tally.noModel, 'GPU pod')} naming no GPU model: any GPU type`,
    `${n(tally.narrowed, 'GPU pod')} narrowed to the instance types of their GPU models (${mappings})` +
      (tally.partlyDropped > 0 ? `, ${tally.partlyDropped.toLocaleString('en-US')} of them after dropping models with no AWS counterpart` : ''),
    `${n(tally.onlyUnmapped, 'GPU pod')} naming only GPU models with no AWS counterpart: any GPU type`,
    ...[...tally.droppedModels.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([model, count]) => `GPU model ${model} dropped from the lists of ${n(count, 'pod')}: ${UNMAPPED_MODEL_REASONS[model] ?? 'no known AWS counterpart'}`),
    ...(tally.cpuPodsWithModels > 0 ? [`${n(tally.cpuPodsWithModels, 'CPU pod')} with a gpu_spec: ignored (no GPU used)`] : []),
    `arrivals shifted by ${shift.toLocaleString('en-US')} s so the first job arrives at 0; the last job ends ${(span / 86400).toFixed(1)} days in`,
  ];
  return notes;
}
