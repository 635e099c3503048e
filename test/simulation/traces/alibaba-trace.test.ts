import { describe, expect, it } from 'vitest';
import { parseAlibabaTrace } from '../../../src/simulation/traces/alibaba-trace.ts';
import { TraceError, type Trace, type TraceJob } from '../../../src/simulation/traces/trace.ts';

const HEADER = 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time';

/** A pod row; every field can be replaced. */
function pod(fields: Partial<Record<'name' | 'cpu' | 'memory' | 'gpus' | 'gpuMilli' | 'spec' | 'qos' | 'phase' | 'created' | 'deleted' | 'scheduled', string | number>>): string {
  const f = { name: 'p', cpu: 1000, memory: 2048, gpus: 0, gpuMilli: 0, spec: '', qos: 'LS', phase: 'Succeeded', created: 100, deleted: 200, scheduled: 110, ...fields };
  return [f.name, f.cpu, f.memory, f.gpus, f.gpuMilli, f.spec, f.qos, f.phase, f.created, f.deleted, f.scheduled].join(',');
}

function parse(...rows: string[]): Trace {
  return parseAlibabaTrace([HEADER, ...rows].join('\n') + '\n', 'pods.csv');
}

function job(trace: Trace, name: string): TraceJob {
  const found = trace.jobs.find((j) => j.message.jobId === name);
  if (!found) throw new Error(`no job ${name} in the trace`);
  return found;
}

/** The problems a bad file is refused with, one formatted issue per entry. */
function problems(text: string): string[] {
  try {
    parseAlibabaTrace(text, 'pods.csv');
  } catch (error) {
    expect(error).toBeInstanceOf(TraceError);
    return (error as TraceError).message.split('\n');
  }
  throw new Error('expected the file to be refused');
}

