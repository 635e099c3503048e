// How a job becomes an ECS task and back: the StartTask overrides and tags written for a
// TaskSpec, and the CloudTask read from a described task or a task state-change event.
import type { ContainerOverride, Tag } from '@aws-sdk/client-ecs';
import type { Resources } from '../../core/resources.ts';
import type { CloudTask, TaskSpec, TaskState } from '../../ports/cloud.ts';
import { ATTEMPT_TAG, JOB_ID_TAG } from './aws-tags.ts';

/** Environment every task gets, so that the container knows its job without parsing tags. */
export const JOB_ID_ENV = 'LOADMASTER_JOB_ID';
export const ATTEMPT_ENV = 'LOADMASTER_ATTEMPT';
export const ALGORITHM_ENV = 'LOADMASTER_ALGORITHM';
export const INPUTS_ENV = 'LOADMASTER_INPUTS';
export const OUTPUT_PREFIX_ENV = 'LOADMASTER_OUTPUT_PREFIX';

/**
 * The container override for a job: its env plus loadmaster's, its demand as the
 * container's reservation (cpu units, soft memory limit, GPUs), so that ECS reserves on the
 * instance exactly what the planner packed, and the algorithm's command when it has one
 * (already expanded for the job, see command-template.ts). With `memoryLimitMiB` (the
 * algorithm's memorySuggestedMiB), the container's hard memory limit: that, or the job's
 * reservation where the job asked for more, since ECS refuses a limit below the reservation.
 */
export function containerOverrideFor(spec: TaskSpec, containerName: string, command?: readonly string[], memoryLimitMiB?: number): ContainerOverride {
  const environment = {
    ...spec.env,
    [JOB_ID_ENV]: spec.jobId,
    [ATTEMPT_ENV]: String(spec.attempt),
    [ALGORITHM_ENV]: spec.algorithm,
    [INPUTS_ENV]: JSON.stringify(spec.inputs),
    [OUTPUT_PREFIX_ENV]: spec.outputPrefix,
  };
  return {
    name: containerName,
    ...(command !== undefined && { command: [...command] }),
    environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
    cpu: spec.demand.cpu,
    memoryReservation: spec.demand.memoryMiB,
    ...(memoryLimitMiB !== undefined && { memory: Math.max(memoryLimitMiB, spec.demand.memoryMiB) }),
    ...(spec.demand.gpu > 0 && { resourceRequirements: [{ type: 'GPU', value: String(spec.demand.gpu) }] }),
  };
}

