import { describe, expect, it } from 'vitest';
import type { JobMessage } from '../../../src/jobs/job-message.ts';
import { parseJsonLinesTrace, serializeJsonLinesTrace } from '../../../src/simulation/traces/json-lines-trace.ts';
import { TraceError, type Trace } from '../../../src/simulation/traces/trace.ts';

const MINIMAL = { at: 0, jobId: 'seg-1', algorithm: 'segment', inputs: ['s3://bucket/1.tif'], outputPrefix: 's3://bucket/out/', durationSeconds: 45 };

function lines(...objects: readonly unknown[]): string {
  return objects.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n');
}

/** The problems a bad trace is refused with, one `path: message` per issue. */
function problems(text: string): string[] {
  try {
    parseJsonLinesTrace(text, 'trace.jsonl');
  } catch (error) {
    expect(error).toBeInstanceOf(TraceError);
    return (error as TraceError).message.split('\n');
  }
  throw new Error('expected the trace to be refused');
}

describe('parseJsonLinesTrace', () => {
  it('reads a job per line, with the message defaults and exit code 0', () => {
    const trace = parseJsonLinesTrace(lines(MINIMAL), 'trace.jsonl');
    expect(trace).toEqual({
      source: 'trace.jsonl',
      jobs: [
        {
          at: 0,
          message: { version: 1, jobId: 'seg-1', algorithm: 'segment', inputs: ['s3://bucket/1.tif'], outputPrefix: 's3://bucket/out/', env: {}, priority: 0, attempt: 1 },
          durationSeconds: 45,
          exitCode: 0,
        },
      ],
      notes: [],
    });
  });

  it('reads every field of the job message v1, and the trace fields', () => {
    const full = {
      ...MINIMAL,
      at: 12.5,
      version: 1,
      env: { MODEL: 'm1' },
      resources: { cpu: 2048, memoryMiB: 4096, gpu: 1 },
      instanceTypes: ['g5.*', 'g6.xlarge'],
      priority: 10,
      attempt: 1,
      workflow: { name: 'segment+detect', runId: 'plate-1', step: 'segment' },
      durationSeconds: 0.5,
      exitCode: 137,
    };
    const [job] = parseJsonLinesTrace(lines(full), 't').jobs;
    expect(job).toEqual({
      at: 12.5,
      message: {
        version: 1,
        jobId: 'seg-1',
        algorithm: 'segment',
        inputs: ['s3://bucket/1.tif'],
        outputPrefix: 's3://bucket/out/',
        env: { MODEL: 'm1' },
        resources: { cpu: 2048, memoryMiB: 4096, gpu: 1 },
        instanceTypes: ['g5.*', 'g6.xlarge'],
        priority: 10,
        attempt: 1,
        workflow: { name: 'segment+detect', runId: 'plate-1', step: 'segment' },
      } satisfies JobMessage,
      durationSeconds: 0.5,
      exitCode: 137,
    });
  });

  it('ignores blank lines, comment lines and carriage returns; the comments before the first job are the notes', () => {
    const text = `# a trace\r\n#\r\n\r\n#  made by hand \n${JSON.stringify(MINIMAL)}\r\n   # indented comment\n\n${JSON.stringify({ ...MINIMAL, jobId: 'seg-2', at: 3 })}\n`;
    const trace = parseJsonLinesTrace(text, 't');
    expect(trace.jobs.map((j) => j.message.jobId)).toEqual(['seg-1', 'seg-2']);
    expect(trace.notes).toEqual(['a trace', 'made by hand']);
  });

  it('sorts the jobs by arrival, keeping the line order of jobs at the same time, and says so', () => {
    const text = lines({ ...MINIMAL, jobId: 'c', at: 5 }, { ...MINIMAL, jobId: 'a', at: 1 }, { ...MINIMAL, jobId: 'd', at: 5 }, { ...MINIMAL, jobId: 'b', at: 1 });
    const trace = parseJsonLinesTrace(text, 't');
    expect(trace.jobs.map((j) => j.message.jobId)).toEqual(['a', 'b', 'c', 'd']);
    expect(trace.notes).toEqual(['the lines were not in time order; jobs sorted by at (ties keep their line order)']);
  });

  it('refuses a job id used twice, naming both lines', () => {
    expect(problems(lines(MINIMAL, { ...MINIMAL, jobId: 'seg-2' }, '', { ...MINIMAL, at: 9 }))).toEqual([
      'trace.jsonl: line 4: jobId: "seg-1" is already used on line 1; expected distinct job ids',
    ]);
  });

  it('names the line and field of each bad value, and what was expected', () => {
    const noDuration = Object.fromEntries(Object.entries(MINIMAL).filter(([key]) => key !== 'durationSeconds'));
    expect(
      problems(
        lines(
          { ...MINIMAL, at: -1 },
          noDuration,
          { ...MINIMAL, jobId: 'x', exitCode: 256 },
          { ...MINIMAL, jobId: 'y', durationSeconds: 0 },
          { ...MINIMAL, jobId: 'z', inputs: ['/local/file.tif'] },
          { ...noDuration, jobId: 'w', durationSecond: 3 },
        ),
      ),
    ).toEqual([
      'trace.jsonl: line 1: at: expected a number >= 0, got -1',
      'trace.jsonl: line 2: durationSeconds: missing: expected a number',
      'trace.jsonl: line 3: exitCode: expected an integer <= 255, got 256',
      'trace.jsonl: line 4: durationSeconds: expected a number >= 0.001, got 0',
      'trace.jsonl: line 5: inputs[0]: expected an S3 object URI such as "s3://bucket/path/file.tif", got "/local/file.tif"',
      'trace.jsonl: line 6: durationSeconds: missing: expected a number',
      'trace.jsonl: line 6: durationSecond: unknown key (expected one of: version, jobId, algorithm, inputs, outputPrefix, env, resources, instanceTypes, priority, attempt, workflow, at, durationSeconds, exitCode); did you mean "durationSeconds"?',
    ]);
  });

  it('refuses a later attempt, and times past 2 years (a Unix timestamp for at), naming the line', () => {
    const text = lines({ ...MINIMAL, attempt: 2 }, { ...MINIMAL, jobId: 'unix', at: 1_700_000_000 }, { ...MINIMAL, jobId: 'long', at: 60_000_000, durationSeconds: 5_000_000 });
    expect(problems(text)).toEqual([
      'trace.jsonl: line 1: attempt: a trace job is a first submission; expected 1 or no attempt, got 2',
      'trace.jsonl: line 2: the job ends 1,700,000,045 s after the trace start; expected a trace of at most 2 years (63,072,000 s); at is seconds from the trace start, not a Unix timestamp',
      'trace.jsonl: line 3: the job ends 65,000,000 s after the trace start; expected a trace of at most 2 years (63,072,000 s); at is seconds from the trace start, not a Unix timestamp',
    ]);
  });

  it('refuses lines that are not JSON objects', () => {
    const [notJson, notObject] = problems(lines('{"at": 1,', '[1, 2]'));
    expect(notJson).toMatch(/^trace\.jsonl: line 1: not valid JSON \(.+\); expected one job per line: a JSON object with at, jobId, algorithm, inputs, outputPrefix and durationSeconds$/);
    expect(notObject).toBe('trace.jsonl: line 2: got [1,2]; expected one job per line: a JSON object with at, jobId, algorithm, inputs, outputPrefix and durationSeconds');
  });

  it('refuses a trace with no jobs', () => {
    expect(problems('# only a comment\n\n')).toEqual([
      'trace.jsonl: no jobs (the input is empty or only comments); expected one job per line: a JSON object with at, jobId, algorithm, inputs, outputPrefix and durationSeconds',
    ]);
  });

  it('reports the first 20 problems and counts the rest', () => {
    const bad = lines(...Array.from({ length: 25 }, (_, i) => ({ ...MINIMAL, jobId: `j${i}`, at: -1 })));
    const reported = problems(bad);
    expect(reported).toHaveLength(21);
    expect(reported[19]).toBe('trace.jsonl: line 20: at: expected a number >= 0, got -1');
    expect(reported[20]).toBe('trace.jsonl: 5 more problems not shown');
  });
});

