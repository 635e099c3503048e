// A stretch of loadmaster's life in virtual time: a config, jobs arriving at given
// times, and the real controller on the simulated cloud and the in-memory queue, run
// until every job has finished and the fleet is back to its warm minimum. Pure
// composition on a VirtualClock: no I/O, no real time; the same inputs give the same report.
import { pino } from 'pino';
import type { LoadmasterConfig } from '../config/config-schema.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import type { ControllerSettings } from '../controller/controller-settings.ts';
import type { ControllerView } from '../controller/controller-view.ts';
import { matchesTypePattern } from '../core/catalog/type-pattern.ts';
import type { FleetPolicy } from '../core/policies/fleet-policy.ts';
import { add, resources, ZERO, type Resources } from '../core/resources.ts';
import type { JobMessage } from '../jobs/job-message.ts';
import type { Logger } from '../log/logger.ts';
import type { TaskBehaviour } from '../adapters/sim/sim-options.ts';
import { simTaskBehaviour } from '../daemon/sim-task-behaviour.ts';
import { buildSimWorld, stopOnVirtualClock, type SimWorld } from './sim-world.ts';
import { costSplit, type CostSplit } from './cost-split.ts';
import { SucceededJobsWatch } from './succeeded-jobs-watch.ts';

export interface Arrival {
  /** Seconds from the start of the simulation. */
  readonly at: number;
  readonly message: JobMessage;
}

export interface SimulationOptions {
  readonly config: LoadmasterConfig;
  /** In any order; job ids must be distinct. */
  readonly arrivals: readonly Arrival[];
  /** Laid over the config's `controller` section. */
  readonly settings?: Partial<ControllerSettings>;
  /** The controller's log; silent unless given. */
  readonly logger?: Logger;
  /** Virtual seconds after which the run ends even if unfinished (default: the last arrival plus a day). */
  readonly limitSeconds?: number;
  /** Virtual seconds between two samples (default 30, or more for long runs so there are at most about 20,000). */
  readonly sampleSeconds?: number;
  /**
   * The placement and scaling policy (default: loadmaster's, as the config sets it). Its
   * batching, idle rule and consolidation replace the config's.
   */
  readonly policy?: FleetPolicy;
  /**
   * How each job's tasks run, by job id (a trace's recorded run time and exit code): the
   * first attempt exits with `exitCode`, later ones with 0. Jobs not in it run as the
   * config's sim section says.
   */
  readonly outcomes?: ReadonlyMap<string, JobOutcome>;
  /**
   * Loop period of the controller when nothing happens, in virtual seconds (default: the
   * config's reconcileSeconds, at least 300). When a job arrives or the simulated cloud has
   * news it is woken at the next multiple of the config's reconcileSeconds, no later than a
   * loop of that period would have found it, so this mostly sets how often it looks when
   * all is quiet; a longer one makes long traces faster to replay. Decisions may shift by
   * up to one reconcileSeconds (a loop timed from its last round sees some news earlier).
   */
  readonly quietTickSeconds?: number;
}

export interface JobOutcome {
  readonly durationSeconds: number;
  readonly exitCode: number;
}

/** The fleet and the queue at one moment, as the controller saw them. */
export interface SimulationSample {
  /** Seconds from the start. */
  readonly t: number;
  /** Nodes the controller keeps (every one billed), by instance type. */
  readonly nodesByType: Readonly<Record<string, number>>;
  /** Messages in the queue, held ones included: jobs not started yet. */
  readonly queueDepth: number;
  readonly runningJobs: number;
  /** Summed over those nodes: demand of running and bound jobs, and what the nodes offer. */
  readonly allocated: Resources;
  readonly allocatable: Resources;
  /** allocated / allocatable per dimension; 0 where nothing is allocatable. */
  readonly utilization: Resources;
  /** USD billed so far. */
  readonly cost: number;
}

/** One task the simulated cloud ran; times in seconds from the start. */
export interface SimulatedTask {
  readonly jobId: string;
  readonly attempt: number;
  readonly algorithm: string;
  readonly instanceId: string;
  readonly instanceType: string;
  readonly demand: Resources;
  readonly arrivedAt: number;
  readonly startedAt: number;
  readonly runningAt?: number;
  readonly stoppedAt?: number;
  /** Absent when the task did not exit on its own (its instance went away). */
  readonly exitCode?: number;
}

