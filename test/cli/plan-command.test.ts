// The plan command's wiring, with the planner replaced by a stub so these tests do not
// depend on how the planner packs (plan-example.test.ts runs the real one).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { planFleet } from '../../src/core/planner/planner.ts';
import { runCli, writeTempFiles } from './cli-test-helpers.ts';
import { PLAN } from './plan-fixtures.ts';

vi.mock('../../src/core/planner/planner.ts', () => ({ planFleet: vi.fn() }));

const CONFIG = 'examples/config.yaml';
const STATE = 'examples/state.json';

describe('loadmaster plan (stubbed planner)', () => {
  beforeEach(() => {
    vi.mocked(planFleet).mockReset();
    vi.mocked(planFleet).mockReturnValue(PLAN);
  });

  it('hands the planner the converted snapshot and prints the table', async () => {
    const run = await runCli('plan', '--config', CONFIG, '--state', STATE);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Start now (2 jobs on 1 node)');
    expect(run.stdout).toMatch(/Summary: 13 pending jobs/);
    const input = vi.mocked(planFleet).mock.calls[0]![0];
    expect(input.jobs.length).toBeGreaterThanOrEqual(35);
    expect(input.nodes.length).toBeGreaterThan(0);
    expect(input.policy.maxInstances).toBe(40);
  });

  it('--json prints the plan as JSON', async () => {
    const run = await runCli('plan', '--config', CONFIG, '--state', STATE, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(PLAN);
  });

  it("a bad snapshot is the user's error: exit 2, every issue on stderr, nothing planned", async () => {
    const { state } = await writeTempFiles({
      state: JSON.stringify({ pending: [{ jobId: 'a', algorithm: 'nope', enqueuedAt: '2026-11-25T10:00:00Z' }], nodes: [{ id: 'i-1', type: 'c7g.large', state: 'up' }] }),
    });
    const run = await runCli('plan', '--config', CONFIG, '--state', state!);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${state}: nodes[0].state: expected "registered", "launching" or "draining", got "up" (line 1)\n`);
    expect(planFleet).not.toHaveBeenCalled();
  });

  it('a bad config stops before the snapshot is read', async () => {
    const { config } = await writeTempFiles({ config: 'algorithms: {}\n' });
    const run = await runCli('plan', '--config', config!, '--state', 'missing.json');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${config}: algorithms: expected at least one algorithm, got none (line 1)\n`);
  });

  it('a missing snapshot file is reported, not thrown', async () => {
    const run = await runCli('plan', '--config', CONFIG, '--state', 'missing.json');
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'missing.json: cannot read: no such file\n' });
  });

  it('both --config and --state are required', async () => {
    const run = await runCli('plan', '--config', CONFIG);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--state <file>' not specified");
  });

  it('a planner failure is an internal error: exit 1, one line, no stack', async () => {
    vi.mocked(planFleet).mockImplementation(() => {
      throw new Error('invariant broken');
    });
    const run = await runCli('plan', '--config', CONFIG, '--state', STATE);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'loadmaster: internal error: invariant broken\n' });
  });
});