describe('serializeJsonLinesTrace', () => {
  const trace: Trace = {
    source: 'hand-made',
    notes: ['two jobs', 'one fails'],
    jobs: [
      { at: 0, message: { version: 1, jobId: 'a', algorithm: 'segment', inputs: ['s3://bucket/a.tif'], outputPrefix: 's3://bucket/out/', env: {}, priority: 0, attempt: 1 }, durationSeconds: 10, exitCode: 0 },
      {
        at: 2.5,
        message: {
          version: 1,
          jobId: 'b',
          algorithm: 'detect',
          inputs: ['s3://bucket/b.tif'],
          outputPrefix: 's3://bucket/out/',
          env: { MODEL: 'm' },
          resources: { gpu: 1 },
          instanceTypes: ['g5.*'],
          priority: 3,
          attempt: 1,
          workflow: { name: 'w', runId: 'r', step: 's' },
        },
        durationSeconds: 20,
        exitCode: 1,
      },
    ],
  };

  it('writes the source and notes as comments, then one line per job without the defaults', () => {
    expect(serializeJsonLinesTrace(trace).split('\n')).toEqual([
      '# loadmaster trace: hand-made',
      '# two jobs',
      '# one fails',
      '{"at":0,"jobId":"a","algorithm":"segment","inputs":["s3://bucket/a.tif"],"outputPrefix":"s3://bucket/out/","durationSeconds":10}',
      '{"at":2.5,"jobId":"b","algorithm":"detect","inputs":["s3://bucket/b.tif"],"outputPrefix":"s3://bucket/out/","env":{"MODEL":"m"},"resources":{"gpu":1},"instanceTypes":["g5.*"],"priority":3,"workflow":{"name":"w","runId":"r","step":"s"},"durationSeconds":20,"exitCode":1}',
      '',
    ]);
  });

  it('is read back to the same jobs, its source and notes as the notes', () => {
    const again = parseJsonLinesTrace(serializeJsonLinesTrace(trace), 'again');
    expect(again.jobs).toEqual(trace.jobs);
    expect(again.notes).toEqual(['loadmaster trace: hand-made', 'two jobs', 'one fails']);
  });
});