export interface SimulationReport {
  readonly jobs: number;
  readonly succeeded: number;
  readonly deadLettered: number;
  /** Every job finished and the fleet got back to its warm minimum before the limit. */
  readonly completed: boolean;
  /** USD billed from the start until the run ended (per second, 60 s minimum per instance). */
  readonly totalCost: number;
  /** totalCost split into booting, running tasks, empty and the 60 s minimum: they add up to it. */
  readonly costSplit: CostSplit;
  readonly simulatedSeconds: number;
  /**
   * Arrival to the start of the job's first task. A job that arrived but never started counts
   * as waiting until it was dead-lettered, or until the run ended: a run that starts nothing
   * shows its whole length, not 0.
   */
  readonly waitSeconds: { readonly p50: number; readonly p95: number; readonly max: number };
  /** Instances launched, by type (failed ones included). */
  readonly nodesLaunched: Readonly<Record<string, number>>;
  /** Instances still up when the run ended, by type: the warm minimum when it completed. */
  readonly nodesAtEnd: Readonly<Record<string, number>>;
  /** Every call the controller made to the simulated cloud, failed and throttled ones included. */
  readonly apiCalls: number;
  readonly apiCallsPerJob: number;
  /**
   * Allocated over allocatable resource-time per dimension, from the samples (each holds
   * until the next): busy stretches weigh by the capacity paid for, not by their length only.
   */
  readonly utilization: Resources;
  readonly samples: readonly SimulationSample[];
  readonly tasks: readonly SimulatedTask[];
}

const DEFAULT_SAMPLE_SECONDS = 30;
const MAX_DEFAULT_SAMPLES = 20_000;
const MIN_QUIET_TICK_SECONDS = 300;
const DEFAULT_GRACE_SECONDS = 24 * 3600;

