// Seeded, deterministic workloads shaped like the image-processing toolbox loadmaster comes
// from: each algorithm is one container with fixed resources, so every job of one algorithm
// asks for exactly the same thing; the mix says how many jobs each algorithm gets.

import { allocatableOf, DEFAULT_OVERHEAD, type OverheadRule } from '../../src/core/catalog/allocatable.ts';
import type { InstanceType } from '../../src/core/catalog/instance-type.ts';
import type { FleetNode, JobConstraints, NodeState, PendingJob, PlacementPolicy } from '../../src/core/planner/plan-types.ts';
import { add, resources, ZERO, type Resources } from '../../src/core/resources.ts';
import { seededRandom, type Random } from '../../src/core/random.ts';
import { pick, weightedIndex } from '../../src/simulation/traces/random.ts';

const GIB = 1024;
const VCPU = 1024;

export type AlgorithmKind = 'small-cpu' | 'medium-cpu' | 'large-memory' | 'gpu' | 'constrained' | 'multi-gpu';

/** One registered algorithm: every job of it asks for `demand` under `constraints`. */
export interface AlgorithmProfile {
  readonly name: string;
  readonly kind: AlgorithmKind;
  readonly demand: Resources;
  readonly constraints: JobConstraints;
}

function algorithm(name: string, kind: AlgorithmKind, vcpu: number, memoryGiB: number, gpu: number, constraints: JobConstraints = {}): AlgorithmProfile {
  return { name, kind, demand: { cpu: vcpu * VCPU, memoryMiB: memoryGiB * GIB, gpu }, constraints };
}

/** The algorithms of the toolbox, with the resources their authors declared. */
export const ALGORITHMS: readonly AlgorithmProfile[] = [
  // Many small CPU jobs.
  algorithm('thumbnail', 'small-cpu', 0.5, 1, 0),
  algorithm('segmentation-2d', 'small-cpu', 1, 2, 0),
  algorithm('cell-profiler', 'small-cpu', 2, 4, 0),
  algorithm('tile-pyramid', 'small-cpu', 1, 3, 0),
  // Medium CPU jobs.
  algorithm('feature-extraction', 'medium-cpu', 4, 8, 0),
  algorithm('registration', 'medium-cpu', 8, 16, 0),
  algorithm('spot-detection', 'medium-cpu', 4, 12, 0),
  // Large-memory jobs.
  algorithm('stitching', 'large-memory', 4, 60, 0),
  algorithm('volume-3d', 'large-memory', 4, 120, 0),
  algorithm('whole-slide-merge', 'large-memory', 8, 96, 0),
  // GPU jobs: one GPU each; some pinned to GPU models or families.
  algorithm('cellpose', 'gpu', 4, 12, 1),
  algorithm('n2v-denoise', 'gpu', 8, 32, 1, { gpuModels: ['A10G', 'L4'] }),
  algorithm('stardist', 'gpu', 4, 16, 1, { instanceTypes: ['g5.*', 'g6.*'] }),
  // Type-constrained CPU jobs.
  algorithm('ome-zarr-convert', 'constrained', 1, 2, 0, { architecture: 'arm64' }),
  algorithm('deconvolution', 'constrained', 4, 8, 0, { instanceTypes: ['c7g.*'] }),
  // A few multi-GPU jobs.
  algorithm('volume-restoration', 'multi-gpu', 16, 64, 4),
];

/** A policy no benchmark workload reaches: no instance, cost or type limit binds, no penalty. */
export const GENEROUS_POLICY: PlacementPolicy = {
  maxInstances: 1_000_000,
  maxHourlyCost: 1_000_000_000,
  typeLimits: {},
  instancePenaltyPerHour: 0,
};

export const WORKLOAD_MIXES = ['mixed', 'cpu-only', 'gpu-heavy', 'memory-heavy'] as const;
export type WorkloadMix = (typeof WORKLOAD_MIXES)[number];

/** Relative number of jobs per algorithm, by kind, for each mix. */
const MIX_WEIGHTS: { readonly [M in WorkloadMix]: { readonly [K in AlgorithmKind]: number } } = {
  'mixed': { 'small-cpu': 60, 'medium-cpu': 14, 'large-memory': 5, 'gpu': 10, 'constrained': 10, 'multi-gpu': 1 },
  'cpu-only': { 'small-cpu': 65, 'medium-cpu': 20, 'large-memory': 5, 'gpu': 0, 'constrained': 10, 'multi-gpu': 0 },
  'gpu-heavy': { 'small-cpu': 25, 'medium-cpu': 5, 'large-memory': 0, 'gpu': 60, 'constrained': 5, 'multi-gpu': 5 },
  'memory-heavy': { 'small-cpu': 30, 'medium-cpu': 15, 'large-memory': 50, 'gpu': 0, 'constrained': 5, 'multi-gpu': 0 },
};

export interface WorkloadOptions {
  readonly jobs: number;
  readonly mix: WorkloadMix;
  readonly seed: number;
}

/** Per-algorithm weights of a mix: the kind's weight split evenly among its algorithms. */
export function mixWeights(mix: WorkloadMix): number[] {
  const perKind = new Map<AlgorithmKind, number>();
  for (const a of ALGORITHMS) perKind.set(a.kind, (perKind.get(a.kind) ?? 0) + 1);
  return ALGORITHMS.map((a) => MIX_WEIGHTS[mix][a.kind] / perKind.get(a.kind)!);
}

