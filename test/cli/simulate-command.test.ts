import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicies } from '../../src/cli/commands/simulate.ts';
import { POLICY_NAMES } from '../../src/core/policies/fleet-policy.ts';
import type { SimulateReport } from '../../src/simulation/report/simulate-report.ts';
import { serializeJsonLinesTrace } from '../../src/simulation/traces/json-lines-trace.ts';
import { POLICY_SIM_CONFIG, POLICY_SIM_TRACE } from '../simulation/policy-sim-fixtures.ts';
import { runCli, writeTempFiles } from './cli-test-helpers.ts';

/** A config and a JSON-lines trace (as `loadmaster trace` writes them) in a fresh directory. */
async function traceAndConfig(): Promise<{ trace: string; config: string; dir: string }> {
  const paths = await writeTempFiles({ 'trace.jsonl': serializeJsonLinesTrace(POLICY_SIM_TRACE), 'config.yaml': POLICY_SIM_CONFIG });
  const trace = paths['trace.jsonl']!;
  return { trace, config: paths['config.yaml']!, dir: dirname(trace) };
}

describe('loadmaster simulate', () => {
  it('replays a JSON-lines trace under two policies: a table row each, and report.json and report.html in --report', async () => {
    const { trace, config, dir } = await traceAndConfig();
    const out = join(dir, 'report');
    const run = await runCli('simulate', '--trace', trace, '--config', config, '--policy', 'loadmaster,karpenter', '--report', out);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);

    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`trace ${trace}: ${POLICY_SIM_TRACE.jobs.length} jobs; config ${config}`);
    expect(lines[1]).toMatch(/^lower bounds: clairvoyant \$\d+\.\d\d \(.*whole instances in \d+ stretches.*\), any schedule \$\d+\.\d\d/);
    const jobs = POLICY_SIM_TRACE.jobs.length;
    // Two tables: the comparison, then after a blank line where the money went.
    const splitTitle = lines.indexOf('where the money went (USD):');
    expect(splitTitle).toBeGreaterThan(2);
    expect(lines[splitTitle - 1]).toBe('');
    const rowsOf = (table: readonly string[], policy: string): string[] => table.filter((line) => line.startsWith(`${policy} `));
    const comparison = lines.slice(2, splitTitle - 1);
    const split = lines.slice(splitTitle + 1);
    expect(split[0]).toMatch(/^policy +running tasks +booting +empty +60 s minimum +total$/);
    for (const policy of ['loadmaster', 'karpenter']) {
      expect(rowsOf(comparison, policy)).toHaveLength(1);
      expect(rowsOf(comparison, policy)[0]!.trimEnd()).toMatch(new RegExp(` ${jobs}/${jobs} +[0-9.]+$`));
      expect(rowsOf(split, policy)).toHaveLength(1);
      // Four parts and the total, in USD; the total is the comparison's cost.
      const [, ...usd] = rowsOf(split, policy)[0]!.split(/ {2,}/);
      expect(usd).toHaveLength(5);
      for (const cell of usd) expect(cell).toMatch(/^\d+\.\d\d$/);
      expect(rowsOf(comparison, policy)[0]!.split(/ {2,}/)[1]).toBe(usd[4]);
    }
    for (const other of ['batch-best-fit-progressive', 'ecs-managed-scaling', 'seed-lambda']) expect(run.stdout).not.toContain(other);

    // The trace's `#` header (its source, as serializeJsonLinesTrace writes it) is its one note.
    expect(run.stderr).toContain(`${jobs} jobs from ${trace}; computing lower bounds…\nnote: loadmaster trace: ${POLICY_SIM_TRACE.source}\n`);
    expect(run.stderr).toMatch(/^loadmaster: simulated [\d.]+ h in [\d.]+ s$/m);
    expect(run.stderr).toMatch(/^karpenter: simulated [\d.]+ h in [\d.]+ s$/m);
    expect(run.stderr).toContain(`report written to ${join(out, 'report.html')} and report.json\n`);

    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as SimulateReport;
    expect(report.runs).toHaveLength(2);
    expect(report.runs.map((r) => r.policy)).toEqual(['loadmaster', 'karpenter']);
    for (const r of report.runs) expect([r.completed, r.succeeded]).toEqual([true, jobs]);
    expect(report.trace.jobs).toBe(jobs);
    expect(report.trace.notes).toEqual([`loadmaster trace: ${POLICY_SIM_TRACE.source}`, ...POLICY_SIM_TRACE.notes]);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('karpenter');
    expect((await stat(join(out, 'report.html'))).size).toBeGreaterThan(1000);
  });

  it('an unknown --policy is a usage error with a did-you-mean hint', async () => {
    const { trace, config } = await traceAndConfig();
    const run = await runCli('simulate', '--trace', trace, '--config', config, '--policy', 'loadmaster,karpentr');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--policy: unknown policy "karpentr" (did you mean karpenter?)');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('--policy takes all, names, or all among names; duplicates count once', () => {
    expect(parsePolicies('all')).toEqual([...POLICY_NAMES]);
    expect(parsePolicies('all,loadmaster')).toEqual([...POLICY_NAMES]);
    expect(parsePolicies(' karpenter , loadmaster,karpenter')).toEqual(['karpenter', 'loadmaster']);
    expect(parsePolicies('all,nope')).toMatch(/^--policy: unknown policy "nope"/);
  });

  it('a bad --format is a usage error naming the formats', async () => {
    const { trace, config } = await traceAndConfig();
    const run = await runCli('simulate', '--trace', trace, '--config', config, '--format', 'parquet');
    expect(run).toEqual({ code: 2, stdout: '', stderr: '--format: expected jsonl or alibaba, got "parquet"\n' });
  });

  it('a --report that cannot hold the report is refused before any replay, and nothing is created', async () => {
    const { trace, config, dir } = await traceAndConfig();
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await mkdir(join(dir, 'taken', 'report.json'), { recursive: true });
    for (const [report, problem] of [
      [file, 'it is a file'],
      [join(file, 'below'), `${file}, on its path, is a file`],
      [join(dir, 'taken'), 'report.json there is a directory'],
      ['', 'empty'],
    ] as const) {
      const run = await runCli('simulate', '--trace', trace, '--config', config, '--report', report);
      expect(run).toEqual({ code: 2, stdout: '', stderr: `--report ${JSON.stringify(report)}: ${problem}; expected a directory to write report.json and report.html to (created when missing)\n` });
    }
    // A run refused later (a job the config cannot run) leaves no empty report directory behind.
    const { odd } = await writeTempFiles({ odd: '{"at": 0, "jobId": "odd-1", "algorithm": "nope", "inputs": ["s3://bucket/in/1.tif"], "outputPrefix": "s3://bucket/out/", "durationSeconds": 5}\n' });
    const fresh = join(dir, 'fresh', 'report');
    expect((await runCli('simulate', '--trace', odd!, '--config', config, '--report', fresh)).code).toBe(2);
    await expect(stat(join(dir, 'fresh'))).rejects.toThrow(/ENOENT/);
  });

  it('a missing trace file is a usage error with a one-line reason', async () => {
    const { config, dir } = await traceAndConfig();
    const missing = join(dir, 'no-such-trace.jsonl');
    const run = await runCli('simulate', '--trace', missing, '--config', config);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${missing}: cannot read: no such file\n` });
  });

  it('a trace line with a job the config cannot run is reported with the job, exit 2', async () => {
    const { config } = await traceAndConfig();
    const { trace } = await writeTempFiles({
      trace: '{"at": 0, "jobId": "odd-1", "algorithm": "nope", "inputs": ["s3://bucket/in/1.tif"], "outputPrefix": "s3://bucket/out/", "durationSeconds": 5}\n',
    });
    const run = await runCli('simulate', '--trace', trace!, '--config', config);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    // After the progress line, one line: the trace, the job, the config and what is wrong.
    const [progress, problem, ...rest] = run.stderr.trimEnd().split('\n');
    expect(progress).toBe(`1 job from ${trace}; computing lower bounds…`);
    expect(rest).toEqual([]);
    expect(problem!.startsWith(`${trace}: job odd-1: cannot run under ${config}: `)).toBe(true);
    expect(problem).toContain('"nope"');
  });
});
