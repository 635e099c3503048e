import type { InstanceType } from '../../core/catalog/instance-type.ts';
import { seededRandom, type Random } from '../../core/random.ts';
import { add, shortfall, subtract, ZERO, type Dimension, type Resources } from '../../core/resources.ts';
import type { Clock } from '../../ports/clock.ts';
import {
  CloudError,
  type Cloud,
  type CloudEvent,
  type CloudInstance,
  type CloudTask,
  type InstanceState,
  type TaskSpec,
  type TaskState,
} from '../../ports/cloud.ts';
import { ApiCallLog, type ApiCallCounts, type SimOperation } from './api-call-log.ts';
import { billedUsd } from './billing.ts';
import { containerInstanceArnFor, instanceIdFor, taskArnFor } from './sim-ids.ts';
import { probabilityFor, resolveSimOptions, type ResolvedSimOptions, type SimCloudOptions, type TaskBehaviour } from './sim-options.ts';

export type { SimCloudOptions, TaskBehaviour } from './sim-options.ts';
export type { ApiCallCounts, CallOutcome, SimOperation } from './api-call-log.ts';
import { Timeline } from './timeline.ts';

// A faithful in-memory ECS/EC2 on a Clock: the embedded cloud of `loadmaster run`, the
// engine of `loadmaster simulate` and the ground of the benchmarks.
//
// The sim is evaluated lazily: boots, task starts and task exits are scheduled on a
// Timeline and applied, in time order, whenever anyone looks (every call, every
// inspection), up to clock.now(). So it keeps no timers of its own, works on the real
// and the virtual clock alike, and what it shows depends only on the calls made and
// the time they were made at.

/** An instance as the sim knows it: the cloud's view plus times for tests and benchmarks. */
export interface SimInstance extends CloudInstance {
  readonly registeredAt?: number;
  readonly terminatedAt?: number;
  /** Boots, but its ECS agent never registers (the neverRegister option). */
  readonly neverRegisters: boolean;
}

/** A task as the sim knows it: the cloud's view plus times for tests and benchmarks. */
export interface SimTask extends CloudTask {
  readonly startedAt: number;
  readonly runningAt?: number;
  readonly stoppedAt?: number;
}

interface InstanceRecord {
  readonly instanceId: string;
  readonly type: InstanceType;
  readonly launchedAt: number;
  readonly neverRegisters: boolean;
  state: InstanceState;
  registration?: { readonly containerInstanceArn: string; readonly at: number };
  draining: boolean;
  terminatedAt?: number;
  /** Its tasks that have not stopped, and the sum of their demands. */
  readonly liveTasks: Set<TaskRecord>;
  allocated: Resources;
}

interface TaskRecord {
  readonly taskArn: string;
  readonly spec: TaskSpec;
  readonly instanceId: string;
  readonly startedAt: number;
  state: TaskState;
  version: number;
  exitCode?: number;
  stopReason?: string;
  runningAt?: number;
  stoppedAt?: number;
}

interface LaunchRequest {
  readonly type: string;
  readonly count: number;
  readonly instanceIds: readonly string[];
}

type StartTasksResult = Awaited<ReturnType<Cloud['startTasks']>>;

/** ECS's names for the resources a task can be short of. */
const RESOURCE_FAILURE: { readonly [D in Dimension]: string } = {
  cpu: 'RESOURCE:CPU',
  memoryMiB: 'RESOURCE:MEMORY',
  gpu: 'RESOURCE:GPU',
};
/** The instance is not (or no longer) a registered container instance. */
export const MISSING_FAILURE = 'MISSING';
export const DRAINING_FAILURE = 'DRAINING';
/** The job already has a task that has not stopped. */
export const DUPLICATE_FAILURE = 'DUPLICATE';
export const EXITED_STOP_REASON = 'Essential container in task exited';
export const TERMINATED_STOP_REASON = 'instance terminated';

export class SimCloud implements Cloud {
  readonly #clock: Clock;
  readonly #catalog: ReadonlyMap<string, InstanceType>;
  readonly #options: ResolvedSimOptions;
  readonly #taskBehaviour: TaskBehaviour;
  readonly #onScheduled: ((at: number) => void) | undefined;
  // One stream per purpose, so that e.g. turning on throttling leaves boot times alone.
  readonly #random: { readonly [P in 'boot' | 'capacity' | 'neverRegister' | 'throttle' | 'duplicateEvents']: Random };