/**
 * `jobs` pending jobs of the given mix. Same options, same jobs (ids, order, demands,
 * priorities, enqueue times). Ids are `job-<n>-<algorithm>`; about 10 % of jobs have
 * priority 10, the rest 0; enqueue times grow from 0 in steps of 0–2 s.
 */
export function generateWorkload(options: WorkloadOptions): PendingJob[] {
  if (!Number.isInteger(options.jobs) || options.jobs < 0) throw new Error(`generateWorkload: jobs must be a whole number ≥ 0, got ${options.jobs}`);
  const random = seededRandom(options.seed);
  const weights = mixWeights(options.mix);
  const width = String(Math.max(options.jobs - 1, 0)).length;
  const jobs: PendingJob[] = [];
  let clock = 0;
  for (let i = 0; i < options.jobs; i++) {
    const a = ALGORITHMS[weightedIndex(random, weights)]!;
    clock += Math.round(random() * 2000) / 1000;
    jobs.push({
      id: `job-${String(i).padStart(width, '0')}-${a.name}`,
      demand: a.demand,
      constraints: a.constraints,
      priority: random() < 0.1 ? 10 : 0,
      enqueuedAt: clock,
    });
  }
  return jobs;
}

const NODE_STATES: readonly { readonly state: NodeState; readonly weight: number }[] = [
  { state: 'registered', weight: 80 },
  { state: 'launching', weight: 12 },
  { state: 'draining', weight: 8 },
];

/**
 * `nodeCount` nodes of random catalog types: mostly registered, some launching, a few
 * draining. Each is partly used: per node a utilisation level, per dimension some jitter
 * around it; free = allocatable − used, whole units, never negative. Half the launching
 * nodes are still empty.
 */
export function generateFleet(nodeCount: number, catalog: readonly InstanceType[], seed: number): FleetNode[] {
  if (catalog.length === 0 && nodeCount > 0) throw new Error('generateFleet: empty catalog');
  const random = seededRandom(seed);
  const stateWeights = NODE_STATES.map((s) => s.weight);
  const width = String(Math.max(nodeCount - 1, 0)).length;
  const nodes: FleetNode[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const type = pick(random, catalog);
    const state = NODE_STATES[weightedIndex(random, stateWeights)]!.state;
    const empty = state === 'launching' && random() < 0.5;
    const level = empty ? 0 : random();
    const free = resources((d) => {
      const allocatable = type.allocatable[d];
      const share = Math.min(1, Math.max(0, level + (random() - 0.5) * 0.3));
      const used = Math.floor(allocatable * share);
      return Math.max(0, allocatable - used);
    });
    nodes.push({ id: `node-${String(i).padStart(width, '0')}`, type: type.name, state, free });
  }
  return nodes;
}

/** Nominal sizes of a derived type relative to its base: cpu and memory factors. */
const VARIANT_SHAPES: readonly { readonly cpu: number; readonly memory: number }[] = [
  { cpu: 1, memory: 1.5 },
  { cpu: 1.5, memory: 1.5 },
  { cpu: 1, memory: 0.75 },
  { cpu: 2, memory: 1.5 },
  { cpu: 0.75, memory: 1 },
  { cpu: 3, memory: 3 },
  { cpu: 1.25, memory: 2 },
  { cpu: 0.5, memory: 0.5 },
];

/**
 * The `base` catalog extended to `count` types (or `base` itself when it already has as
 * many): each derived type reshapes a base type (cpu and memory scaled by one of a few
 * factors, same GPUs, GPU model and architecture) in a family of its own, `x9z<r><family>`
 * (r = 1, 2, …), with a price proportional to its size (mean of the cpu and memory factors,
 * ±5 % jitter) and allocatable computed with `overhead`. Deterministic for a given seed.
 */
export function syntheticCatalog(count: number, base: readonly InstanceType[], options: { readonly seed?: number; readonly overhead?: OverheadRule } = {}): InstanceType[] {
  const out = [...base];
  if (count <= base.length) return out;
  if (base.length === 0) throw new Error('syntheticCatalog: empty base catalog');
  const random: Random = seededRandom(options.seed ?? 1);
  const overhead = options.overhead ?? DEFAULT_OVERHEAD;
  const names = new Set(base.map((t) => t.name));
  for (let i = 0; out.length < count; i++) {
    const b = base[i % base.length]!;
    const round = Math.floor(i / base.length) + 1;
    const shape = VARIANT_SHAPES[(i + round) % VARIANT_SHAPES.length]!;
    const size = b.name.slice(b.family.length + 1) || 'custom';
    const family = `x9z${round}${b.family}`;
    const name = `${family}.${size}`;
    if (names.has(name)) continue;
    names.add(name);
    const vcpu = Math.max(1, Math.round(b.vcpu * shape.cpu));
    const memoryMiB = Math.max(GIB, Math.round((b.memoryMiB * shape.memory) / 256) * 256);
    const jitter = 0.95 + random() * 0.1;
    const pricePerHour = Math.round(b.pricePerHour * ((shape.cpu + shape.memory) / 2) * jitter * 1e5) / 1e5;
    const spec = {
      name,
      vcpu,
      memoryMiB,
      gpu: b.gpu,
      ...(b.gpuModel === undefined ? {} : { gpuModel: b.gpuModel }),
      architecture: b.architecture,
      pricePerHour,
    };
    out.push({ ...spec, family, allocatable: allocatableOf(spec, overhead) });
  }
  return out;
}

/** Total demand of some jobs, per dimension (for reports). */
export function totalDemand(jobs: readonly PendingJob[]): Resources {
  return jobs.reduce((sum, j) => add(sum, j.demand), ZERO);
}
