import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load-config.ts';
import { parseJsonLinesTrace } from '../../src/simulation/traces/json-lines-trace.ts';
import { generateImageProcessingTrace } from '../../src/simulation/traces/synthetic-image-processing.ts';
import { runCli, writeTempFiles } from './cli-test-helpers.ts';

const HEADER = 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time';
const PODS = [
  HEADER,
  'pod-a,6000,12288,1,460,T4,LS,Running,100,5100,100',
  'pod-b,2000,4096,0,0,,BE,Failed,40,100,50',
  'pod-c,4000,8192,1,1000,,LS,Pending,60,900,',
].join('\n');

const SMALL_CONFIG = `
catalog: { include: ["m7i.*"] }
algorithms:
  resize: { image: r, resources: { cpu: 512, memoryMiB: 1024 } }
cloud: { sim: { durationSeconds: { resize: 30 } } }
`;

describe('loadmaster trace synth', () => {
  it('writes the synthetic day as JSON lines on stdout and its notes on stderr', async () => {
    const run = await runCli('trace', 'synth', '--seed', '3', '--uploads', '2');
    expect(run.code).toBe(0);
    const expected = generateImageProcessingTrace({ config: await loadConfigFile('examples/config.yaml'), seed: 3, uploads: 2 });
    expect(run.stdout.split('\n')[0]).toBe(`# loadmaster trace: ${expected.source}`);
    expect(parseJsonLinesTrace(run.stdout, 'stdout').jobs).toEqual(expected.jobs);
    expect(run.stderr).toBe(expected.notes.map((note) => `note: ${note}\n`).join(''));
  });

  it('uses the algorithms and durations of --config, and writes to --out', async () => {
    const { config } = await writeTempFiles({ config: SMALL_CONFIG });
    const out = join(config!, '..', 'day.jsonl');
    const run = await runCli('trace', 'synth', '--config', config!, '--uploads', '1', '--out', out);
    expect(run.code).toBe(0);
    const trace = parseJsonLinesTrace(await readFile(out, 'utf8'), out);
    expect(run.stdout).toBe(`${out}: ${trace.jobs.length} jobs from synthetic image-processing day (seed 1, 1 upload within 8 h, 20 to 200 images per plate)\n`);
    expect(trace.jobs.length).toBeGreaterThanOrEqual(20);
    for (const job of trace.jobs) {
      expect(job.message.algorithm).toBe('resize');
      expect(job.durationSeconds).toBeGreaterThanOrEqual(27);
      expect(job.durationSeconds).toBeLessThanOrEqual(33);
    }
  });

  it('refuses bad flags and a bad config with exit code 2', async () => {
    expect(await runCli('trace', 'synth', '--seed', 'abc', '--uploads', '0')).toEqual({
      code: 2,
      stdout: '',
      stderr: '--seed: expected a whole number, got "abc"\n--uploads: expected a whole number >= 1 and <= 2000, got "0"\n',
    });
    const { bad } = await writeTempFiles({ bad: 'algorithms: {}\npolicy: { maxInstances: -1 }\n' });
    const run = await runCli('trace', 'synth', '--config', bad!);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${bad}: policy.maxInstances: expected an integer >= 0, got -1 (line 2)`);
    expect(await runCli('trace', 'synth', '--out', '/no/such/dir/day.jsonl', '--uploads', '1')).toMatchObject({
      code: 2,
      stdout: '',
      stderr: '--out "/no/such/dir/day.jsonl": cannot write: no such directory\n',
    });
  });
});

describe('loadmaster trace convert', () => {
  it('writes an Alibaba pod list as JSON lines on stdout, with the mapping notes on stderr', async () => {
    const { pods } = await writeTempFiles({ pods: PODS });
    const run = await runCli('trace', 'convert', '--alibaba', pods!);
    expect(run.code).toBe(0);
    const trace = parseJsonLinesTrace(run.stdout, 'stdout');
    expect(trace.jobs.map((j) => [j.at, j.message.jobId, j.message.algorithm, j.message.resources, j.message.instanceTypes, j.durationSeconds, j.exitCode])).toEqual([
      [0, 'pod-b', 'alibaba-cpu', { cpu: 2048, memoryMiB: 4096, gpu: 0 }, undefined, 50, 1],
      [60, 'pod-a', 'alibaba-gpu', { cpu: 6144, memoryMiB: 12288, gpu: 1 }, ['g4dn.*'], 5000, 0],
    ]);
    expect(run.stdout.split('\n')[0]).toBe(`# loadmaster trace: ${pods}`);
    expect(run.stderr).toContain('note: 3 pods read, 2 jobs in the trace: 1 alibaba-cpu, 1 alibaba-gpu, 0 alibaba-multi-gpu\n');
    expect(run.stderr).toContain('note: 1 pod skipped: never scheduled (phase Pending, no scheduled_time)\n');
  });

  it('writes to --out and says how many jobs', async () => {
    const { pods } = await writeTempFiles({ pods: PODS });
    const out = join(pods!, '..', 'alibaba.jsonl');
    const run = await runCli('trace', 'convert', '--alibaba', pods!, '--out', out);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${out}: 2 jobs from ${pods}\n`);
    expect(parseJsonLinesTrace(await readFile(out, 'utf8'), out).jobs).toHaveLength(2);
  });

  it('names the line and column of a bad value, with exit code 2 and no stack trace', async () => {
    const { pods } = await writeTempFiles({ pods: `${HEADER}\npod-a,lots,12288,1,460,T4,LS,Running,100,5100,100\n` });
    expect(await runCli('trace', 'convert', '--alibaba', pods!)).toEqual({
      code: 2,
      stdout: '',
      stderr: `${pods}: line 2, column cpu_milli: expected millicores: a whole number >= 0, got "lots"\n`,
    });
  });

  it('refuses to write over its input, and a pod list with no pod that ran, with exit code 2', async () => {
    const { pods } = await writeTempFiles({ pods: PODS });
    expect(await runCli('trace', 'convert', '--alibaba', pods!, '--out', join(pods!, '..', '.', 'pods'))).toEqual({
      code: 2,
      stdout: '',
      stderr: `--out "${join(pods!, '..', '.', 'pods')}": is the input file; expected another file for the trace\n`,
    });
    expect(await readFile(pods!, 'utf8')).toBe(PODS);
    const { empty, pending } = await writeTempFiles({ empty: `${HEADER}\n`, pending: `${HEADER}\npod-c,4000,8192,1,1000,,LS,Pending,60,900,\n` });
    expect(await runCli('trace', 'convert', '--alibaba', empty!)).toEqual({ code: 2, stdout: '', stderr: `${empty}: no jobs: the file has no pods; expected at least one pod that ran\n` });
    expect((await runCli('trace', 'convert', '--alibaba', pending!)).stderr).toBe(
      `${pending}: no jobs: its one pod was skipped (never scheduled, or a run time under 1 ms); expected at least one pod that ran\n`,
    );
  });

  it('refuses a pod that ends more than 2 years after the first arrival, naming its line', async () => {
    const { pods } = await writeTempFiles({ pods: `${HEADER}\npod-a,6000,12288,1,460,T4,LS,Running,100,99999999999,100\n` });
    const run = await runCli('trace', 'convert', '--alibaba', pods!);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${pods}: line 2: the job ends 99,999,999,899 s after the trace start; expected a trace of at most 2 years`));
  });

  it('reports a missing file and a missing --alibaba with exit code 2', async () => {
    expect(await runCli('trace', 'convert', '--alibaba', 'no/such.csv')).toEqual({ code: 2, stdout: '', stderr: 'no/such.csv: cannot read: no such file\n' });
    const run = await runCli('trace', 'convert');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--alibaba <csv>' not specified");
  });
});