  readonly #timeline = new Timeline();
  readonly #instances = new Map<string, InstanceRecord>();
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #launches = new Map<string, LaunchRequest>();
  /** The task of each job that has not stopped: how the sim refuses a second start. */
  readonly #liveTaskByJob = new Map<string, TaskRecord>();
  readonly #startsByJob = new Map<string, number>();
  readonly #calls = new ApiCallLog();
  #events: CloudEvent[] = [];
  /** Duplicates waiting for the next poll, where they come after that poll's newer events. */
  #redeliveries: CloudEvent[] = [];
  #nextInstanceSerial = 1;
  #nextTaskSerial = 1;
  #duplicateStartAttempts = 0;

  constructor(options: SimCloudOptions) {
    this.#clock = options.clock;
    this.#catalog = new Map(options.catalog.map((t) => [t.name, t]));
    this.#options = resolveSimOptions(options);
    this.#taskBehaviour = options.taskBehaviour;
    this.#onScheduled = options.onScheduled;
    const master = seededRandom(this.#options.seed);
    const stream = (): Random => seededRandom(Math.floor(master() * 2 ** 32));
    this.#random = { boot: stream(), capacity: stream(), neverRegister: stream(), throttle: stream(), duplicateEvents: stream() };
  }

  // ---- Cloud ----

  launch(type: string, count: number, clientToken: string): Promise<readonly CloudInstance[]> {
    return this.#call('launch', () => this.#launch(type, count, clientToken));
  }

  startTasks(instanceId: string, specs: readonly TaskSpec[]): Promise<StartTasksResult> {
    return this.#call('startTasks', () => this.#startTasks(instanceId, specs));
  }

  drain(instanceId: string): Promise<void> {
    return this.#call('drain', () => {
      const instance = this.#instances.get(instanceId);
      if (instance === undefined || instance.registration === undefined || instance.state === 'terminated') {
        throw new CloudError('not-found', `drain: ${instanceId} is not a registered container instance`);
      }
      instance.draining = true;
    });
  }

  terminate(instanceIds: readonly string[]): Promise<void> {
    return this.#call('terminate', () => this.#terminate(instanceIds));
  }

  /** The task stops at once, with options.stoppedExitCode (137, killed, by default). */
  stopTask(taskArn: string, reason: string): Promise<void> {
    return this.#call('stopTask', () => {
      const task = this.#tasks.get(taskArn);
      if (task === undefined) throw new CloudError('not-found', `stopTask: no task ${taskArn}`);
      this.#stopTask(task, this.#clock.now(), reason, this.#options.stoppedExitCode);
    });
  }

  describe(): Promise<{ readonly instances: readonly CloudInstance[]; readonly tasks: readonly CloudTask[] }> {
    return this.#call('describe', () => {
      const now = this.#clock.now();
      const keepStoppedSince = now - this.#options.stoppedTaskRetentionSeconds * 1000;
      return {
        instances: [...this.#instances.values()].filter((i) => i.state !== 'terminated').map((i) => cloudInstanceOf(i)),
        tasks: [...this.#tasks.values()]
          .filter((t) => t.state !== 'STOPPED' || t.stoppedAt! >= keepStoppedSince)
          .map((t) => cloudTaskOf(t)),
      };
    });
  }

  pollEvents(): Promise<readonly CloudEvent[]> {
    return this.#call('pollEvents', () => {
      const fresh = this.#events;
      const delivered = [...fresh, ...this.#redeliveries];
      this.#events = [];
      // Only a first delivery may be duplicated, so each event arrives at most twice.
      this.#redeliveries = fresh.filter(() => chance(this.#random.duplicateEvents, this.#options.duplicateEventRate));
      return delivered;
    });
  }

  /** USD billed up to clock.now(): per second, 60 s minimum, from launch to termination. */
  costSoFar(): number {
    const now = this.#clock.now();
    let usd = 0;
    for (const i of this.#instances.values()) usd += billedUsd(i.launchedAt, i.terminatedAt ?? now, i.type.pricePerHour);
    return usd;
  }

  // ---- Inspection for tests and benchmarks: no latency, no throttling, not counted ----

  /** Every instance ever launched, terminated ones included, in launch order. */
  instances(): readonly SimInstance[] {
    this.#catchUp();
    return [...this.#instances.values()].map((i) => ({
      ...cloudInstanceOf(i),
      ...(i.registration && { registeredAt: i.registration.at }),
      ...(i.terminatedAt !== undefined && { terminatedAt: i.terminatedAt }),
      neverRegisters: i.neverRegisters,
    }));
  }

  /** Every task ever started, stopped ones included, in start order. */
  tasks(): readonly SimTask[] {
    this.#catchUp();
    return [...this.#tasks.values()].map((t) => ({
      ...cloudTaskOf(t),
      startedAt: t.startedAt,
      ...(t.runningAt !== undefined && { runningAt: t.runningAt }),
      ...(t.stoppedAt !== undefined && { stoppedAt: t.stoppedAt }),
    }));
  }

  apiCalls(): ApiCallCounts {
    return this.#calls.counts();
  }

  /** How many tasks were started for the job, all attempts together. */
  startedTaskCount(jobId: string): number {
    return this.#startsByJob.get(jobId) ?? 0;
  }

  /** How many starts the sim refused as DUPLICATE: a correct controller makes none. */
  duplicateStartAttempts(): number {
    return this.#duplicateStartAttempts;
  }

  // ---- Internals ----

  /** Latency, then catching up with time, then maybe throttling, then the operation. */
  async #call<T>(operation: SimOperation, act: () => T): Promise<T> {
    if (this.#options.apiLatencyMs > 0) await this.#clock.sleep(this.#options.apiLatencyMs);
    this.#catchUp();
    if (chance(this.#random.throttle, this.#options.throttleRate)) {
      this.#calls.record(operation, 'throttled');
      throw new CloudError('throttled', `${operation}: Rate exceeded`);
    }
    try {
      const result = act();
      this.#calls.record(operation, 'ok');
      return result;
    } catch (error) {
      this.#calls.recordError(operation, error instanceof CloudError ? error.code : 'other');
      throw error;
    }
  }

  #catchUp(): void {
    this.#timeline.runUntil(this.#clock.now());
  }

  #launch(typeName: string, count: number, clientToken: string): readonly CloudInstance[] {
    const earlier = this.#launches.get(clientToken);
    if (earlier !== undefined) {
      if (earlier.type !== typeName || earlier.count !== count) {
        throw new CloudError('other', `launch: client token ${clientToken} was used for ${earlier.count} × ${earlier.type}`);
      }
      return earlier.instanceIds.map((id) => cloudInstanceOf(this.#instances.get(id)!));
    }
    const type = this.#catalog.get(typeName);
    if (type === undefined) throw new CloudError('unsupported-type', `launch: instance type ${typeName} is not offered`);
    if (!(Number.isInteger(count) && count >= 1)) throw new CloudError('other', `launch: count must be a positive integer, got ${count}`);
    if (chance(this.#random.capacity, probabilityFor(typeName, this.#options.capacityErrors))) {
      throw new CloudError('insufficient-capacity', `launch: insufficient capacity for ${typeName}`);
    }
    const now = this.#clock.now();
    const launched: InstanceRecord[] = [];
    for (let n = 0; n < count; n++) {
      const serial = this.#nextInstanceSerial++;
      const instance: InstanceRecord = {
        instanceId: instanceIdFor(serial),
        type,
        launchedAt: now,
        neverRegisters: chance(this.#random.neverRegister, probabilityFor(typeName, this.#options.neverRegister)),
        state: 'pending',
        draining: false,
        liveTasks: new Set(),
        allocated: ZERO,
      };
      const jitterSeconds = (2 * this.#random.boot() - 1) * this.#options.bootJitterSeconds;
      const bootSeconds = Math.max(0, this.#options.bootSeconds + jitterSeconds);
      this.#schedule(now + Math.round(bootSeconds * 1000), (at) => this.#boot(instance, serial, at));
      this.#instances.set(instance.instanceId, instance);
      launched.push(instance);
    }
    this.#launches.set(clientToken, { type: typeName, count, instanceIds: launched.map((i) => i.instanceId) });
    return launched.map((i) => cloudInstanceOf(i));
  }

  #boot(instance: InstanceRecord, serial: number, at: number): void {
    if (instance.state === 'terminated') return;
    instance.state = 'running';
    if (instance.neverRegisters) return;
    instance.registration = { containerInstanceArn: containerInstanceArnFor(serial), at };
    this.#emit({ kind: 'instance-registered', instance: cloudInstanceOf(instance) });
  }

  #startTasks(instanceId: string, specs: readonly TaskSpec[]): StartTasksResult {
    const instance = this.#instances.get(instanceId);
    if (instance === undefined) throw new CloudError('not-found', `startTasks: no instance ${instanceId}`);
    const started: CloudTask[] = [];
    const failed: { jobId: string; reason: string }[] = [];
    for (const spec of specs) {
      const refusal = this.#refusalOf(instance, spec);
      if (refusal !== undefined) {
        if (refusal === DUPLICATE_FAILURE) this.#duplicateStartAttempts++;
        failed.push({ jobId: spec.jobId, reason: refusal });
      } else {
        started.push(cloudTaskOf(this.#startTask(instance, spec)));
      }
    }
    return { started, failed };
  }

  /** Why ECS would not start this task here, or undefined when it would. */
  #refusalOf(instance: InstanceRecord, spec: TaskSpec): string | undefined {
    if (instance.registration === undefined || instance.state === 'terminated') return MISSING_FAILURE;
    if (instance.draining) return DRAINING_FAILURE;
    if (this.#liveTaskByJob.has(spec.jobId)) return DUPLICATE_FAILURE;
    const free = subtract(instance.type.allocatable, instance.allocated);
    const short = shortfall(spec.demand, free);
    return short.length > 0 ? RESOURCE_FAILURE[short[0]!] : undefined;
  }

  #startTask(instance: InstanceRecord, spec: TaskSpec): TaskRecord {
    const now = this.#clock.now();
    const task: TaskRecord = {
      taskArn: taskArnFor(this.#nextTaskSerial++),
      spec,
      instanceId: instance.instanceId,
      startedAt: now,
      state: 'PENDING',
      version: 1,
    };
    this.#tasks.set(task.taskArn, task);
    this.#liveTaskByJob.set(spec.jobId, task);
    this.#startsByJob.set(spec.jobId, (this.#startsByJob.get(spec.jobId) ?? 0) + 1);
    instance.liveTasks.add(task);
    instance.allocated = add(instance.allocated, spec.demand);
    this.#emit({ kind: 'task-state', task: cloudTaskOf(task) });

    const behaviour = this.#taskBehaviour(spec);
    const runningAt = now + this.#options.taskStartSeconds * 1000;
    const stoppedAt = runningAt + Math.max(0, behaviour.durationSeconds) * 1000;
    this.#schedule(runningAt, (at) => {
      if (task.state !== 'PENDING') return;
      task.state = 'RUNNING';
      task.runningAt = at;
      this.#bumpVersion(task);
    });
    this.#schedule(stoppedAt, (at) => this.#stopTask(task, at, EXITED_STOP_REASON, behaviour.exitCode));
    return task;
  }

  #stopTask(task: TaskRecord, at: number, stopReason: string, exitCode: number | undefined): void {
    if (task.state === 'STOPPED') return;
    task.state = 'STOPPED';
    task.stoppedAt = at;
    task.stopReason = stopReason;
    if (exitCode !== undefined) task.exitCode = exitCode;
    this.#liveTaskByJob.delete(task.spec.jobId);
    const instance = this.#instances.get(task.instanceId)!;
    instance.liveTasks.delete(task);
    instance.allocated = subtract(instance.allocated, task.spec.demand);
    this.#bumpVersion(task);
  }

  #bumpVersion(task: TaskRecord): void {
    task.version++;
    this.#emit({ kind: 'task-state', task: cloudTaskOf(task) });
  }

  #terminate(instanceIds: readonly string[]): void {
    const unknown = instanceIds.filter((id) => !this.#instances.has(id));
    if (unknown.length > 0) throw new CloudError('not-found', `terminate: no instance ${unknown.join(', ')}`);
    const now = this.#clock.now();
    for (const id of instanceIds) {
      const instance = this.#instances.get(id)!;
      if (instance.state === 'terminated') continue;
      for (const task of [...instance.liveTasks]) this.#stopTask(task, now, TERMINATED_STOP_REASON, undefined);
      instance.state = 'terminated';
      instance.terminatedAt = now;
      this.#emit({ kind: 'instance-terminated', instanceId: id });
    }
  }

  #schedule(at: number, apply: (at: number) => void): void {
    this.#timeline.schedule(at, apply);
    this.#onScheduled?.(at);
  }

  #emit(event: CloudEvent): void {
    this.#events.push(event);
  }
}

function chance(random: Random, probability: number): boolean {
  // No draw when the probability is 0, so an unused option consumes no randomness.
  return probability > 0 && random() < probability;
}

function cloudInstanceOf(i: InstanceRecord): CloudInstance {
  return {
    instanceId: i.instanceId,
    type: i.type.name,
    state: i.state,
    launchedAt: i.launchedAt,
    ...(i.registration && {
      registered: { containerInstanceArn: i.registration.containerInstanceArn, resources: i.type.allocatable, draining: i.draining },
    }),
  };
}

function cloudTaskOf(t: TaskRecord): CloudTask {
  return {
    taskArn: t.taskArn,
    jobId: t.spec.jobId,
    attempt: t.spec.attempt,
    instanceId: t.instanceId,
    state: t.state,
    demand: t.spec.demand,
    ...(t.exitCode !== undefined && { exitCode: t.exitCode }),
    ...(t.stopReason !== undefined && { stopReason: t.stopReason }),
    algorithm: t.spec.algorithm,
    startedAt: t.startedAt,
    version: t.version,
  };
}