export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const arrivals = checkedArrivals(options.arrivals);
  const lastArrival = arrivals.at(-1)?.at ?? 0;
  const sampleMs = (options.sampleSeconds ?? Math.max(DEFAULT_SAMPLE_SECONDS, Math.ceil(lastArrival / MAX_DEFAULT_SAMPLES))) * 1000;
  if (!(sampleMs > 0)) throw new RangeError(`runSimulation: sampleSeconds must be > 0, got ${options.sampleSeconds}`);
  const limitMs = (options.limitSeconds ?? lastArrival + DEFAULT_GRACE_SECONDS) * 1000;

  const clock = new VirtualClock();
  const origin = clock.now();
  const ended = new AbortController();
  // The controller is built after the cloud that wakes it.
  let wakeController = (): void => undefined;
  const wakes = new QuantizedWakes(clock, options.config.controller.reconcileSeconds * 1000, ended.signal, () => wakeController());
  const world = buildSimWorld({
    config: options.config,
    clock,
    logger: options.logger ?? pino({ level: 'silent' }),
    settings: {
      reconcileSeconds: options.quietTickSeconds ?? Math.max(options.config.controller.reconcileSeconds, MIN_QUIET_TICK_SECONDS),
      ...(options.policy ? policySettings(options.policy, options.config.controller.consolidation.utilizationBelow) : {}),
      ...options.settings,
    },
    sim: {
      onScheduled: (at) => wakes.at(at),
      ...(options.outcomes ? { taskBehaviour: replayed(options.outcomes, simTaskBehaviour(options.config.cloud.sim)) } : {}),
    },
  });
  const watch = new SucceededJobsWatch(world.cloud);
  const controller = world.newController({ cloud: watch, ...(options.policy ? { plan: options.policy.plan } : {}) });
  wakeController = () => controller.wake();

  let sent = 0;
  const feeding = (async () => {
    // Straight onto the queue, as the upload Lambdas do: the controller finds them on its next round.
    for (let i = 0; i < arrivals.length; ) {
      const at = arrivals[i]!.at;
      const batch: JobMessage[] = [];
      for (; i < arrivals.length && arrivals[i]!.at === at; i++) batch.push(arrivals[i]!.message);
      const wait = origin + at * 1000 - clock.now();
      if (wait > 0 && !(await sleepUnlessEnded(clock, wait, ended.signal))) return;
      await world.queue.send(batch);
      sent += batch.length;
      wakes.at(clock.now());
    }
  })();

  const samples: SimulationSample[] = [];
  const takeSample = (): void => void samples.push(sampleOf(controller.view(), world, origin));
  const sampling = (async () => {
    do takeSample();
    while (await sleepUnlessEnded(clock, sampleMs, ended.signal));
  })();

  const jobIds = new Set(arrivals.map((a) => a.message.jobId));
  const deadLettered = new DeadLetteredJobs(world, jobIds, () => (clock.now() - origin) / 1000);
  // Checked before every step of virtual time, so kept cheap: only this run's jobs ever reach the cloud and the dead-letter queue.
  const finishedJobs = (): number => {
    let finished = watch.succeeded().size;
    for (const id of deadLettered.seenAt().keys()) if (!watch.succeeded().has(id)) finished++;
    return finished;
  };
  const done = (): boolean => sent === arrivals.length && finishedJobs() === jobIds.size && atWarmMinimum(world);

  controller.start();
  const completed = await clock.runUntil(done, limitMs);
  const endedAt = clock.now();
  const totalCost = world.cloud.costSoFar();
  const split = costSplitOf(world, endedAt);
  const nodesAtEnd = countBy(world.cloud.instances().flatMap((i) => (i.state === 'terminated' ? [] : [i.type])));
  if (samples.at(-1)?.t !== (endedAt - origin) / 1000) takeSample();
  ended.abort();
  await Promise.all([feeding, sampling]);
  await stopOnVirtualClock(clock, controller);

  const succeeded = [...jobIds].filter((id) => watch.succeeded().has(id)).length;
  const tasks = tasksOf(world, arrivals, origin);
  const apiCalls = Object.values(world.cloud.apiCalls()).reduce((sum, c) => sum + c.ok + c.throttled + c.error, 0);
  return {
    jobs: jobIds.size,
    succeeded,
    // Every dead letter counts, even of a job that also succeeded: that would be a bug to see, not hide.
    deadLettered: deadLettered.seenAt().size,
    completed,
    totalCost,
    costSplit: split,
    simulatedSeconds: (endedAt - origin) / 1000,
    waitSeconds: firstAttemptWaits(tasks, unstartedWaits(arrivals, tasks, deadLettered.seenAt(), (endedAt - origin) / 1000)),
    nodesLaunched: countBy(world.cloud.instances().map((i) => i.type)),
    nodesAtEnd,
    apiCalls,
    apiCallsPerJob: jobIds.size > 0 ? apiCalls / jobIds.size : 0,
    utilization: timeWeightedUtilization(samples),
    samples,
    tasks,
  };
}

/**
 * Wake-ups of the controller on a grid of `periodMs`: news due at t wakes it at the first
 * grid point at or after t, once per point however much news is due there.
 */
class QuantizedWakes {
  readonly #clock: VirtualClock;
  readonly #periodMs: number;
  readonly #ended: AbortSignal;
  readonly #wake: () => void;
  readonly #pending = new Set<number>();

  constructor(clock: VirtualClock, periodMs: number, ended: AbortSignal, wake: () => void) {
    this.#clock = clock;
    this.#periodMs = periodMs;
    this.#ended = ended;
    this.#wake = wake;
  }

