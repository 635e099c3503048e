import { resources, type Resources } from '../resources.ts';
import type { InstanceTypeSpec } from './instance-type.ts';

/**
 * What an ECS container instance loses before tasks get anything.
 *
 * The agent registers the memory the kernel reports (MemTotal), which is below the
 * advertised size: AWS's own example is an m4.large, 8192 MiB advertised, 7985 MiB
 * registered (2.5 % lost; larger types lose a little more to page tables), and it then
 * subtracts ECS_RESERVED_MEMORY. cpu is registered in full (vcpu × 1024) unless
 * reserved; GPUs are registered in full.
 */
export interface OverheadRule {
  /** Share of advertised memory the kernel keeps (default 3 %, slightly above AWS's m4.large example). */
  readonly memoryPercent: number;
  /** ECS_RESERVED_MEMORY on the instances loadmaster launches (default 256 MiB). */
  readonly reservedMemoryMiB: number;
  /** cpu units kept back for the OS and agent (default 0: ECS registers all of them). */
  readonly reservedCpuUnits: number;
}

export const DEFAULT_OVERHEAD: OverheadRule = { memoryPercent: 3, reservedMemoryMiB: 256, reservedCpuUnits: 0 };

export function allocatableOf(spec: InstanceTypeSpec, rule: OverheadRule): Resources {
  const nominal: Resources = { cpu: spec.vcpu * 1024, memoryMiB: spec.memoryMiB, gpu: spec.gpu };
  return resources((d) => {
    switch (d) {
      case 'cpu':
        return Math.max(0, nominal.cpu - rule.reservedCpuUnits);
      case 'memoryMiB':
        return Math.max(0, Math.floor(nominal.memoryMiB * (1 - rule.memoryPercent / 100)) - rule.reservedMemoryMiB);
      default:
        return nominal[d];
    }
  });
}
