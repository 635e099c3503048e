import type { Resources } from '../resources.ts';

export type Architecture = 'x86_64' | 'arm64';

/** EC2 bills Linux instances per second, and at least this many seconds from launch. */
export const MINIMUM_BILLED_SECONDS = 60;
export const ARCHITECTURES: readonly Architecture[] = ['x86_64', 'arm64'];

/** What AWS publishes for an instance type. */
export interface InstanceTypeSpec {
  readonly name: string;
  readonly vcpu: number;
  readonly memoryMiB: number;
  readonly gpu: number;
  /** GPU model, e.g. "T4", "A10G", "L4", "V100", "A100"; absent when gpu = 0. */
  readonly gpuModel?: string;
  readonly architecture: Architecture;
  /** On-demand Linux price per hour in USD. */
  readonly pricePerHour: number;
}

/** A catalog entry: the spec plus what ECS can actually hand to tasks. */
export interface InstanceType extends InstanceTypeSpec {
  readonly family: string;
  readonly allocatable: Resources;
}