describe('parseAlibabaTrace', () => {
  it('maps a pod to a job: name, resources, arrival, run time, algorithm', () => {
    const trace = parse(pod({ name: 'openb-pod-0001', cpu: 6000, memory: 12288, gpus: 1, gpuMilli: 1000, created: 500, scheduled: 520, deleted: 1520 }));
    expect(trace.source).toBe('pods.csv');
    expect(trace.jobs).toEqual([
      {
        at: 0,
        message: {
          version: 1,
          jobId: 'openb-pod-0001',
          algorithm: 'alibaba-gpu',
          inputs: ['s3://alibaba-trace/pods/openb-pod-0001'],
          outputPrefix: 's3://alibaba-trace/results/openb-pod-0001/',
          env: {},
          resources: { cpu: 6144, memoryMiB: 12288, gpu: 1 },
          priority: 0,
          attempt: 1,
        },
        durationSeconds: 1000,
        exitCode: 0,
      },
    ]);
  });

  it('picks the algorithm by GPU count', () => {
    const trace = parse(pod({ name: 'cpu', gpus: 0 }), pod({ name: 'one', gpus: 1, gpuMilli: 1000 }), pod({ name: 'two', gpus: 2, gpuMilli: 1000 }), pod({ name: 'eight', gpus: 8, gpuMilli: 1000 }));
    expect(trace.jobs.map((j) => [j.message.jobId, j.message.algorithm, j.message.resources?.gpu])).toEqual([
      ['cpu', 'alibaba-cpu', 0],
      ['one', 'alibaba-gpu', 1],
      ['two', 'alibaba-multi-gpu', 2],
      ['eight', 'alibaba-multi-gpu', 8],
    ]);
    expect(trace.notes[0]).toBe('4 pods read, 4 jobs in the trace: 1 alibaba-cpu, 1 alibaba-gpu, 2 alibaba-multi-gpu');
  });

  it('shifts arrivals so the first is at 0 and sorts by creation time, ties in file order', () => {
    const trace = parse(pod({ name: 'late', created: 1000, scheduled: 1000, deleted: 1100 }), pod({ name: 'early', created: 400, scheduled: 400, deleted: 500 }), pod({ name: 'late2', created: 1000, scheduled: 1001, deleted: 1100 }));
    expect(trace.jobs.map((j) => [j.message.jobId, j.at])).toEqual([
      ['early', 0],
      ['late', 600],
      ['late2', 600],
    ]);
    expect(trace.notes.at(-1)).toBe('arrivals shifted by 400 s so the first job arrives at 0; the last job ends 0.0 days in');
  });

  it('runs a pod from scheduled_time to deletion_time, or from creation_time when it has no scheduled_time', () => {
    const trace = parse(pod({ name: 'queued', created: 0, scheduled: 300, deleted: 400 }), pod({ name: 'unscheduled', phase: 'Failed', created: 0, scheduled: '', deleted: 50 }));
    expect(job(trace, 'queued').durationSeconds).toBe(100);
    expect(job(trace, 'unscheduled').durationSeconds).toBe(50);
    expect(trace.notes).toContain('1 pod without scheduled_time: run time from creation_time');
  });

  it('counts pods scheduled before they were created: they arrive at creation_time and run from scheduled_time', () => {
    const trace = parse(pod({ name: 'odd', created: 500, scheduled: 10, deleted: 900 }), pod({ name: 'fine', created: 500, scheduled: 510, deleted: 900 }));
    expect(job(trace, 'odd').durationSeconds).toBe(890);
    expect(trace.notes).toContain('1 pod scheduled before creation_time: arrival at creation_time, run time from scheduled_time');
    expect(parse(pod({ name: 'fine' })).notes.join('\n')).not.toContain('before creation_time');
  });

  it('skips pods that were never scheduled, and counts them', () => {
    const trace = parse(pod({ name: 'ran' }), pod({ name: 'waiting', phase: 'Pending', scheduled: '', deleted: 900 }), pod({ name: 'waiting-forever', phase: 'Pending', scheduled: '', deleted: '' }));
    expect(trace.jobs.map((j) => j.message.jobId)).toEqual(['ran']);
    expect(trace.notes).toContain('2 pods skipped: never scheduled (phase Pending, no scheduled_time)');
    expect(trace.notes[0]).toBe('3 pods read, 1 job in the trace: 1 alibaba-cpu, 0 alibaba-gpu, 0 alibaba-multi-gpu');
  });

  it('skips pods whose run time is not positive, and counts them', () => {
    const trace = parse(pod({ name: 'ok' }), pod({ name: 'instant', scheduled: 200, deleted: 200 }), pod({ name: 'backwards', scheduled: 300, deleted: 200 }));
    expect(trace.jobs.map((j) => j.message.jobId)).toEqual(['ok']);
    expect(trace.notes).toContain('2 pods skipped: run time under 1 ms');
  });

  it('makes Failed pods exit 1 and every other phase exit 0', () => {
    const trace = parse(pod({ name: 'f', phase: 'Failed' }), pod({ name: 's', phase: 'Succeeded' }), pod({ name: 'r', phase: 'Running' }));
    expect(trace.jobs.map((j) => [j.message.jobId, j.exitCode])).toEqual([
      ['f', 1],
      ['s', 0],
      ['r', 0],
    ]);
    expect(trace.notes).toContain('1 pod Failed: the first attempt exits 1 (the others exit 0)');
  });

  it('keeps the cut-off run time of pods still Running, and says so', () => {
    const trace = parse(pod({ name: 'r', phase: 'Running', created: 0, scheduled: 0, deleted: 12902960 }));
    expect(job(trace, 'r').durationSeconds).toBe(12902960);
    expect(trace.notes).toContain('1 pod still Running when the trace was cut: run time up to the cut (deletion_time)');
  });

  it('gives a pod holding a share of a GPU one whole GPU, and counts them', () => {
    const trace = parse(pod({ name: 'share', gpus: 1, gpuMilli: 460 }), pod({ name: 'whole', gpus: 1, gpuMilli: 1000 }));
    expect(job(trace, 'share').message.resources?.gpu).toBe(1);
    expect(job(trace, 'share').message.algorithm).toBe('alibaba-gpu');
    expect(trace.notes).toContain('1 pod with a share of a GPU (gpu_milli < 1000): a whole GPU each, as ECS assigns whole GPUs to tasks');
  });

  it('converts millicores to ECS cpu units (1024 per vCPU), rounding, with at least 1 cpu unit and 1 MiB', () => {
    const trace = parse(
      pod({ name: 'whole', cpu: 8000 }),
      pod({ name: 'half', cpu: 500 }),
      pod({ name: 'odd', cpu: 2100 }),
      pod({ name: 'tiny', cpu: 0 }),
      pod({ name: 'no-memory', memory: 0 }),
    );
    expect(trace.jobs.map((j) => [j.message.jobId, j.message.resources?.cpu, j.message.resources?.memoryMiB])).toEqual([
      ['whole', 8192, 2048],
      ['half', 512, 2048],
      ['odd', 2150, 2048], // 2150.4
      ['tiny', 1, 2048],
      ['no-memory', 1024, 1],
    ]);
    expect(trace.notes).toContain('1 pod: cpu rounded to whole ECS cpu units (cpu_milli × 1.024 is not whole)');
    expect(trace.notes).toContain('1 pod asking for less than half a cpu unit: 1 unit (a job asks for at least 1)');
    expect(trace.notes).toContain('1 pod asking for 0 MiB of memory: 1 MiB (a job asks for at least 1)');
  });

  it('narrows GPU pods to the instance types of their GPU models, dropping models with no AWS counterpart', () => {
    const gpu = { gpus: 1, gpuMilli: 1000 };
    const trace = parse(
      pod({ ...gpu, name: 't4', spec: 'T4' }),
      pod({ ...gpu, name: 'a10-t4', spec: 'A10|T4' }),
      pod({ ...gpu, name: 'v100', spec: 'V100M16|V100M32|V100M32' }),
      pod({ ...gpu, name: 'mixed', spec: 'G2|P100|T4|V100M16|V100M32' }),
      pod({ ...gpu, name: 'p100', spec: 'P100' }),
      pod({ ...gpu, name: 'v100m32', spec: 'V100M32' }),
      pod({ ...gpu, name: 'g2-g3', spec: 'G2|G3' }),
      pod({ ...gpu, name: 'any', spec: '' }),
      pod({ name: 'cpu-with-spec', gpus: 0, spec: 'T4' }),
    );
    expect(trace.jobs.map((j) => [j.message.jobId, j.message.instanceTypes])).toEqual([
      ['t4', ['g4dn.*']],
      ['a10-t4', ['g5.*', 'g4dn.*']],
      ['v100', ['p3.*']],
      ['mixed', ['g4dn.*', 'p3.*']],
      ['p100', undefined],
      ['v100m32', undefined],
      ['g2-g3', undefined],
      ['any', undefined],
      ['cpu-with-spec', undefined],
    ]);
    expect(trace.notes).toEqual(
      expect.arrayContaining([
        '1 GPU pod naming no GPU model: any GPU type',
        '4 GPU pods narrowed to the instance types of their GPU models (T4 → g4dn.*, A10 → g5.*, V100M16 → p3.*), 2 of them after dropping models with no AWS counterpart',
        '3 GPU pods naming only GPU models with no AWS counterpart: any GPU type',
        'GPU model G2 dropped from the lists of 2 pods: no known AWS counterpart',
        'GPU model G3 dropped from the lists of 1 pod: no known AWS counterpart',
        'GPU model P100 dropped from the lists of 2 pods: no current AWS instance type has a P100',
        'GPU model V100M32 dropped from the lists of 3 pods: its AWS counterpart, p3dn.24xlarge, is not in the built-in catalog',
        '1 CPU pod with a gpu_spec: ignored (no GPU used)',
      ]),
    );
  });

  it('finds the columns by name, ignores extra ones, and reads quoted fields', () => {
    const text = 'qos,extra,name,pod_phase,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,creation_time,deletion_time,scheduled_time\r\nLS,"x, y",p1,Succeeded,2000,4096,1,1000,"A10|T4",10,70,10\r\n';
    const trace = parseAlibabaTrace(text, 'reordered.csv');
    expect(trace.jobs).toHaveLength(1);
    expect(trace.jobs[0]!.message).toMatchObject({ jobId: 'p1', resources: { cpu: 2048, memoryMiB: 4096, gpu: 1 }, instanceTypes: ['g5.*', 'g4dn.*'] });
    expect(trace.jobs[0]!.durationSeconds).toBe(60);
  });

  it('refuses a header that lacks a column, naming it and the expected header', () => {
    expect(problems('name,cpu_milli,memory_mib,num_gpu,gpu_milli,qos,pod_phase,creation_time,deletion_time\np,1,1,0,0,LS,Running,0,1\n')).toEqual([
      'pods.csv: line 1: missing columns "gpu_spec" and "scheduled_time"; expected a header with name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time',
    ]);
    expect(problems('')).toEqual([
      'pods.csv: the file is empty; expected a CSV header (name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time) and one pod per line',
    ]);
  });

  it('names the line and column of every bad value, and what was expected', () => {
    const text = [
      HEADER,
      pod({ name: 'a' }),
      pod({ name: 'b', cpu: 'abc' }),
      pod({ name: 'c', memory: '-5', gpus: '1.5' }),
      pod({ name: 'd', gpuMilli: 1500 }),
      pod({ name: 'e', phase: 'Done' }),
      pod({ name: 'f', created: 'yesterday' }),
      pod({ name: 'g', deleted: '' }),
      'h,1000,2048,0',
      pod({ name: 'bad name' }),
      pod({ name: 'a' }),
    ].join('\n');
    expect(problems(text)).toEqual([
      'pods.csv: line 3, column cpu_milli: expected millicores: a whole number >= 0, got "abc"',
      'pods.csv: line 4, column memory_mib: expected MiB: a whole number >= 0, got "-5"',
      'pods.csv: line 4, column num_gpu: expected a GPU count: a whole number >= 0, got "1.5"',
      'pods.csv: line 5, column gpu_milli: expected thousandths of a GPU: a whole number >= 0 and <= 1000, got "1500"',
      'pods.csv: line 6, column pod_phase: expected "Pending", "Running", "Succeeded" or "Failed", got "Done"',
      'pods.csv: line 7, column creation_time: expected seconds: a number >= 0, got "yesterday"',
      'pods.csv: line 8, column deletion_time: expected seconds: a number >= 0, got ""',
      'pods.csv: line 9: expected 11 comma-separated fields as in the header, got 4',
      'pods.csv: line 10, column name: "bad name" cannot be a job id: jobId: expected a job id of 1 to 128 letters, digits, ".", "_", ":" and "-", got "bad name"',
      'pods.csv: line 11, column name: "a" is already used on line 2; expected distinct pod names (they become job ids)',
    ]);
  });
});
