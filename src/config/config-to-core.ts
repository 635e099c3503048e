// From the parsed config to the core's vocabulary: catalog, placement policy, and each
// algorithm's default demand and constraints.
import { buildCatalog } from '../core/catalog/build-catalog.ts';
import type { InstanceType } from '../core/catalog/instance-type.ts';
import type { JobConstraints, PlacementPolicy } from '../core/planner/plan-types.ts';
import type { Resources } from '../core/resources.ts';
import type { AlgorithmConfig, LoadmasterConfig } from './config-schema.ts';

/** The instance types loadmaster may launch, with allocatable capacity. Throws CatalogError. */
export function catalogFromConfig(config: LoadmasterConfig): InstanceType[] {
  const { include, exclude, prices, add, overhead } = config.catalog;
  return buildCatalog({ ...(include ? { include } : {}), exclude, prices, add, overhead });
}

export function policyFromConfig(config: LoadmasterConfig): PlacementPolicy {
  const { maxInstances, maxHourlyCost, typeLimits, instancePenaltyPerHour, reuseWithinSeconds, sharePriceRatio } = config.policy;
  return { maxInstances, maxHourlyCost, typeLimits, instancePenaltyPerHour, reuseWithinSeconds, sharePriceRatio };
}

/** What a job of this algorithm reserves: the minimum memory, not the suggested one. */
export function algorithmDemand(algorithm: AlgorithmConfig): Resources {
  return { cpu: algorithm.resources.cpu, memoryMiB: algorithm.resources.memoryMiB, gpu: algorithm.resources.gpu };
}

export function algorithmConstraints(algorithm: AlgorithmConfig): JobConstraints {
  return {
    ...(algorithm.instanceTypes ? { instanceTypes: algorithm.instanceTypes } : {}),
    ...(algorithm.architecture ? { architecture: algorithm.architecture } : {}),
    ...(algorithm.gpuModels ? { gpuModels: algorithm.gpuModels } : {}),
  };
}
