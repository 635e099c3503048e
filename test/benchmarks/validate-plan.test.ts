import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../benchmarks/validate-plan.ts';
import { GENEROUS_POLICY } from '../../benchmarks/workloads/image-processing-workload.ts';
import type { InstanceType } from '../../src/core/catalog/instance-type.ts';
import type { Plan, PlannerInput } from '../../src/core/planner/plan-types.ts';

const m5: InstanceType = { name: 'm5.xlarge', family: 'm5', vcpu: 4, memoryMiB: 16384, gpu: 0, architecture: 'x86_64', pricePerHour: 0.192, allocatable: { cpu: 4096, memoryMiB: 15636, gpu: 0 } };
const c7g: InstanceType = { name: 'c7g.xlarge', family: 'c7g', vcpu: 4, memoryMiB: 8192, gpu: 0, architecture: 'arm64', pricePerHour: 0.145, allocatable: { cpu: 4096, memoryMiB: 7690, gpu: 0 } };

const job = (id: string, cpu: number, memoryMiB: number, gpu = 0, constraints = {}) => ({ id, demand: { cpu, memoryMiB, gpu }, constraints, priority: 0, enqueuedAt: 0 });

const input: PlannerInput = {
  jobs: [job('a', 2048, 4096), job('b', 2048, 4096), job('c', 1024, 1024, 0, { architecture: 'arm64' }), job('g', 1024, 1024, 1)],
  nodes: [
    { id: 'n1', type: 'm5.xlarge', state: 'registered', free: { cpu: 2048, memoryMiB: 8192, gpu: 0 } },
    { id: 'n2', type: 'm5.xlarge', state: 'launching', free: { cpu: 4096, memoryMiB: 15636, gpu: 0 } },
  ],
  catalog: [m5, c7g],
  policy: GENEROUS_POLICY,
};

const good: Plan = {
  starts: [{ jobId: 'a', nodeId: 'n1' }],
  bindings: [{ jobId: 'b', nodeId: 'n2' }],
  launches: [{ type: 'c7g.xlarge', jobIds: ['c'] }],
  waiting: [{ jobId: 'g', reason: { code: 'no-compatible-type', message: 'no type has a GPU' } }],
  launchHourlyCost: 0.145,
};

describe('validatePlan', () => {
  it('accepts a valid plan', () => {
    expect(validatePlan(input, good, { allowedWaitCodes: ['no-compatible-type'] })).toEqual([]);
  });

  it('finds over-used nodes, wrong states, incompatible types, duplicates, missing jobs and a wrong cost', () => {
    const bad: Plan = {
      starts: [{ jobId: 'a', nodeId: 'n1' }, { jobId: 'b', nodeId: 'n1' }, { jobId: 'c', nodeId: 'n2' }],
      bindings: [],
      launches: [{ type: 'm5.xlarge', jobIds: ['a'] }],
      waiting: [],
      launchHourlyCost: 1,
    };
    const problems = validatePlan(input, bad);
    expect(problems.some((p) => p.startsWith('node n1: jobs need'))).toBe(true);
    expect(problems.some((p) => p.includes('node is launching, expected registered'))).toBe(true);
    expect(problems.some((p) => p.includes('job c may not run on m5.xlarge'))).toBe(true);
    expect(problems.some((p) => p.startsWith('job a is in the plan twice'))).toBe(true);
    expect(problems.some((p) => p.includes('missing from the plan, e.g. g'))).toBe(true);
    expect(problems.some((p) => p.startsWith('launchHourlyCost is 1'))).toBe(true);
  });

  it('rejects a wait code the run does not allow, and a false no-compatible-type', () => {
    const plan: Plan = {
      ...good,
      launches: [],
      waiting: [...good.waiting, { jobId: 'c', reason: { code: 'no-compatible-type', message: 'x' } }],
      launchHourlyCost: 0,
    };
    expect(validatePlan(input, plan)).toEqual(['job c waits with no-compatible-type, yet some catalog type can hold it']);
    const limited: Plan = { ...good, launches: [], waiting: [...good.waiting, { jobId: 'c', reason: { code: 'max-instances', message: 'limit' } }], launchHourlyCost: 0 };
    expect(validatePlan(input, limited, { allowedWaitCodes: ['no-compatible-type'] })).toEqual(['job c waits with max-instances: limit']);
  });
});
