import { describe, expect, it } from 'vitest';
import type { ControllerView } from '../../src/controller/controller-view.ts';
import { fakeControllerApi, SAMPLE_VIEW } from '../server/fake-controller-api.ts';
import { runCli } from './cli-test-helpers.ts';
import { deadUrl, startDaemon } from './daemon-test-helpers.ts';

describe('loadmaster status', () => {
  it('renders pending reasons grouped, nodes, running jobs, the last 10 decisions and the cost', async () => {
    const { url } = await startDaemon();
    const run = await runCli('status', '--url', url);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        `loadmaster at ${url}: ready, 10:05:00 UTC`,
        'Hourly cost: $1.2706/h for 3 nodes; spent so far $3.50',
        '',
        'Pending jobs (5)',
        '  JOBS  LONGEST WAIT  REASON',
        '     2  1m35s         [max-hourly-cost] launching a g5.xlarge would exceed policy.maxHourlyCost ($60/h) (seg-2, seg-1)',
        '     1  12s           bound to i-0b, waiting for it to start the job (nuc-1)',
        '     1  1s            [batching] collecting jobs for one launch (thumb-1)',
        '     1  0s            not planned yet (thumb-2)',
        '',
        'Nodes (3; allocation in % of allocatable)',
        '  ID    TYPE         STATE       CPU  MEMORY   GPU  TASKS  BOUND   IDLE      PRICE',
        '  i-0a  c7g.2xlarge  registered  75%     79%     -      3      0      -   $0.289/h',
        '  i-0c  m7g.large    registered   0%      0%     -      0      0  2m05s  $0.0816/h',
        '  i-0b  g5.xlarge    launching   75%     79%  100%      0      1      -    $0.90/h',
        '',
        'Running jobs: 3 (segment-cells 2, extract-features 1)',
        '',
        'Recent decisions (last 10 of 12)',
        '  TIME      KIND    MESSAGE',
        ...Array.from({ length: 10 }, (_, index) => `  10:04:${String(50 + index)}  ${index % 2 === 0 ? 'start ' : 'launch'}  decision ${index + 3}`),
        '',
      ].join('\n'),
    );
  });

  it('names a few jobs per reason and counts the rest', async () => {
    const reason = { code: 'type-limit' as const, message: 'policy.typeLimits["g5.*"] is reached' };
    const pending = Array.from({ length: 5 }, (_, index) => ({ jobId: `nuc-${index}`, algorithm: 'detect-nuclei', priority: 0, attempt: 1, waitingSeconds: index * 10, reason }));
    const { url } = await startDaemon(fakeControllerApi({ ...SAMPLE_VIEW, pending }));
    const run = await runCli('status', '--url', url);
    expect(run.stdout).toContain('     5  40s           [type-limit] policy.typeLimits["g5.*"] is reached (nuc-4, nuc-3, nuc-2 and 2 more)\n');
  });

  it('says "none" for empty sections and shows readiness', async () => {
    const empty: ControllerView = { now: Date.parse('2026-11-25T10:00:00Z'), ready: false, pending: [], nodes: [], running: [], recentDecisions: [], hourlyCost: 0, runTimes: {} };
    const { url } = await startDaemon(fakeControllerApi(empty));
    const run = await runCli('status', '--url', url);
    expect(run.stdout).toBe(
      [
        `loadmaster at ${url}: not ready (first sync with the cloud not done), 10:00:00 UTC`,
        'Hourly cost: $0.00/h for 0 nodes',
        '',
        'Pending jobs: none',
        '',
        'Nodes: none',
        '',
        'Running jobs: none',
        '',
        'Recent decisions: none',
        '',
      ].join('\n'),
    );
  });

  it('prints the state as JSON with --json', async () => {
    const { url } = await startDaemon();
    const run = await runCli('status', '--url', url, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(SAMPLE_VIEW);
  });

  it('says when no daemon answers, and exits 2', async () => {
    const url = await deadUrl();
    const run = await runCli('status', '--url', url);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`loadmaster: cannot reach loadmaster at ${url} (connection refused); expected a running daemon there (is it started? pass --url to reach another)\n`);
  });

  it('says when the URL is not a loadmaster daemon', async () => {
    const { url } = await startDaemon();
    const run = await runCli('status', '--url', `${url}/metrics`);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`loadmaster: GET /v1/state at ${url}/metrics answered 404 with no controller state; expected a loadmaster daemon there\n`);
  });

  it('lists submit and status in the help', async () => {
    const run = await runCli('--help');
    expect(run.stdout).toMatch(/submit \[options\] <file>/);
    expect(run.stdout).toMatch(/status \[options\]/);
  });
});
