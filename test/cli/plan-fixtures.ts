import type { InstanceType } from '../../src/core/catalog/instance-type.ts';
import type { FleetNode, Plan } from '../../src/core/planner/plan-types.ts';

const type = (name: string, pricePerHour: number): InstanceType => ({
  name,
  family: name.split('.')[0]!,
  vcpu: 4,
  memoryMiB: 16384,
  gpu: 0,
  architecture: 'arm64',
  pricePerHour,
  allocatable: { cpu: 4096, memoryMiB: 15000, gpu: 0 },
});

export const CATALOG: InstanceType[] = [type('c7g.xlarge', 0.145), type('m7g.2xlarge', 0.3264), type('g5.xlarge', 0.9)];

export const NODES: FleetNode[] = [
  { id: 'i-aaa', type: 'c7g.xlarge', state: 'registered', free: { cpu: 2048, memoryMiB: 4000, gpu: 0 } },
  { id: 'i-bbb', type: 'g5.xlarge', state: 'launching', free: { cpu: 4096, memoryMiB: 15000, gpu: 1 } },
];

const tooBig = { code: 'no-compatible-type', message: 'No instance type in the catalog has 9 GPUs.' } as const;
const quota = { code: 'max-instances', message: 'Launching more would exceed policy.maxInstances (40).' } as const;

/** A plan with every section filled: 2 starts, 1 binding, 3 launches of 2 types (5 jobs), 5 waiting. */
export const PLAN: Plan = {
  starts: [
    { jobId: 'seg-1', nodeId: 'i-aaa' },
    { jobId: 'seg-2-long-name', nodeId: 'i-aaa' },
  ],
  bindings: [{ jobId: 'nuc-1', nodeId: 'i-bbb' }],
  launches: [
    { type: 'm7g.2xlarge', jobIds: ['seg-3', 'seg-4', 'seg-5'] },
    { type: 'c7g.xlarge', jobIds: ['thumb-1'] },
    { type: 'm7g.2xlarge', jobIds: ['seg-6'] },
  ],
  waiting: [
    { jobId: 'huge-1', reason: tooBig },
    { jobId: 'feat-1', reason: quota },
    { jobId: 'feat-2', reason: quota },
    { jobId: 'feat-3', reason: quota },
    { jobId: 'feat-4', reason: quota },
  ],
  launchHourlyCost: 0.7978,
};
