// loadmaster's own trace format, JSON lines: one job per line, the job message (v1, the
// same schema as the queue's, so there is one definition of a message) with three
// fields of the trace added:
//
//   {"at": 12.5, "jobId": "seg-1", "algorithm": "segment-cells", "inputs": ["s3://b/1.tif"],
//    "outputPrefix": "s3://b/out/", "env": {"MODEL": "m"}, "durationSeconds": 45, "exitCode": 0}
//
// `at`: seconds from the trace start (>= 0); `durationSeconds`: run time once started
// (>= 1 ms), the last job ending within MAX_TRACE_SECONDS (2 years); `exitCode`: what the
// first attempt exits with (0 to 255, default 0). The message's own fields: `jobId`,
// `algorithm`, `inputs`, `outputPrefix`, and optionally `version` (1), `env`, `resources`
// {cpu, memoryMiB, gpu}, `instanceTypes`, `priority`, `attempt` (1 only), `workflow`
// {name, runId, step}. Blank lines and lines starting with `#` are not jobs; the `#` lines
// before the first job are the trace's notes (serializeJsonLinesTrace writes its source and
// notes there, so they survive a round trip). Pure: text in, Trace out.
import { z } from 'zod';
import { describeValue, type InputIssue } from '../../config/input-issues.ts';
import { validateWithSchema } from '../../config/zod-issues.ts';
import type { JobMessage } from '../../jobs/job-message.ts';
import { jobMessageSchema } from '../../jobs/parse-job-message.ts';
import { byArrival, MIN_DURATION_SECONDS, spanIssue, throwIfIssues, TraceError, type Trace, type TraceJob } from './trace.ts';

/** The largest exit code a container can report. */
const MAX_EXIT_CODE = 255;

const EXPECTED_LINE = 'expected one job per line: a JSON object with at, jobId, algorithm, inputs, outputPrefix and durationSeconds';

/** A trace line: the job message with the trace's fields; unknown keys are rejected like the message's. */
const traceLineSchema = jobMessageSchema.extend({
  // How late and how long is checked on the whole line (spanIssue), with a hint for Unix timestamps.
  at: z.number().min(0),
  durationSeconds: z.number().min(MIN_DURATION_SECONDS),
  exitCode: z.int().min(0).max(MAX_EXIT_CODE).default(0),
});

/**
 * Reads a JSON-lines trace; `source` names it in messages and becomes the trace's source.
 * Throws a TraceError naming every bad line (`line N: field: what was expected`), including
 * a job id used twice (both lines named).
 */
export function parseJsonLinesTrace(text: string, source: string): Trace {
  const issues: InputIssue[] = [];
  const jobs: TraceJob[] = [];
  const header: string[] = [];
  const lineOfJob = new Map<string, number>();
  const lines = text.split('\n');
  let inHeader = true;
  for (let index = 0; index < lines.length; index++) {
    const content = lines[index]!.trim();
    if (content.startsWith('#')) {
      const note = content.slice(1).trim();
      if (inHeader && note !== '') header.push(note);
      continue;
    }
    if (content === '') continue;
    inHeader = false;
    const where = `line ${index + 1}`;
    const report = (message: string): void => void issues.push({ path: where, message, line: index + 1 });

    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      report(`not valid JSON (${error instanceof Error ? error.message : String(error)}); ${EXPECTED_LINE}`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      report(`got ${describeValue(value)}; ${EXPECTED_LINE}`);
      continue;
    }
    const validated = validateWithSchema(traceLineSchema, value, () => undefined);
    if (!validated.ok) {
      for (const issue of validated.issues) report(issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`);
      continue;
    }
    const { at, durationSeconds, exitCode, ...message } = validated.value;
    if (message.attempt !== 1) {
      // Retries are the replay's to make: the trace's exit code is its first attempt's.
      report(`attempt: a trace job is a first submission; expected 1 or no attempt, got ${message.attempt}`);
      continue;
    }
    const firstLine = lineOfJob.get(message.jobId);
    if (firstLine !== undefined) {
      report(`jobId: ${describeValue(message.jobId)} is already used on line ${firstLine}; expected distinct job ids`);
      continue;
    }
    lineOfJob.set(message.jobId, index + 1);
    const tooLong = spanIssue({ at, durationSeconds }, where, index + 1, '; at is seconds from the trace start, not a Unix timestamp');
    if (tooLong !== undefined) {
      issues.push(tooLong);
      continue;
    }
    jobs.push({ at, message, durationSeconds, exitCode });
  }
  throwIfIssues(source, issues);
  if (jobs.length === 0) throw new TraceError(source, [{ path: '', message: `no jobs (the input is empty or only comments); ${EXPECTED_LINE}` }]);

  const sorted = byArrival(jobs);
  const reordered = sorted.some((job, i) => job !== jobs[i]);
  const notes = [...header, ...(reordered ? ['the lines were not in time order; jobs sorted by at (ties keep their line order)'] : [])];
  return { source, jobs: sorted, notes };
}

/**
 * The trace as JSON lines: `# ` comment lines with the source and the notes, then one job
 * per line. Fields at their defaults (version 1, empty env, priority 0, attempt 1, exit
 * code 0) are left out. parseJsonLinesTrace reads it back to the same jobs.
 */
export function serializeJsonLinesTrace(trace: Trace): string {
  const comments = [`loadmaster trace: ${trace.source}`, ...trace.notes].map((text) => `# ${text.replaceAll('\n', ' ')}\n`);
  return comments.join('') + trace.jobs.map((job) => `${JSON.stringify(traceLine(job))}\n`).join('');
}

function traceLine({ at, message, durationSeconds, exitCode }: TraceJob): Record<string, unknown> {
  const m: JobMessage = message;
  return {
    at,
    jobId: m.jobId,
    algorithm: m.algorithm,
    inputs: m.inputs,
    outputPrefix: m.outputPrefix,
    ...(Object.keys(m.env).length > 0 && { env: m.env }),
    ...(m.resources !== undefined && { resources: m.resources }),
    ...(m.instanceTypes !== undefined && { instanceTypes: m.instanceTypes }),
    ...(m.priority !== 0 && { priority: m.priority }),
    ...(m.attempt !== 1 && { attempt: m.attempt }),
    ...(m.workflow !== undefined && { workflow: m.workflow }),
    durationSeconds,
    ...(exitCode !== 0 && { exitCode }),
  };
}
