import { describe, expect, it } from 'vitest';
import type { TimedJob } from '../../../src/core/bounds/job-groups.ts';
import { resourceTimeLowerBound } from '../../../src/core/bounds/resource-time-lower-bound.ts';
import { jobs as untimed, type } from './bound-fixtures.ts';

function jobs(count: number, cpu: number, memoryMiB: number, durationSeconds: number): TimedJob[] {
  return untimed(count, cpu, memoryMiB).map((job) => ({ ...job, durationSeconds }));
}

describe('resourceTimeLowerBound', () => {
  it('one type: resource-time over capacity, priced per second', async () => {
    // 4 jobs × 1 vCPU × 100 s = 400 vCPU·s on a 4 vCPU type: 100 instance-seconds at 0.36 USD/h = 0.01 USD.
    const b = await resourceTimeLowerBound(jobs(4, 1024, 1024, 100), [type('m.xlarge', 4096, 8192, 0.36)]);
    expect(b.lp).toBeCloseTo(0.01, 12);
    expect(b.lpCuts).toBeCloseTo(0.01, 12);
    expect(b.perDimension).toBeCloseTo(0.01, 12);
    expect(b.boundedJobs).toBe(4);
    expect(b.jobSeconds).toBe(400);
  });

  it('weights each group by its job-seconds, not its job count', async () => {
    // cpu-heavy jobs fill a compute instance four at a time: 4 × 900 s = 900 c-seconds (0.25 USD);
    // memory-heavy jobs fill a memory instance four at a time: 4 × 1800 s = 1800 r-seconds (0.5 USD).
    // Either on the other type needs four times as much. Total 0.75 USD.
    const catalog = [type('c.xlarge', 4096, 2048, 1), type('r.xlarge', 1024, 8192, 1)];
    const b = await resourceTimeLowerBound([...jobs(4, 1024, 512, 900), ...jobs(4, 256, 2048, 1800)], catalog);
    expect(b.lp).toBeCloseTo(0.75, 9);
    expect(b.jobSeconds).toBe(10800);
    // Twice as long, twice the bound.
    const longer = await resourceTimeLowerBound([...jobs(4, 1024, 512, 1800), ...jobs(4, 256, 2048, 3600)], catalog);
    expect(longer.lp).toBeCloseTo(1.5, 9);
  });

  it('with cuts: an instance holds a whole number of jobs at every instant', async () => {
    // 3 jobs × 3 vCPU for an hour on 4 vCPU at 1 USD/h: fractionally 2.25 instance-hours; one job per instance, so 3.
    const b = await resourceTimeLowerBound(jobs(3, 3072, 1024, 3600), [type('m.xlarge', 4096, 8192, 1)]);
    expect(b.lp).toBeCloseTo(2.25, 9);
    expect(b.lpCuts).toBeCloseTo(3, 9);
  });

  it('leaves out jobs no type can hold, and costs nothing for no work', async () => {
    const catalog = [type('m.xlarge', 4096, 8192, 1)];
    const tooBig = jobs(1, 8192, 1024, 60);
    const b = await resourceTimeLowerBound([...tooBig, ...jobs(2, 1024, 1024, 0)], catalog);
    expect(b.unplaceable).toEqual([tooBig[0]!.id]);
    expect(b.boundedJobs).toBe(2);
    expect(b.lp).toBe(0);
    expect((await resourceTimeLowerBound([], catalog)).lpCuts).toBe(0);
  });

  it('refuses a negative or unknown duration', async () => {
    await expect(resourceTimeLowerBound(jobs(1, 1024, 1024, -1), [type('m.xlarge', 4096, 8192, 1)])).rejects.toThrow(/expected a duration >= 0/);
    await expect(resourceTimeLowerBound(jobs(1, 1024, 1024, NaN), [type('m.xlarge', 4096, 8192, 1)])).rejects.toThrow(/expected a duration >= 0/);
  });
});
