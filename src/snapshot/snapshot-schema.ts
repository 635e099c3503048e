// The state snapshot: the pending jobs and the fleet at one moment. `loadmaster plan
// --state FILE` reads it from a file. The daemon's /v1/state carries the same facts in its
// own shape: a node's `allocated` is `used` here, `tasks` + `boundJobs` is `jobs`, and
// `runTimes` and `bootSeconds` are the same.
import { z } from 'zod';
import { typePattern } from '../config/config-schema.ts';

/** Any subset of the algorithm's resources; what is left out comes from the algorithm. */
const resourcesOverride = z.strictObject({
  cpu: z.int().min(1).optional(),
  memoryMiB: z.int().min(1).optional(),
  gpu: z.int().min(0).optional(),
});

const pendingJob = z.strictObject({
  jobId: z.string().min(1),
  algorithm: z.string().min(1),
  resources: resourcesOverride.optional(),
  /** Narrows the algorithm's instance types; must leave at least one. */
  instanceTypes: z.array(typePattern).min(1).optional(),
  /** Higher first. */
  priority: z.int().default(0),
  enqueuedAt: z.iso.datetime({ offset: true }),
});

/** Capacity taken on a node by running tasks and jobs already bound to it. */
const usedResources = z.strictObject({
  cpu: z.int().min(0).default(0),
  memoryMiB: z.int().min(0).default(0),
  gpu: z.int().min(0).default(0),
});

const fleetNode = z.strictObject({
  id: z.string().min(1),
  type: z.string().min(1),
  state: z.enum(['registered', 'launching', 'draining']),
  used: usedResources.prefault({}),
  /** Tasks running on it plus jobs bound to it, for the share rule; absent: the rule leaves the node alone. */
  jobs: z.int().min(0).optional(),
});

export const snapshotSchema = z.strictObject({
  pending: z.array(pendingJob).default([]),
  nodes: z.array(fleetNode).default([]),
  /** Per algorithm, its expected run time in seconds (the daemon's /v1/state `runTimes`), for the share rule. */
  runTimes: z.record(z.string().min(1), z.number().min(0)).default({}),
  /** Launch to registration in seconds (/v1/state `bootSeconds`), for the share rule. */
  bootSeconds: z.number().min(0).optional(),
});

export type StateSnapshot = z.output<typeof snapshotSchema>;
export type SnapshotJob = StateSnapshot['pending'][number];
export type SnapshotNode = StateSnapshot['nodes'][number];
