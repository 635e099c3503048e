import { batchBestFitProgressivePolicy } from './batch-best-fit-progressive.ts';
import { ecsManagedScalingPolicy } from './ecs-managed-scaling.ts';
import type { FleetPolicy, PolicyName } from './fleet-policy.ts';
import { karpenterPolicy } from './karpenter.ts';
import { loadmasterPolicy, type LoadmasterTiming } from './loadmaster.ts';
import type { FixedTypes } from './peer-placement.ts';
import { seedLambdaPolicy } from './seed-lambda.ts';

export interface PolicyContext {
  /** loadmaster's batching, idle rule and consolidation, from the config. */
  readonly loadmaster: LoadmasterTiming;
  /** Algorithm → its one instance type, for the policies that keep one (see chooseFixedTypes). */
  readonly fixedTypes: FixedTypes;
}

export function fleetPolicy(name: PolicyName, context: PolicyContext): FleetPolicy {
  switch (name) {
    case 'loadmaster':
      return loadmasterPolicy(context.loadmaster);
    case 'karpenter':
      return karpenterPolicy();
    case 'batch-best-fit-progressive':
      return batchBestFitProgressivePolicy();
    case 'ecs-managed-scaling':
      return ecsManagedScalingPolicy({ fixedTypes: context.fixedTypes });
    case 'seed-lambda':
      return seedLambdaPolicy({ fixedTypes: context.fixedTypes });
  }
}
