// `loadmaster plan` on the shipped example, with the real planner.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/planner/plan-types.ts';
import { runCli } from './cli-test-helpers.ts';

const ARGS = ['plan', '--config', 'examples/config.yaml', '--state', 'examples/state.json'];

describe('loadmaster plan on the example', () => {
  it('--json accounts for every pending job exactly once', async () => {
    const run = await runCli(...ARGS, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as Plan;
    const placed = [
      ...plan.starts.map((s) => s.jobId),
      ...plan.bindings.map((b) => b.jobId),
      ...plan.launches.flatMap((l) => l.jobIds),
      ...plan.waiting.map((w) => w.jobId),
    ];
    const snapshot = JSON.parse(await readFile('examples/state.json', 'utf8')) as { pending: { jobId: string }[] };
    expect([...placed].sort()).toEqual(snapshot.pending.map((j) => j.jobId).sort());
    // The job asking for 9 GPUs cannot be placed anywhere.
    expect(plan.waiting.find((w) => w.jobId === 'restore-vol-0043-huge')?.reason.code).toBe('no-compatible-type');
  });

  it('prints the table with a summary', async () => {
    const run = await runCli(...ARGS);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Waiting (');
    expect(run.stdout).toContain('restore-vol-0043-huge');
    expect(run.stdout).toMatch(/Summary: 41 pending jobs — /);
  });
});