export function taskTagsFor(spec: TaskSpec, ownership: Readonly<Record<string, string>>): Tag[] {
  const tags = { ...ownership, [JOB_ID_TAG]: spec.jobId, [ATTEMPT_TAG]: String(spec.attempt) };
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** What both DescribeTasks and the task state-change event carry (events carry no tags). */
export interface EcsTaskView {
  readonly taskArn?: string | undefined;
  readonly clusterArn?: string | undefined;
  readonly containerInstanceArn?: string | undefined;
  readonly lastStatus?: string | undefined;
  readonly startedBy?: string | undefined;
  readonly stoppedReason?: string | undefined;
  readonly taskDefinitionArn?: string | undefined;
  /** Dates from DescribeTasks, ISO strings in an event. */
  readonly startedAt?: Date | string | undefined;
  readonly createdAt?: Date | string | undefined;
  readonly version?: number | undefined;
  readonly cpu?: string | undefined;
  readonly memory?: string | undefined;
  readonly containers?: readonly { readonly name?: string | undefined; readonly exitCode?: number | undefined }[] | undefined;
  readonly tags?: readonly { readonly key?: string | undefined; readonly value?: string | undefined }[] | undefined;
  readonly overrides?: { readonly containerOverrides?: readonly ContainerOverrideView[] | undefined } | undefined;
}

interface ContainerOverrideView {
  readonly name?: string | undefined;
  readonly environment?: readonly { readonly name?: string | undefined; readonly value?: string | undefined }[] | undefined;
  readonly cpu?: number | undefined;
  readonly memory?: number | undefined;
  readonly memoryReservation?: number | undefined;
  readonly resourceRequirements?: readonly { readonly type?: string | undefined; readonly value?: string | undefined }[] | undefined;
}

/**
 * The CloudTask of an ECS task, or undefined when it is not a job's task (no job id).
 * Job id and attempt come from the tags, else from the env loadmaster set (events have no tags).
 * The algorithm comes from the env, else from the task definition (`algorithmOf`, see
 * task-definition-match.ts) for tasks started before loadmaster set it.
 */
export function cloudTaskOf(task: EcsTaskView, instanceId: string, containerName: string, algorithmOf?: (taskDefinitionArn: string) => string | undefined): CloudTask | undefined {
  const override = task.overrides?.containerOverrides?.find((o) => o.name === containerName) ?? task.overrides?.containerOverrides?.[0];
  const lookup = (tag: string, env: string): string | undefined =>
    task.tags?.find((t) => t.key === tag)?.value ?? override?.environment?.find((e) => e.name === env)?.value;
  const jobId = lookup(JOB_ID_TAG, JOB_ID_ENV);
  if (task.taskArn === undefined || jobId === undefined) return undefined;
  const attempt = Number(lookup(ATTEMPT_TAG, ATTEMPT_ENV) ?? 1);
  const container = task.containers?.find((c) => c.name === containerName) ?? task.containers?.[0];
  const algorithm =
    override?.environment?.find((e) => e.name === ALGORITHM_ENV)?.value ?? (task.taskDefinitionArn !== undefined ? algorithmOf?.(task.taskDefinitionArn) : undefined);
  // A PENDING task has no startedAt yet; its creation is when StartTask took it, where loadmaster counts from.
  const since = task.startedAt ?? task.createdAt;
  const startedAt = since === undefined ? undefined : new Date(since).getTime();
  return {
    taskArn: task.taskArn,
    jobId,
    attempt: Number.isInteger(attempt) ? attempt : 1,
    instanceId,
    state: taskStateOf(task.lastStatus),
    demand: demandOf(task, override),
    ...(container?.exitCode !== undefined && { exitCode: container.exitCode }),
    ...(task.stoppedReason !== undefined && task.stoppedReason !== '' && { stopReason: task.stoppedReason }),
    ...(algorithm !== undefined && { algorithm }),
    ...(startedAt !== undefined && Number.isFinite(startedAt) && { startedAt }),
    version: taskVersionOf(task),
  };
}

/** ECS's task lifecycle in order (lastStatus values); DELETED is Fargate's last word. */
const TASK_LIFECYCLE = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED', 'DELETED'];

/**
 * The task's version, or, where none is given (moto never sends one), its place in the
 * lifecycle: every reading of one task then orders the same way, so a later state is never
 * dropped as older than an earlier one. Real ECS always sends versions, so the two scales
 * do not meet for one task. An unknown status counts as the earliest (0).
 */
export function taskVersionOf(task: Pick<EcsTaskView, 'version' | 'lastStatus'>): number {
  return task.version ?? TASK_LIFECYCLE.indexOf(task.lastStatus ?? '') + 1;
}

/** ECS's lifecycle folded into the port's three states: a stopping task still holds its reservation. */
export function taskStateOf(lastStatus: string | undefined): TaskState {
  switch (lastStatus) {
    case 'RUNNING':
    case 'DEACTIVATING':
    case 'STOPPING':
    case 'DEPROVISIONING':
      return 'RUNNING';
    case 'STOPPED':
    case 'DELETED':
      return 'STOPPED';
    default:
      return 'PENDING';
  }
}

function demandOf(task: EcsTaskView, override: ContainerOverrideView | undefined): Resources {
  const gpu = override?.resourceRequirements?.find((r) => r.type === 'GPU')?.value;
  return {
    cpu: override?.cpu ?? numberOr(task.cpu, 0),
    memoryMiB: override?.memoryReservation ?? override?.memory ?? numberOr(task.memory, 0),
    gpu: numberOr(gpu, 0),
  };
}

function numberOr(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) ? value : fallback;
}
