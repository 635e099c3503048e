import type { Resources } from '../core/resources.ts';

export type InstanceState = 'pending' | 'running' | 'terminated';

/** An EC2 instance loadmaster launched, as the cloud sees it. */
export interface CloudInstance {
  readonly instanceId: string;
  readonly type: string;
  readonly state: InstanceState;
  readonly launchedAt: number;
  /** Set once the ECS agent has registered it with the cluster. */
  readonly registered?: { readonly containerInstanceArn: string; readonly resources: Resources; readonly draining: boolean };
}

export type TaskState = 'PENDING' | 'RUNNING' | 'STOPPED';

/** An ECS task started for a job, tagged with the job id and attempt. */
export interface CloudTask {
  readonly taskArn: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly instanceId: string;
  readonly state: TaskState;
  readonly demand: Resources;
  readonly exitCode?: number;
  readonly stopReason?: string;
  /** The algorithm it runs, where the cloud can tell (what a restarted controller times it out by). */
  readonly algorithm?: string;
  /** When it started (ms since the epoch), where the cloud can tell. */
  readonly startedAt?: number;
  /** Orders events of one task (ECS `detail.version`). */
  readonly version: number;
}

export interface TaskSpec {
  readonly jobId: string;
  readonly attempt: number;
  readonly algorithm: string;
  readonly demand: Resources;
  readonly env: Readonly<Record<string, string>>;
  readonly inputs: readonly string[];
  readonly outputPrefix: string;
}

export type CloudEvent =
  | { readonly kind: 'instance-registered'; readonly instance: CloudInstance }
  | { readonly kind: 'instance-terminated'; readonly instanceId: string }
  | { readonly kind: 'task-state'; readonly task: CloudTask };

/** Why a call failed, in the cloud's terms; the controller decides what to do. */
export class CloudError extends Error {
  readonly code: 'throttled' | 'insufficient-capacity' | 'unsupported-type' | 'not-found' | 'other';
  constructor(code: CloudError['code'], message: string) {
    super(message);
    this.name = 'CloudError';
    this.code = code;
  }
}

/**
 * ECS + EC2 as loadmaster uses them. Implemented by `sim` (embedded, virtual clock) and
 * `aws`. Every call may throw CloudError; launches are idempotent by clientToken.
 */
export interface Cloud {
  /** Launches `count` instances of one type (one RunInstances call). Throws CloudError on capacity errors. */
  launch(type: string, count: number, clientToken: string): Promise<readonly CloudInstance[]>;
  /** Starts one task per spec on a registered instance; failures (no resources, agent gone) come back per job. */
  startTasks(instanceId: string, specs: readonly TaskSpec[]): Promise<{ readonly started: readonly CloudTask[]; readonly failed: readonly { readonly jobId: string; readonly reason: string }[] }>;
  /** Sets the container instance to DRAINING: no new tasks. */
  drain(instanceId: string): Promise<void>;
  terminate(instanceIds: readonly string[]): Promise<void>;
  /**
   * Stops a task (ECS StopTask: SIGTERM, then SIGKILL once the container's stop timeout
   * passes). It then stops as any task does, with the exit code its container gives (137
   * when killed) and `reason` as its stop reason. A task already stopped is left as it is.
   */
  stopTask(taskArn: string, reason: string): Promise<void>;
  /** Full observation of loadmaster's instances and tasks (by tags), for start-up and periodic resync. */
  describe(): Promise<{ readonly instances: readonly CloudInstance[]; readonly tasks: readonly CloudTask[] }>;
  /** Events since the last call (may be duplicated or out of order; `version` orders a task's events). */
  pollEvents(): Promise<readonly CloudEvent[]>;
  /** USD spent so far (the sim's bill; undefined where the cloud cannot say). */
  costSoFar?(): number;
}
