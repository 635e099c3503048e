// A job trace: the jobs a simulation replays, each with when it arrives, the job message
// the upload Lambda would have sent, how long it runs and how its first attempt exits.
// Readers (json-lines-trace.ts, alibaba-trace.ts) and generators
// (synthetic-image-processing.ts) produce it; `loadmaster simulate` replays it.
import { InputError, type InputIssue } from '../../config/input-issues.ts';
import type { JobMessage } from '../../jobs/job-message.ts';

export interface TraceJob {
  /** Seconds from the trace start, >= 0. */
  readonly at: number;
  readonly message: JobMessage;
  /** Run time once started, > 0. */
  readonly durationSeconds: number;
  /** What the first attempt exits with. */
  readonly exitCode: number;
}

export interface Trace {
  /** Where the jobs came from: a file name, or the generator and its options. */
  readonly source: string;
  /** Sorted by `at`; jobs at the same second keep their order (stable). */
  readonly jobs: readonly TraceJob[];
  /** Human-readable facts about the mapping: rows skipped, values rounded, constraints dropped. */
  readonly notes: readonly string[];
}

/** A trace the user handed us is wrong: each issue names the line (and field) and what was expected. */
export class TraceError extends InputError {
  constructor(source: string, issues: readonly InputIssue[]) {
    super(source, issues);
    this.name = 'TraceError';
  }
}

/**
 * The longest a trace may last, from its start to its last job's end: two years. A
 * simulation steps through quiet stretches a reconcile round at a time, so a trace with a
 * Unix timestamp for `at` would run for hours; and a real trace that long is not one run.
 */
export const MAX_TRACE_SECONDS = 2 * 365 * 24 * 3600;

/** The shortest run time a trace job may have: a millisecond, the simulated cloud's finest step. */
export const MIN_DURATION_SECONDS = 0.001;

/** The issue for a job that ends after MAX_TRACE_SECONDS, or undefined; `hint` follows the expectation. */
export function spanIssue(job: Pick<TraceJob, 'at' | 'durationSeconds'>, path: string, line: number, hint = ''): InputIssue | undefined {
  const end = job.at + job.durationSeconds;
  if (end <= MAX_TRACE_SECONDS) return undefined;
  return {
    path,
    line,
    message: `the job ends ${Math.round(end).toLocaleString('en-US')} s after the trace start; expected a trace of at most 2 years (${MAX_TRACE_SECONDS.toLocaleString('en-US')} s)${hint}`,
  };
}

/** Beyond this many, a reader reports how many more problems there are instead of each one. */
export const MAX_REPORTED_ISSUES = 20;

/** Throws a TraceError with the issues (the first MAX_REPORTED_ISSUES, then a count of the rest) when there are any. */
export function throwIfIssues(source: string, issues: readonly InputIssue[]): void {
  if (issues.length === 0) return;
  const shown = issues.slice(0, MAX_REPORTED_ISSUES);
  const more = issues.length - shown.length;
  throw new TraceError(source, more > 0 ? [...shown, { path: '', message: `${more} more problem${more === 1 ? '' : 's'} not shown` }] : shown);
}

/** The jobs sorted by arrival, ties in their given order. */
export function byArrival(jobs: readonly TraceJob[]): TraceJob[] {
  // Array.prototype.sort is stable.
  return [...jobs].sort((a, b) => a.at - b.at);
}
