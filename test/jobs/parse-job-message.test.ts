import { describe, expect, it } from 'vitest';
import { parseJobMessage, parseJobMessageText } from '../../src/jobs/parse-job-message.ts';

const minimal = { jobId: 'plate07-A01', algorithm: 'segment', inputs: ['s3://images/plate07/A01.tif'], outputPrefix: 's3://results/plate07/' };

function reasonFor(input: unknown): string {
  const parsed = parseJobMessage(input);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return parsed.reason;
}

describe('parseJobMessage', () => {
  it('fills in the defaults of a minimal message', () => {
    expect(parseJobMessage(minimal)).toEqual({ ok: true, message: { version: 1, ...minimal, env: {}, priority: 0, attempt: 1 } });
  });

  it('keeps every optional field of a full message', () => {
    const full = {
      version: 1,
      ...minimal,
      inputs: ['s3://images/plate07/A01.tif', 's3://images/plate07/A02.tif'],
      outputPrefix: 's3://results',
      env: { MODEL: 'cyto2', THRESHOLD: '0.5' },
      resources: { cpu: 4096, memoryMiB: 16384, gpu: 0 },
      instanceTypes: ['c7g.*', 'm7g.2xlarge'],
      priority: -3,
      attempt: 2,
      workflow: { name: 'cell-painting', runId: 'run-42', step: 'segment' },
    };
    expect(parseJobMessage(full)).toEqual({ ok: true, message: full });
  });

  it('accepts job ids of up to 128 characters from the allowed alphabet', () => {
    expect(parseJobMessage({ ...minimal, jobId: 'wf:run-42.step_1' }).ok).toBe(true);
    expect(parseJobMessage({ ...minimal, jobId: 'x'.repeat(128) }).ok).toBe(true);
  });

  it('rejects unknown fields, naming the field, the allowed ones and a likely fix', () => {
    expect(reasonFor({ ...minimal, priorty: 5 })).toBe(
      'priorty: unknown key (expected one of: version, jobId, algorithm, inputs, outputPrefix, env, resources, instanceTypes, priority, attempt, workflow); did you mean "priority"?',
    );
    expect(reasonFor({ ...minimal, resources: { cpu: 1024, disk: 20 } })).toBe('resources.disk: unknown key (expected one of: cpu, memoryMiB, gpu)');
    expect(reasonFor({ ...minimal, workflow: { name: 'w', runId: 'r', step: 's', parent: 'p' } })).toMatch(/^workflow\.parent: unknown key/);
  });

  it('names the path, the value and the expectation of each bad field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ version: 2 }, 'version: expected 1, got 2'],
      [{ jobId: 'plate 07' }, 'jobId: expected a job id of 1 to 128 letters, digits, ".", "_", ":" and "-", got "plate 07"'],
      [{ jobId: '' }, 'jobId: expected a job id of 1 to 128 letters, digits, ".", "_", ":" and "-", got ""'],
      [{ jobId: 'x'.repeat(129) }, 'jobId: expected a job id of 1 to 128 letters, digits, ".", "_", ":" and "-", got 129 characters'],
      [{ algorithm: '' }, 'algorithm: expected a non-empty string, got an empty string'],
      [{ inputs: [] }, 'inputs: expected a non-empty list, got an empty list'],
      [{ inputs: 's3://images/a.tif' }, 'inputs: expected a list, got "s3://images/a.tif"'],
      [{ inputs: ['s3://images/a.tif', 'https://images/b.tif'] }, 'inputs[1]: expected an S3 object URI such as "s3://bucket/path/file.tif", got "https://images/b.tif"'],
      [{ inputs: ['s3://images/'] }, 'inputs[0]: expected an S3 object URI such as "s3://bucket/path/file.tif", got "s3://images/"'],
      [
        { inputs: ['s3://b/1.tif'] },
        'inputs[0]: expected an S3 object URI such as "s3://bucket/path/file.tif", got "s3://b/1.tif" (the bucket name "b" is not one: 3 to 63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit)',
      ],
      [{ outputPrefix: '/tmp/out' }, 'outputPrefix: expected an S3 URI such as "s3://bucket/results/" to write under, got "/tmp/out"'],
      [{ env: { THRESHOLD: 0.5 } }, 'env.THRESHOLD: expected a string, got 0.5'],
      [{ resources: { cpu: 0 } }, 'resources.cpu: expected an integer >= 1, got 0'],
      [{ resources: { memoryMiB: 1.5 } }, 'resources.memoryMiB: expected an integer, got 1.5'],
      [{ resources: { gpu: -1 } }, 'resources.gpu: expected an integer >= 0, got -1'],
      [{ instanceTypes: [] }, 'instanceTypes: expected a non-empty list, got an empty list'],
      [{ instanceTypes: ['g5 xlarge'] }, 'instanceTypes[0]: expected an instance type name or pattern such as "c7g.2xlarge", "g5.*" or "*.4xlarge" (letters, digits, ".", "-" and the wildcards "*" and "?"), got "g5 xlarge"'],
      [{ priority: 'high' }, 'priority: expected an integer, got "high"'],
      [{ attempt: 0 }, 'attempt: expected an integer >= 1, got 0'],
      [{ workflow: { name: 'w', runId: 'r' } }, 'workflow.step: missing: expected a string'],
    ];
    for (const [change, reason] of cases) expect(reasonFor({ ...minimal, ...change })).toBe(reason);
  });

  it('lists every problem at once, joined with "; "', () => {
    expect(reasonFor({ ...minimal, jobId: undefined, priority: 1.5, extra: true })).toBe(
      'jobId: missing: expected a string; priority: expected an integer, got 1.5; ' +
        'extra: unknown key (expected one of: version, jobId, algorithm, inputs, outputPrefix, env, resources, instanceTypes, priority, attempt, workflow)',
    );
  });

  it('rejects anything but an object', () => {
    expect(reasonFor(null)).toBe('expected a JSON object (a job message), got null');
    expect(reasonFor([minimal])).toMatch(/^expected a JSON object \(a job message\), got \[/);
    expect(reasonFor('job')).toBe('expected a JSON object (a job message), got "job"');
  });
});

describe('parseJobMessageText', () => {
  it('parses a JSON body', () => {
    expect(parseJobMessageText(JSON.stringify(minimal))).toMatchObject({ ok: true, message: { jobId: 'plate07-A01', attempt: 1 } });
  });

  it('reports JSON syntax errors', () => {
    const parsed = parseJobMessageText('{"jobId": "a",');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(/^invalid JSON: .+; expected a JSON job message$/);
  });

  it('does not echo a long body back in a syntax error', () => {
    const body = `{"jobId": "${'x'.repeat(500)}" oops}`;
    const parsed = parseJobMessageText(body);
    expect(!parsed.ok && parsed.reason.length).toBeLessThan(200);
  });

  it('reports an empty body', () => {
    expect(parseJobMessageText('  ')).toEqual({ ok: false, reason: 'empty body; expected a JSON job message' });
  });

  it('reports the shape after the syntax', () => {
    expect(parseJobMessageText('{"version": 1}')).toEqual({
      ok: false,
      reason: 'jobId: missing: expected a string; algorithm: missing: expected a string; inputs: missing: expected a list; outputPrefix: missing: expected a string',
    });
  });
});
