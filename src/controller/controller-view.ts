import type { Resources } from '../core/resources.ts';
import type { WaitCode } from '../core/planner/plan-types.ts';

/** What /v1/state shows and `loadmaster status` renders: the controller's state, read-only. */
export interface ControllerView {
  /** ms since the epoch, on the controller's clock. */
  readonly now: number;
  readonly ready: boolean;
  readonly pending: readonly PendingJobView[];
  readonly nodes: readonly NodeView[];
  readonly running: readonly RunningJobView[];
  /** Newest last, at most a few hundred. */
  readonly recentDecisions: readonly DecisionView[];
  /** USD/h of the instances alive now. */
  readonly hourlyCost: number;
  /** USD billed so far, where the cloud can say (sim). */
  readonly costSoFar?: number;
  /** Per algorithm, the run time its tasks are expected to take (seconds; from those that finished). */
  readonly runTimes: Readonly<Record<string, number>>;
  /** Launch to registration as observed (seconds); absent before the first. */
  readonly bootSeconds?: number;
}

export interface PendingJobView {
  readonly jobId: string;
  readonly algorithm: string;
  readonly priority: number;
  readonly attempt: number;
  readonly waitingSeconds: number;
  /** Bound to a node that is launching or starting: its id. */
  readonly boundTo?: string;
  /** The planner's reason for waiting; absent when bound or not planned yet. */
  readonly reason?: { readonly code: WaitCode | 'batching' | 'starting'; readonly message: string };
}

export type NodeLifecycle = 'launching' | 'registered' | 'draining' | 'terminating' | 'failed';

export interface NodeView {
  readonly id: string;
  readonly type: string;
  readonly state: NodeLifecycle;
  readonly launchedAt: number;
  readonly registeredAt?: number;
  readonly allocatable: Resources;
  readonly allocated: Resources;
  readonly tasks: number;
  readonly boundJobs: number;
  /** Seconds without tasks or bound jobs; absent while busy. */
  readonly idleSeconds?: number;
  readonly pricePerHour: number;
  /** Gets no new jobs so it can empty and go away (batch consolidation). */
  readonly consolidating?: boolean;
}

export interface RunningJobView {
  readonly jobId: string;
  readonly algorithm: string;
  readonly attempt: number;
  readonly instanceId: string;
  readonly startedAt: number;
}

export interface DecisionView {
  readonly at: number;
  /** e.g. "launch", "start", "bind", "terminate", "drain", "retry", "dead-letter", "replan". */
  readonly kind: string;
  readonly message: string;
  readonly jobId?: string;
  readonly instanceId?: string;
}

/** Why a job is refused, and the daemon not ready, once stopping has begun. */
export const STOPPING_REASON = 'loadmaster is stopping and takes no more jobs; expected them again once it runs (nothing was enqueued)';

/** What the HTTP edge needs from the running daemon. */
export interface ControllerApi {
  view(): ControllerView;
  /** Config loaded and first sync with the cloud done. */
  isReady(): boolean;
  /** Stopping has begun: no more jobs are taken. */
  isStopping(): boolean;
  /** Validates and enqueues job messages (the body of POST /v1/jobs: one message or an array). */
  submit(messages: readonly unknown[]): Promise<{ readonly accepted: readonly string[]; readonly rejected: readonly { readonly index: number; readonly reason: string }[] }>;
}
