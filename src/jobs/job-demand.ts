// What a job reserves: its algorithm's demand, with any subset overridden by the job
// (e.g. more memory for a larger image). Shared by job messages and state snapshots.
import type { AlgorithmConfig } from '../config/config-schema.ts';
import { algorithmDemand } from '../config/config-to-core.ts';
import { resources, type Dimension, type Resources } from '../core/resources.ts';

export type ResourcesOverride = { readonly [D in Dimension]?: number | undefined };

/** Memory is the minimum (what placement packs); an override of memoryMiB replaces that minimum. */
export function jobDemand(algorithm: AlgorithmConfig, override: ResourcesOverride | undefined): Resources {
  const base = algorithmDemand(algorithm);
  return resources((d) => override?.[d] ?? base[d]);
}