  at(dueAt: number): void {
    const point = Math.ceil(dueAt / this.#periodMs) * this.#periodMs;
    if (this.#pending.has(point)) return;
    this.#pending.add(point);
    void sleepUnlessEnded(this.#clock, Math.max(0, point - this.#clock.now()), this.#ended).then((due) => {
      this.#pending.delete(point);
      if (due) this.#wake();
    });
  }
}

/** The controller settings a policy replaces. */
function policySettings(policy: FleetPolicy, utilizationBelow: number): Partial<ControllerSettings> {
  return {
    consolidation: { enabled: policy.consolidation, utilizationBelow },
    batchIdleSeconds: policy.batch.idleSeconds,
    batchMaxSeconds: policy.batch.maxSeconds,
    idleSeconds: policy.idle.idleSeconds,
    idleEvaluationSeconds: policy.idle.evaluationSeconds,
    learnIdleSeconds: policy.idle.learned ?? false,
  };
}

/** Tasks run as recorded: the first attempt exits as it did, retries succeed; unrecorded jobs as `otherwise`. */
function replayed(outcomes: ReadonlyMap<string, JobOutcome>, otherwise: TaskBehaviour): TaskBehaviour {
  return (spec) => {
    const outcome = outcomes.get(spec.jobId);
    if (!outcome) return otherwise(spec);
    return { durationSeconds: outcome.durationSeconds, exitCode: spec.attempt === 1 ? outcome.exitCode : 0 };
  };
}

function checkedArrivals(arrivals: readonly Arrival[]): Arrival[] {
  const seen = new Set<string>();
  for (const { at, message } of arrivals) {
    if (!(Number.isFinite(at) && at >= 0)) throw new RangeError(`runSimulation: arrival of ${message.jobId} at ${at}; expected seconds >= 0`);
    if (seen.has(message.jobId)) throw new Error(`runSimulation: job id ${message.jobId} arrives twice; expected distinct job ids`);
    seen.add(message.jobId);
  }
  // Stable: arrivals at the same second keep their order.
  return [...arrivals].sort((a, b) => a.at - b.at);
}

/** Sleeps on the clock; false when the run ended first. */
async function sleepUnlessEnded(clock: VirtualClock, ms: number, ended: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(ms, ended);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ids of the simulation's jobs in the dead-letter queue, read incrementally (the queue only
 * appends), with when each was first seen there. The run reads them at every step of the
 * virtual clock (its end test), so that is when the job was dead-lettered.
 */
class DeadLetteredJobs {
  readonly #world: SimWorld;
  readonly #jobIds: ReadonlySet<string>;
  readonly #now: () => number;
  readonly #seenAt = new Map<string, number>();
  #read = 0;

  constructor(world: SimWorld, jobIds: ReadonlySet<string>, nowSeconds: () => number) {
    this.#world = world;
    this.#jobIds = jobIds;
    this.#now = nowSeconds;
  }

