import type { Architecture, InstanceType } from '../../../src/core/catalog/instance-type.ts';
import type { JobConstraints } from '../../../src/core/planner/plan-types.ts';
import type { ArrivingJob } from '../../../src/core/bounds/clairvoyant-lower-bound.ts';
import type { BoundJob } from '../../../src/core/bounds/job-groups.ts';

/** A catalog entry whose allocatable resources are given directly (no overhead). */
export function type(name: string, cpu: number, memoryMiB: number, price: number, extra: { gpu?: number; gpuModel?: string; architecture?: Architecture } = {}): InstanceType {
  const gpu = extra.gpu ?? 0;
  return {
    name,
    family: name.split('.')[0]!,
    vcpu: cpu / 1024,
    memoryMiB,
    gpu,
    ...(extra.gpuModel === undefined ? {} : { gpuModel: extra.gpuModel }),
    architecture: extra.architecture ?? 'x86_64',
    pricePerHour: price,
    allocatable: { cpu, memoryMiB, gpu },
  };
}

let nextId = 0;

/** `count` identical jobs. */
export function jobs(count: number, cpu: number, memoryMiB: number, gpu = 0, constraints: JobConstraints = {}): BoundJob[] {
  return Array.from({ length: count }, () => ({ id: `j${nextId++}`, demand: { cpu, memoryMiB, gpu }, constraints }));
}

/** One job that arrives at `arrivalSeconds` and runs `durationSeconds`. */
export function arriving(arrivalSeconds: number, durationSeconds: number, cpu: number, memoryMiB: number, constraints: JobConstraints = {}): ArrivingJob {
  return { id: `j${nextId++}`, demand: { cpu, memoryMiB, gpu: 0 }, constraints, arrivalSeconds, durationSeconds };
}
