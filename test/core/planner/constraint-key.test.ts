import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERHEAD } from '../../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../../src/core/catalog/build-catalog.ts';
import { groupBoundJobs } from '../../../src/core/bounds/job-groups.ts';
import { constraintKey } from '../../../src/core/planner/constraint-key.ts';
import { buildJobClasses } from '../../../src/core/planner/job-classes.ts';
import type { JobConstraints, PendingJob } from '../../../src/core/planner/plan-types.ts';

const catalog = buildCatalog({ overhead: DEFAULT_OVERHEAD, include: ['c7g.*', 'm7i.*', 'g5.*', 'g6.*'] });
const demand = { cpu: 1024, memoryMiB: 2048, gpu: 0 };
const job = (id: string, constraints: JobConstraints, enqueuedAt = 0): PendingJob => ({ id, demand, constraints, priority: 0, enqueuedAt });

describe('constraintKey', () => {
  it('ignores the order of instance types and GPU models: they are sets', () => {
    expect(constraintKey({ instanceTypes: ['m7i.*', 'c7g.*'], gpuModels: ['L4', 'A10G'] })).toBe(constraintKey({ instanceTypes: ['c7g.*', 'm7i.*'], gpuModels: ['A10G', 'L4'] }));
  });

  it('does not sort the caller’s arrays in place', () => {
    const instanceTypes = ['m7i.*', 'c7g.*'];
    constraintKey({ instanceTypes });
    expect(instanceTypes).toEqual(['m7i.*', 'c7g.*']);
  });

  it('tells apart absent, empty and different constraints', () => {
    const keys = [
      {},
      { instanceTypes: [] },
      { gpuModels: [] },
      { instanceTypes: ['c7g.*'] },
      { gpuModels: ['c7g.*'] },
      { architecture: 'arm64' },
      { architecture: 'x86_64' },
      { instanceTypes: ['c7g.*', 'm7i.*'] },
    ].map((c) => constraintKey(c as JobConstraints));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('puts jobs whose lists differ only in order in one planner class and one bound group', () => {
    const jobs = [job('a', { instanceTypes: ['m7i.*', 'c7g.*'] }, 1), job('b', { instanceTypes: ['c7g.*', 'm7i.*'] }, 0), job('c', { instanceTypes: ['c7g.*'] }, 2)];
    const classes = buildJobClasses(jobs, catalog);
    expect(classes.map((c) => c.jobs.map((j) => j.id)).sort()).toEqual([['b', 'a'], ['c']].sort());
    const { groups, groupOf } = groupBoundJobs(jobs, catalog);
    expect(groups.map((g) => g.count)).toEqual([2, 1]);
    expect([...groupOf]).toEqual([0, 0, 1]);
  });
});