  /** Seconds from the start at which each dead-lettered job was first seen. */
  seenAt(): ReadonlyMap<string, number> {
    const letters = this.#world.queue.deadLetters();
    for (; this.#read < letters.length; this.#read++) {
      const id = jobIdOf(letters[this.#read]!.body);
      if (id !== undefined && this.#jobIds.has(id) && !this.#seenAt.has(id)) this.#seenAt.set(id, this.#now());
    }
    return this.#seenAt;
  }
}

function jobIdOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'jobId' in parsed && typeof parsed.jobId === 'string') return parsed.jobId;
  } catch {
    // Not JSON: no job id to read.
  }
  return undefined;
}

/**
 * Whether every instance still alive is one the warmNodes rules keep: it matches a pattern
 * whose alive instances do not exceed that pattern's minimum.
 */
function atWarmMinimum(world: SimWorld): boolean {
  const alive = world.cloud.instances().filter((i) => i.state !== 'terminated');
  const rules = Object.entries(world.settings.warmNodes);
  return alive.every((instance) =>
    rules.some(([pattern, minimum]) => matchesTypePattern(instance.type, pattern) && alive.filter((a) => matchesTypePattern(a.type, pattern)).length <= minimum),
  );
}

/** The bill up to `endAt` split by what the instances were doing, priced as the sim bills them. */
function costSplitOf(world: SimWorld, endAt: number): CostSplit {
  const priceOf = new Map(world.catalog.map((type) => [type.name, type.pricePerHour]));
  return costSplit(world.cloud.instances(), world.cloud.tasks(), (type) => {
    const price = priceOf.get(type);
    // The sim launches only types of this catalog, so a miss is a bug, not an input error.
    if (price === undefined) throw new Error(`costSplitOf: instance type ${type} is not in the simulated catalog`);
    return price;
  }, endAt);
}

function sampleOf(view: ControllerView, world: SimWorld, origin: number): SimulationSample {
  let allocated = ZERO;
  let allocatable = ZERO;
  for (const node of view.nodes) {
    allocated = add(allocated, node.allocated);
    allocatable = add(allocatable, node.allocatable);
  }
  return {
    t: (view.now - origin) / 1000,
    nodesByType: countBy(view.nodes.map((n) => n.type)),
    queueDepth: world.queue.depth(),
    runningJobs: view.running.length,
    allocated,
    allocatable,
    utilization: resources((d) => (allocatable[d] > 0 ? allocated[d] / allocatable[d] : 0)),
    cost: view.costSoFar ?? world.cloud.costSoFar(),
  };
}

/** Σ allocated·Δt / Σ allocatable·Δt per dimension, each sample holding until the next. */
function timeWeightedUtilization(samples: readonly SimulationSample[]): Resources {
  let used = ZERO;
  let offered = ZERO;
  for (let i = 0; i + 1 < samples.length; i++) {
    const seconds = samples[i + 1]!.t - samples[i]!.t;
    used = add(used, resources((d) => samples[i]!.allocated[d] * seconds));
    offered = add(offered, resources((d) => samples[i]!.allocatable[d] * seconds));
  }
  return resources((d) => (offered[d] > 0 ? used[d] / offered[d] : 0));
}

function tasksOf(world: SimWorld, arrivals: readonly Arrival[], origin: number): SimulatedTask[] {
  const arrivalOf = new Map(arrivals.map((a) => [a.message.jobId, a]));
  const typeOf = new Map(world.cloud.instances().map((i) => [i.instanceId, i.type]));
  const seconds = (ms: number): number => (ms - origin) / 1000;
  return world.cloud.tasks().map((t) => {
    const arrival = arrivalOf.get(t.jobId);
    return {
      jobId: t.jobId,
      attempt: t.attempt,
      algorithm: arrival?.message.algorithm ?? 'unknown',
      instanceId: t.instanceId,
      instanceType: typeOf.get(t.instanceId) ?? 'unknown',
      demand: t.demand,
      arrivedAt: arrival?.at ?? NaN,
      startedAt: seconds(t.startedAt),
      ...(t.runningAt !== undefined && { runningAt: seconds(t.runningAt) }),
      ...(t.stoppedAt !== undefined && { stoppedAt: seconds(t.stoppedAt) }),
      ...(t.exitCode !== undefined && { exitCode: t.exitCode }),
    };
  });
}

/**
 * How long each job that arrived by `endSeconds` and never started had waited: until it was
 * dead-lettered (seconds from the start, by id), or until the end.
 */
function unstartedWaits(arrivals: readonly Arrival[], tasks: readonly SimulatedTask[], deadLetteredAt: ReadonlyMap<string, number>, endSeconds: number): number[] {
  const started = new Set(tasks.map((t) => t.jobId));
  return arrivals.flatMap(({ at, message }) => (at <= endSeconds && !started.has(message.jobId) ? [Math.max(0, (deadLetteredAt.get(message.jobId) ?? endSeconds) - at)] : []));
}

/** Nearest-rank percentiles of arrival → first start, with the waits of jobs never started; all 0 when no job arrived. */
function firstAttemptWaits(tasks: readonly SimulatedTask[], unstarted: readonly number[]): SimulationReport['waitSeconds'] {
  const firstStart = new Map<string, number>();
  for (const t of tasks) {
    if (t.attempt !== 1 || Number.isNaN(t.arrivedAt)) continue;
    const wait = t.startedAt - t.arrivedAt;
    firstStart.set(t.jobId, Math.min(firstStart.get(t.jobId) ?? Infinity, wait));
  }
  const waits = [...firstStart.values(), ...unstarted].sort((a, b) => a - b);
  const rank = (q: number): number => (waits.length === 0 ? 0 : waits[Math.max(0, Math.ceil(q * waits.length) - 1)]!);
  return { p50: rank(0.5), p95: rank(0.95), max: rank(1) };
}

function countBy(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}
