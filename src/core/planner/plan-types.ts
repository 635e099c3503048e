import type { Architecture, InstanceType } from '../catalog/instance-type.ts';
import type { Resources } from '../resources.ts';

/** Where a job may run. Every field narrows; absent means "anything". */
export interface JobConstraints {
  /** Exact type names ("c6i.2xlarge") or patterns ("g5.*", "c7g.*", "*.4xlarge"). */
  readonly instanceTypes?: readonly string[];
  readonly architecture?: Architecture;
  /** Allowed GPU models ("A10G", "L4"); only meaningful for jobs that ask for GPUs. */
  readonly gpuModels?: readonly string[];
}

export interface PendingJob {
  readonly id: string;
  readonly demand: Resources;
  readonly constraints: JobConstraints;
  /** Higher first. */
  readonly priority: number;
  /** When the job was enqueued, in seconds on any fixed scale; older first among equals. */
  readonly enqueuedAt: number;
  /** The algorithm it runs; policies that keep one instance type per algorithm group by it. */
  readonly algorithm?: string;
  /**
   * false once the job has waited `reuseWithinSeconds` for room running tasks were to free
   * (wait code capacity-soon): then it gets capacity of its own. Absent: it may wait.
   */
  readonly mayWaitForRelease?: boolean;
  /** Expected run time in seconds (its algorithm's observed runs); absent when unknown. Used by the share rule. */
  readonly expectedRunSeconds?: number;
}

export type NodeState = 'launching' | 'registered' | 'draining';

export interface FleetNode {
  readonly id: string;
  readonly type: string;
  readonly state: NodeState;
  /** Capacity not yet taken by running tasks nor by jobs already bound to this node. */
  readonly free: Resources;
  /** USD/hour it costs, when its type may be missing from the catalog (avoided for a while); else the catalog's price. */
  readonly pricePerHour?: number;
  /** What its running tasks are expected to give back, and in how many seconds (0: overdue, any moment). */
  readonly releases?: readonly Release[];
  /** Tasks running on it plus jobs bound to it. Absent: the share rule leaves the node alone (unknown, or a warm node that stays anyway). */
  readonly jobs?: number;
}

export interface Release {
  readonly inSeconds: number;
  readonly resources: Resources;
}

export interface PlacementPolicy {
  /** Most instances alive at once (existing + new). */
  readonly maxInstances: number;
  /** Most fleet cost per hour in USD (existing + new). */
  readonly maxHourlyCost: number;
  /** Most instances per type name or pattern ("p4d.*": 2). */
  readonly typeLimits: Readonly<Record<string, number>>;
  /**
   * USD/hour added to each new instance when comparing fleets: > 0 prefers fewer,
   * larger instances (fewer boots, fewer API calls) over the cheapest mix.
   */
  readonly instancePenaltyPerHour: number;
  /**
   * A job that does not fit now waits for a registered node whose running tasks are
   * expected to free room for it within this many seconds, instead of getting a new
   * instance: about a boot, so it usually starts no later and nothing new is paid for. 0 or absent: never.
   */
  readonly reuseWithinSeconds?: number;
  /**
   * The share rule: a job joins an existing node (busy or empty) only while the node's price
   * split over its jobs, the joining one counted (price / (jobs + 1)), is at most this many
   * times the hourly price of the job's own instance (the cheapest type that holds it, with a
   * boot and the 60 s billing minimum spread over its expected run). Above it, the job would
   * likely keep a dear node alive after its other jobs end: an instance of its own costs less.
   * 0 or absent: always join.
   */
  readonly sharePriceRatio?: number;
}

export interface PlannerInput {
  readonly jobs: readonly PendingJob[];
  readonly nodes: readonly FleetNode[];
  readonly catalog: readonly InstanceType[];
  readonly policy: PlacementPolicy;
  /** Seconds a launched instance takes to register, as observed; absent while unknown. Used by the share rule. */
  readonly expectedBootSeconds?: number;
}

export type WaitCode =
  | 'no-compatible-type' // no type in the catalog can ever hold it
  | 'max-instances'
  | 'max-hourly-cost'
  | 'type-limit'
  | 'capacity-soon'; // a registered node frees room for it sooner than a new instance would boot

export interface WaitReason {
  readonly code: WaitCode;
  /** One sentence a human understands. */
  readonly message: string;
}

export interface Plan {
  /** Start now on a registered node. */
  readonly starts: readonly { readonly jobId: string; readonly nodeId: string }[];
  /** Bind to a node that is still launching; start when it registers. */
  readonly bindings: readonly { readonly jobId: string; readonly nodeId: string }[];
  /** New instances to launch, one entry per instance, with the jobs bound to it. */
  readonly launches: readonly { readonly type: string; readonly jobIds: readonly string[] }[];
  /** Jobs that stay in the queue this round, each with why. */
  readonly waiting: readonly { readonly jobId: string; readonly reason: WaitReason }[];
  /** USD/hour of the instances in `launches`. */
  readonly launchHourlyCost: number;
}
