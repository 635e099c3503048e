// Small, hand-checkable inputs for the peer policies' tests: types whose allocatable is
// exactly their size, so "fits" can be checked by eye.
import type { Architecture, InstanceType } from '../../../src/core/catalog/instance-type.ts';
import type { FleetNode, JobConstraints, NodeState, PendingJob, PlacementPolicy, Plan } from '../../../src/core/planner/plan-types.ts';

export const GiB = 1024;
export const VCPU = 1024;

export function instanceType(name: string, vcpu: number, memoryGiB: number, pricePerHour: number, extra: { gpu?: number; gpuModel?: string; architecture?: Architecture } = {}): InstanceType {
  const gpu = extra.gpu ?? 0;
  return {
    name,
    family: name.slice(0, name.indexOf('.')),
    vcpu,
    memoryMiB: memoryGiB * GiB,
    gpu,
    ...(extra.gpuModel === undefined ? {} : { gpuModel: extra.gpuModel }),
    architecture: extra.architecture ?? 'x86_64',
    pricePerHour,
    allocatable: { cpu: vcpu * VCPU, memoryMiB: memoryGiB * GiB, gpu },
  };
}

export interface JobOptions {
  readonly gpu?: number;
  readonly constraints?: JobConstraints;
  readonly priority?: number;
  readonly enqueuedAt?: number;
  readonly algorithm?: string;
}

export function job(id: string, vcpu: number, memoryGiB: number, options: JobOptions = {}): PendingJob {
  return {
    id,
    demand: { cpu: vcpu * VCPU, memoryMiB: memoryGiB * GiB, gpu: options.gpu ?? 0 },
    constraints: options.constraints ?? {},
    priority: options.priority ?? 0,
    enqueuedAt: options.enqueuedAt ?? 0,
    ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
  };
}

export function node(id: string, type: string, state: NodeState, freeVcpu: number, freeMemoryGiB: number, freeGpu = 0): FleetNode {
  return { id, type, state, free: { cpu: freeVcpu * VCPU, memoryMiB: freeMemoryGiB * GiB, gpu: freeGpu } };
}

export const GENEROUS: PlacementPolicy = { maxInstances: 1000, maxHourlyCost: 1e6, typeLimits: {}, instancePenaltyPerHour: 0 };

/** Where each job went, as one short string per job: "start:i-1", "bind:i-2", "launch:0:c.xlarge", "wait:max-instances". */
export function placements(plan: Plan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of plan.starts) out[s.jobId] = `start:${s.nodeId}`;
  for (const b of plan.bindings) out[b.jobId] = `bind:${b.nodeId}`;
  plan.launches.forEach((l, i) => l.jobIds.forEach((id) => (out[id] = `launch:${i}:${l.type}`)));
  for (const w of plan.waiting) out[w.jobId] = `wait:${w.reason.code}`;
  return out;
}
