import { describe, expect, it } from 'vitest';
import { runCli, runCliWithStdin, writeTempFiles } from './cli-test-helpers.ts';
import { deadUrl, startDaemon } from './daemon-test-helpers.ts';

const seg1 = { version: 1, jobId: 'seg-1', algorithm: 'segment-cells', inputs: ['s3://b/1.tif'], outputPrefix: 's3://b/out/1/', env: { MODEL: 'm' } };
const seg2 = { ...seg1, jobId: 'seg-2' };

describe('loadmaster submit', () => {
  it('sends one message object and prints the accepted job id', async () => {
    const { url, api } = await startDaemon();
    const { job } = await writeTempFiles({ job: JSON.stringify(seg1) });
    const run = await runCli('submit', job!, '--url', url);
    expect(run).toEqual({ code: 0, stdout: 'accepted 1 job: seg-1\n', stderr: '' });
    expect(api.submissions).toEqual([[seg1]]);
  });

  it('sends an array as one request', async () => {
    const { url, api } = await startDaemon();
    const { jobs } = await writeTempFiles({ jobs: JSON.stringify([seg1, seg2], null, 2) });
    const run = await runCli('submit', jobs!, '--url', url);
    expect(run).toEqual({ code: 0, stdout: 'accepted 2 jobs: seg-1, seg-2\n', stderr: '' });
    expect(api.submissions).toEqual([[seg1, seg2]]);
  });

  it('reads JSON lines from standard input with -', async () => {
    const { url, api } = await startDaemon();
    const run = await runCliWithStdin(`${JSON.stringify(seg1)}\n\n${JSON.stringify(seg2)}\n`, 'submit', '-', '--url', url);
    expect(run).toEqual({ code: 0, stdout: 'accepted 2 jobs: seg-1, seg-2\n', stderr: '' });
    expect(api.submissions).toEqual([[seg1, seg2]]);
  });

  it('counts instead of listing when many are accepted', async () => {
    const { url } = await startDaemon();
    const many = Array.from({ length: 25 }, (_, index) => ({ ...seg1, jobId: `seg-${index}` }));
    const run = await runCliWithStdin(JSON.stringify(many), 'submit', '-', '--url', url);
    expect(run.stdout).toBe('accepted 25 jobs\n');
  });

  it('names each rejected message by its place in the file and exits 2', async () => {
    const { url } = await startDaemon();
    const { jobs, lines } = await writeTempFiles({
      jobs: JSON.stringify([seg1, { algorithm: 'x' }, seg2]),
      lines: `${JSON.stringify(seg1)}\n${JSON.stringify({ algorithm: 'x' })}\n`,
    });
    const fromArray = await runCli('submit', jobs!, '--url', url);
    expect(fromArray).toEqual({
      code: 2,
      stdout: 'accepted 2 of 3 jobs: seg-1, seg-2\n',
      stderr: `${jobs}: [1]: rejected: jobId: missing: expected a non-empty string\n`,
    });
    const fromLines = await runCli('submit', lines!, '--url', url);
    expect(fromLines.stderr).toBe(`${lines}: line 2: rejected: jobId: missing: expected a non-empty string\n`);
    expect(fromLines.stdout).toBe('accepted 1 of 2 jobs: seg-1\n');
  });

  it('refuses input that is not JSON before sending anything', async () => {
    const { url, api } = await startDaemon();
    const { broken, badLine } = await writeTempFiles({ broken: '{"jobId": "seg-1",', badLine: `${JSON.stringify(seg1)}\n{"jobId": \n` });
    const run = await runCli('submit', broken!, '--url', url);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${broken}: not valid JSON \\(.+\\); expected one job message \\(a JSON object\\), a JSON array of them, or one message per line \\(JSON lines\\)\\n$`));
    expect((await runCli('submit', badLine!, '--url', url)).stderr).toMatch(new RegExp(`^${badLine}: line 2: not valid JSON`));
    expect(api.submissions).toEqual([]);
  });

  it('reports a missing file, an empty input and a bad --url in one line each', async () => {
    const { url } = await startDaemon();
    expect(await runCli('submit', 'no/such.json', '--url', url)).toEqual({ code: 2, stdout: '', stderr: 'no/such.json: cannot read: no such file\n' });
    expect((await runCliWithStdin('  \n', 'submit', '-', '--url', url)).stderr).toBe('stdin: no job messages (the input is empty); expected one job message (a JSON object), a JSON array of them, or one message per line (JSON lines)\n');
    expect(await runCli('submit', 'x.json', '--url', 'localhost:9464')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'loadmaster: --url: expected an http:// or https:// URL such as http://127.0.0.1:9464, got "localhost:9464"\n',
    });
  });

  it('says when no daemon answers, and exits 2', async () => {
    const url = await deadUrl();
    const { job } = await writeTempFiles({ job: JSON.stringify(seg1) });
    const run = await runCli('submit', job!, '--url', url);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `loadmaster: cannot reach loadmaster at ${url} (connection refused); expected a running daemon there (is it started? pass --url to reach another)\n`,
    });
  });

  it('refuses a batch larger than the daemon takes before sending it, and the daemon answers nesting too deep with 400', async () => {
    const { url, api } = await startDaemon();
    const big = Array.from({ length: 40_000 }, (_, i) => ({ ...seg1, jobId: `seg-${i}`, env: { MODEL: 'm'.repeat(200) } }));
    const { jobs } = await writeTempFiles({ jobs: JSON.stringify(big) });
    const run = await runCli('submit', jobs!, '--url', url);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^loadmaster: the jobs are \d+\.\d MiB as one request; expected at most 10 MiB \(split the file and submit the parts\)\n$/);
    expect(api.submissions).toEqual([]);

    api.submit = async () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    const { job } = await writeTempFiles({ job: JSON.stringify(seg1) });
    const deep = await runCli('submit', job!, '--url', url);
    expect(deep.code).toBe(2);
    expect(deep.stderr).toContain('the body is nested too deeply (Maximum call stack size exceeded)');
  });

  it('exits 1 with the reason when the daemon fails', async () => {
    const { url, api } = await startDaemon();
    api.submit = async () => {
      throw new Error('queue unavailable');
    };
    const { job } = await writeTempFiles({ job: JSON.stringify(seg1) });
    const run = await runCli('submit', job!, '--url', url);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `loadmaster: POST ${url}/v1/jobs failed with 500: internal error: queue unavailable\n` });
  });
});
