import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { InstanceType } from '../core/catalog/instance-type.ts';
import { matchesTypePattern } from '../core/catalog/type-pattern.ts';
import { retireAt } from '../core/policies/fleet-policy.ts';
import { IdleGaps } from '../core/policies/idle-gaps.ts';
import type { FleetNode as PlannerFleetNode, JobConstraints, PlacementPolicy, Plan, PlannerInput, Release } from '../core/planner/plan-types.ts';
import { planFleet } from '../core/planner/planner.ts';
import { shareRuleJobs } from '../core/planner/share-rule.ts';
import { expectedReleases, nextRunTimeEstimate, releasesRecheckIn, type RunningTask } from '../core/planner/run-time-estimates.ts';
import { add, DIMENSIONS, subtract, ZERO, type Resources } from '../core/resources.ts';
import type { JobMessage } from '../jobs/job-message.ts';
import type { LoadmasterMetrics } from '../metrics/metrics.ts';
import type { Clock } from '../ports/clock.ts';
import { CloudError, type Cloud, type CloudInstance, type CloudTask, type TaskSpec } from '../ports/cloud.ts';
import type { HeldMessage, JobSource } from '../ports/job-source.ts';
import type { FinishWrite, WriteSpool } from '../ports/write-spool.ts';
import { ApiLimiter } from './api-limiter.ts';
import type { ApiOperation, ControllerSettings } from './controller-settings.ts';
import { STOPPING_REASON, type ControllerApi, type ControllerView, type DecisionView, type NodeLifecycle, type PendingJobView } from './controller-view.ts';
import { LaunchBatcher } from './launch-batcher.ts';

/** What the controller needs to know about jobs that depends on the config: validation, demand, retries. */
export interface JobRules {
  /** Why the message cannot run under this config, or undefined. */
  check(message: JobMessage): string | undefined;
  demandAndConstraints(message: JobMessage): { readonly demand: Resources; readonly constraints: JobConstraints };
  /** Whether a task that stopped with this exit code gets another attempt. */
  shouldRetry(message: JobMessage, exitCode: number | undefined): boolean;
  /** How long an attempt may run before its task is stopped (the algorithm's timeoutSeconds); undefined for an algorithm the config does not know. */
  timeoutSeconds(algorithm: string): number | undefined;
  parse(body: unknown): { ok: true; message: JobMessage } | { ok: false; reason: string };
}

export interface ControllerDeps {
  readonly clock: Clock;
  readonly cloud: Cloud;
  readonly queue: JobSource;
  readonly catalog: readonly InstanceType[];
  readonly policy: PlacementPolicy;
  readonly settings: ControllerSettings;
  readonly rules: JobRules;
  readonly logger: Logger;
  readonly metrics: LoadmasterMetrics;
  /** The placement planner; loadmaster's own unless a simulation runs a peer policy. */
  readonly plan?: (input: PlannerInput) => Plan;
  /** Keeps the retries and dead letters the queue refused across a restart; without it they live in memory only. */
  readonly spool?: WriteSpool;
  /** What the spool kept from before (its load()): written to the queue in the first round. */
  readonly keptWrites?: readonly FinishWrite[];
}

interface HeldJob {
  receipt: string;
  readonly messageId: string;
  readonly message: JobMessage;
  readonly sentAt: number;
  readonly demand: Resources;
  readonly constraints: JobConstraints;
  lastExtendedAt: number;
  /** When it first waited for room running tasks were to free (capacity-soon). */
  waitingForReleaseSince?: number;
  boundTo?: string;
  starting: boolean;
  reason?: PendingJobView['reason'];
}

interface FleetNode {
  readonly id: string;
  readonly type: string;
  state: NodeLifecycle;
  readonly launchedAt: number;
  registeredAt?: number;
  allocatable: Resources;
  /** Job ids of tasks on it that have not stopped. */
  readonly tasks: Set<string>;
  /** Job ids bound to it, not started yet. */
  readonly bound: Set<string>;
  /** When it last became empty (no tasks, nothing bound). */
  emptySince?: number;
}

interface RunningJob {
  readonly jobId: string;
  readonly message: JobMessage;
  readonly demand: Resources;
  readonly instanceId: string;
  readonly taskArn: string;
  /** The algorithm it runs: its message's, or for a task adopted without one, what the cloud says. */
  readonly algorithm: string;
  readonly startedAt: number;
  version: number;
  /** Set once its task was stopped for running past its timeout: the seconds it was allowed. */
  timedOutAfter?: number;
  /** Its algorithm's timeoutSeconds when it started (or was adopted). */
  readonly startedUnderTimeout?: number;
  /** Found running (restart, duplicate): its real start is unknown, so its run time teaches nothing. */
  readonly adopted?: boolean;
}

const MAX_DECISIONS = 300;
/** Rounds woken by something the round itself caused start at least this far apart, so a decision that keeps failing cannot spin the loop. */
const MIN_WOKEN_ROUND_GAP_MS = 1000;
/** Task versions remembered, running and stopped (stopped ones guard against late events). */
const MAX_REMEMBERED_TASKS = 100_000;
/** Messages asked for per receive() (the source splits it into calls of 10, some in parallel). */
const RECEIVE_BATCH = 100;
/** Jobs per StartTask call (the ECS maximum). */
const START_BATCH = 10;

/**
 * The reconcile loop: observe (cloud events, periodic resync, the queue) → plan (the
 * pure planner) → act (rate-limited cloud calls). It owns the state derived from
 * observations; all effects go through the ports and all time through the Clock, so
 * the same code runs on AWS in real time and on the simulated cloud in virtual time.
 */
/** What a config reload may change while the daemon runs. */
export type Reconfigurable = Pick<ControllerDeps, 'catalog' | 'policy' | 'settings' | 'rules'>;

/** A retry or dead letter written after a task stopped; kept until the queue accepts it, so a failed write loses nothing. */
export class Controller implements ControllerApi {
  #deps: ControllerDeps;
  readonly #held = new Map<string, HeldJob>();
  readonly #nodes = new Map<string, FleetNode>();
  readonly #running = new Map<string, RunningJob>();
  readonly #unavailableUntil = new Map<string, number>();
  readonly #decisions: DecisionView[] = [];
  #limiters: Record<ApiOperation, ApiLimiter>;
  #batcher: LaunchBatcher;
  /** Per task, the highest event version applied: duplicates and stale events are dropped. */
  readonly #taskVersions = new Map<string, number>();
  /** Nodes that get no new jobs this round so they can empty (batch consolidation). */
  #consolidating = new Set<string>();
  #ready = false;
  #stopping = false;
  #lastResyncAt = -Infinity;
  #launchCounter = 0;
  #wake: AbortController = new AbortController();
  /** A wake-up that came while a round ran: the next sleep is skipped. */
  #wokenDuringRound = false;
  #inRound = false;
  #nextWakeAt: number | undefined;
  /** The soonest a running task's timeout is due, as of the last look; -Infinity: look again (a task started, the config changed). */
  #nextTimeoutAt = -Infinity;
  /** Per algorithm, its tasks' expected run time in seconds, from those that finished. */
  readonly #runTimes = new Map<string, number>();
  /** Seconds from launch to registration of the instances this process launched (weighted as run times are); undefined before the first. */
  #bootSeconds: number | undefined;
  /** How long empty nodes waited for their next job, per type (controller.learnIdleSeconds). */
  readonly #idleGaps = new IdleGaps();
  /** Background work (finishing jobs, deleting duplicates) not settled yet: stop() waits for it. */
  readonly #inBackground = new Set<Promise<unknown>>();
  /** Finish writes the queue has not accepted yet, retried every round. */
  #unwritten: FinishWrite[] = [];
  /** The spool saves, one after another. */
  #spoolSaves: Promise<void> = Promise.resolve();
  /** Unwritten writes being sent right now (#flushUnwritten): the spool keeps them until the queue took them. */
  #inFlight: readonly FinishWrite[] = [];
  #loop: Promise<void> | undefined;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
    this.#unwritten = [...(deps.keptWrites ?? [])];
    this.#limiters = limitersFor(deps);
    this.#batcher = new LaunchBatcher(deps.settings.batchIdleSeconds * 1000, deps.settings.batchMaxSeconds * 1000);
  }

  /** A reloaded config: takes effect from the next round; nodes, jobs and tasks are kept. */
  reconfigure(update: Reconfigurable): void {
    this.#deps = { ...this.#deps, ...update };
    this.#nextTimeoutAt = -Infinity;
    this.#limiters = limitersFor(this.#deps);
    this.#batcher = new LaunchBatcher(update.settings.batchIdleSeconds * 1000, update.settings.batchMaxSeconds * 1000);
    this.#decide('reload', 'configuration reloaded');
    this.#wakeUp();
  }

  /** Adopts what the cloud already runs, then loops until stop(). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Graceful stop: no more receiving, held jobs that have not started go back to the
   * queue (unless `handBack` is false, which is how a crash looks to the queue),
   * in-flight calls finish. Resolves when done.
   */
  async stop(options: { readonly handBack?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    this.#wake.abort();
    await this.#loop;
    await Promise.all(Object.values(this.#limiters).map((l) => l.idle()));
    await Promise.allSettled([...this.#inBackground]);
    // A last try for retries and dead letters the queue refused; what still fails is logged whole, so an operator can re-send it.
    await this.#writeUnwritten();
    await this.#spoolSaves;
    const kept = this.#deps.spool !== undefined ? 'it stays in the spool and is written when loadmaster starts again' : 're-send the body to keep the job';
    for (const write of this.#unwritten) {
      this.#deps.logger.error(
        { jobId: write.message.jobId, write: write.kind, body: JSON.stringify(write.message), ...(write.kind === 'dead-letter' ? { reason: write.reason } : {}) },
        `stopping with the ${write.kind} of job ${write.message.jobId} unwritten: the queue refused it; ${kept}`,
      );
    }
    const unstarted = [...this.#held.values()].filter((j) => !j.starting);
    if (unstarted.length > 0 && options.handBack !== false) {
      await this.#deps.queue.release(unstarted.map((j) => j.receipt));
      this.#decide('release', `handed ${unstarted.length} held job(s) back to the queue on shutdown`);
      for (const j of unstarted) this.#held.delete(j.message.jobId);
    }
  }

  isReady(): boolean {
    return this.#ready;
  }

  isStopping(): boolean {
    return this.#stopping;
  }

  async submit(bodies: readonly unknown[]): Promise<{ accepted: string[]; rejected: { index: number; reason: string }[] }> {
    if (this.#stopping) {
      // An in-memory queue would go with this process: a job taken now could be lost.
      return { accepted: [], rejected: bodies.map((_, index) => ({ index, reason: STOPPING_REASON })) };
    }
    const accepted: JobMessage[] = [];
    const rejected: { index: number; reason: string }[] = [];
    bodies.forEach((body, index) => {
      const parsed = this.#deps.rules.parse(body);
      const reason = parsed.ok ? this.#deps.rules.check(parsed.message) : parsed.reason;
      if (reason !== undefined || !parsed.ok) rejected.push({ index, reason: reason ?? 'invalid' });
      else accepted.push(parsed.message);
    });
    if (accepted.length > 0) {
      await this.#deps.queue.send(accepted);
      this.#wakeUp();
    }
    return { accepted: accepted.map((m) => m.jobId), rejected };
  }

  view(): ControllerView {
    const now = this.#deps.clock.now();
    const pending: PendingJobView[] = [...this.#held.values()].map((j) => ({
      jobId: j.message.jobId,
      algorithm: j.message.algorithm,
      priority: j.message.priority,
      attempt: j.message.attempt,
      waitingSeconds: (now - j.sentAt) / 1000,
      ...(j.boundTo ? { boundTo: j.boundTo } : {}),
      ...(j.reason ? { reason: j.reason } : {}),
    }));
    return {
      now,
      ready: this.#ready,
      pending,
      nodes: [...this.#nodes.values()].map((n) => ({
        id: n.id,
        type: n.type,
        state: n.state,
        launchedAt: n.launchedAt,
        ...(n.registeredAt !== undefined ? { registeredAt: n.registeredAt } : {}),
        allocatable: n.allocatable,
        allocated: this.#allocated(n),
        tasks: n.tasks.size,
        boundJobs: n.bound.size,
        ...(n.emptySince !== undefined ? { idleSeconds: (now - n.emptySince) / 1000 } : {}),
        pricePerHour: this.#type(n.type)?.pricePerHour ?? 0,
        ...(this.#consolidating.has(n.id) ? { consolidating: true } : {}),
      })),
      running: [...this.#running.values()].map((r) => ({
        jobId: r.jobId,
        algorithm: r.message.algorithm,
        attempt: r.message.attempt,
        instanceId: r.instanceId,
        startedAt: r.startedAt,
      })),
      recentDecisions: this.#decisions.slice(),
      hourlyCost: this.#hourlyCost(),
      ...(this.#deps.cloud.costSoFar ? { costSoFar: this.#deps.cloud.costSoFar() } : {}),
      runTimes: Object.fromEntries(this.#runTimes),
      ...(this.#bootSeconds !== undefined ? { bootSeconds: this.#bootSeconds } : {}),
    };
  }

  /** One observe → plan → act round; the loop calls it, and tests may too. */
  async reconcileOnce(): Promise<void> {
    const { clock, settings } = this.#deps;
    this.#nextWakeAt = undefined;
    const now = clock.now();
    if (now - this.#lastResyncAt >= settings.resyncSeconds * 1000) await this.#resync();
    await this.#applyEvents();
    await this.#writeUnwritten();
    await this.#failSlowLaunches();
    if (!this.#stopping) await this.#receive();
    await this.#extendVisibility();
    await this.#stopTimedOutTasks();
    await this.#startBoundJobs();
    await this.#planAndAct();
    await this.#shutDownIdleNodes();
    this.#updateGauges();
  }

  async #run(): Promise<void> {
    const { clock, settings, logger } = this.#deps;
    while (!this.#stopping) {
      this.#inRound = true;
      this.#wokenDuringRound = false;
      const roundStartedAt = clock.now();
      try {
        await this.reconcileOnce();
        this.#ready = true;
      } catch (error) {
        // A failed round is logged and retried; the daemon never stops on it.
        logger.error({ err: error }, 'reconcile round failed');
      }
      this.#inRound = false;
      if (this.#stopping) break;
      const now = clock.now();
      const wakeAt = this.#wokenDuringRound
        ? Math.max(now, roundStartedAt + MIN_WOKEN_ROUND_GAP_MS)
        : Math.min(now + settings.reconcileSeconds * 1000, this.#nextWakeAt ?? Infinity);
      this.#wake = new AbortController();
      await clock.sleep(Math.max(1, wakeAt - now), this.#wake.signal).catch(() => undefined);
    }
  }

  /** Something happened (a message arrived, the cloud has news): run a round now instead of at the next tick. */
  wake(): void {
    this.#wakeUp();
  }

  #wakeUp(): void {
    if (this.#inRound) this.#wokenDuringRound = true;
    this.#wake.abort();
  }

  #wakeAt(at: number): void {
    this.#nextWakeAt = Math.min(this.#nextWakeAt ?? Infinity, at);
  }

  // ---- observe -------------------------------------------------------------------

  /** Full observation: adopt instances and tasks the state does not know (restart), drop what is gone. */
  async #resync(): Promise<void> {
    const { clock } = this.#deps;
    const observed = await this.#call('describe', 'describe', () => this.#deps.cloud.describe());
    if (!observed) return;
    this.#lastResyncAt = clock.now();
    const alive = new Set<string>();
    for (const instance of observed.instances) {
      if (instance.state === 'terminated') continue;
      alive.add(instance.instanceId);
      const node = this.#nodes.get(instance.instanceId) ?? this.#adoptInstance(instance);
      if (instance.registered && node.state === 'launching') this.#markRegistered(node, instance);
    }
    for (const node of [...this.#nodes.values()]) {
      if (!alive.has(node.id) && node.state !== 'launching') this.#forgetNode(node, 'gone from the cloud');
    }
    for (const task of observed.tasks) this.#applyTask(task);
  }

  #adoptInstance(instance: CloudInstance): FleetNode {
    const node: FleetNode = {
      id: instance.instanceId,
      type: instance.type,
      state: instance.registered ? (instance.registered.draining ? 'draining' : 'registered') : 'launching',
      launchedAt: instance.launchedAt,
      allocatable: instance.registered?.resources ?? this.#type(instance.type)?.allocatable ?? ZERO,
      tasks: new Set(),
      bound: new Set(),
      emptySince: this.#deps.clock.now(),
    };
    if (instance.registered) node.registeredAt = this.#deps.clock.now();
    this.#nodes.set(node.id, node);
    this.#decide('adopt', `adopted ${instance.type} ${instance.instanceId} (${node.state})`, { instanceId: node.id });
    return node;
  }

  async #applyEvents(): Promise<void> {
    const events = await this.#call(undefined, 'pollEvents', () => this.#deps.cloud.pollEvents());
    for (const event of events ?? []) {
      if (event.kind === 'instance-registered') {
        const node = this.#nodes.get(event.instance.instanceId) ?? this.#adoptInstance(event.instance);
        if (node.state === 'launching') this.#markRegistered(node, event.instance);
      } else if (event.kind === 'instance-terminated') {
        const node = this.#nodes.get(event.instanceId);
        if (node) this.#forgetNode(node, 'terminated');
      } else {
        this.#applyTask(event.task);
      }
    }
  }

  #markRegistered(node: FleetNode, instance: CloudInstance): void {
    node.state = instance.registered?.draining ? 'draining' : 'registered';
    node.registeredAt = this.#deps.clock.now();
    if (instance.registered) node.allocatable = instance.registered.resources;
    const bootSeconds = (node.registeredAt - node.launchedAt) / 1000;
    this.#bootSeconds = nextRunTimeEstimate(this.#bootSeconds, bootSeconds);
    const seconds = bootSeconds.toFixed(0);
    this.#decide('registered', `${node.type} ${node.id} registered after ${seconds} s with ${node.bound.size} job(s) bound`, { instanceId: node.id });
  }

  /** A task's state, from an event or a resync; older or repeated versions are ignored. */
  #applyTask(task: CloudTask): void {
    const known = this.#taskVersions.get(task.taskArn) ?? -1;
    if (task.version <= known) return;
    this.#taskVersions.set(task.taskArn, task.version);
    const running = this.#running.get(task.jobId);
    if (task.state !== 'STOPPED') {
      if (!running) this.#adoptTask(task);
      return;
    }
    if (!running) return;
    this.#running.delete(task.jobId);
    this.#nextTimeoutAt = -Infinity; // it may have been the soonest due
    if (task.exitCode === 0 && !running.adopted && !stoppedForTimeout(running, task)) {
      const algorithm = running.message.algorithm;
      this.#runTimes.set(algorithm, nextRunTimeEstimate(this.#runTimes.get(algorithm), (this.#deps.clock.now() - running.startedAt) / 1000));
    }
    // The STOPPED version stays recorded, so a late, older event cannot revive the task.
    this.#forgetOldTaskVersions();
    const node = this.#nodes.get(running.instanceId);
    if (node) {
      node.tasks.delete(task.jobId);
      this.#noteIfEmpty(node);
    }
    this.#background(this.#finish(running, task), `finishing job ${task.jobId}`);
  }

  /** Keeps the version memory bounded: the oldest entries (long stopped) go first. */
  #forgetOldTaskVersions(): void {
    for (const arn of this.#taskVersions.keys()) {
      if (this.#taskVersions.size <= MAX_REMEMBERED_TASKS) break;
      this.#taskVersions.delete(arn);
    }
  }

  /** A task this process did not start (restart, or a duplicate delivery's first copy): track it, never start it again. */
  #adoptTask(task: CloudTask): void {
    const held = this.#held.get(task.jobId);
    const message: JobMessage = held?.message ?? {
      version: 1,
      jobId: task.jobId,
      algorithm: 'unknown',
      inputs: [],
      outputPrefix: '',
      env: {},
      priority: 0,
      attempt: task.attempt,
    };
    this.#nextTimeoutAt = -Infinity;
    const algorithm = message.algorithm !== 'unknown' ? message.algorithm : (task.algorithm ?? 'unknown');
    this.#running.set(task.jobId, {
      jobId: task.jobId,
      message,
      demand: task.demand,
      instanceId: task.instanceId,
      taskArn: task.taskArn,
      algorithm,
      ...optionalTimeout(this.#deps.rules.timeoutSeconds(algorithm)),
      // Its real start where the cloud tells it, so a restart does not reset its timeout.
      startedAt: task.startedAt ?? this.#deps.clock.now(),
      version: task.version,
      adopted: true,
    });
    const node = this.#nodes.get(task.instanceId);
    if (node) {
      node.tasks.add(task.jobId);
      delete node.emptySince;
    }
    if (held && !held.starting) {
      // The job already runs: its message is a duplicate, remove it without a second start.
      this.#unbind(held);
      this.#held.delete(task.jobId);
      this.#background(this.#deps.queue.delete([held.receipt]), `deleting the duplicate message of job ${task.jobId}`);
      this.#decide('duplicate', `job ${task.jobId} already runs as ${task.taskArn}; its message is deleted, nothing started twice`, { jobId: task.jobId });
    }
  }

  async #finish(running: RunningJob, task: CloudTask): Promise<void> {
    const { metrics, rules } = this.#deps;
    const { message } = running;
    // A task stopped for its timeout failed, whatever its container exited with on SIGTERM.
    const timedOut = stoppedForTimeout(running, task);
    if (task.exitCode === 0 && !timedOut) {
      metrics.jobsFinished.inc({ outcome: 'succeeded' });
      this.#decide('finished', `job ${message.jobId} succeeded on ${running.instanceId}`, { jobId: message.jobId, instanceId: running.instanceId });
      return;
    }
    const stopped = task.exitCode === undefined ? (task.stopReason ?? 'stopped') : `exit code ${task.exitCode}`;
    const why = !timedOut ? stopped : running.timedOutAfter !== undefined ? `timed out after ${running.timedOutAfter} s, ${stopped}` : `timed out (${task.stopReason}), ${stopped}`;
    if (message.algorithm !== 'unknown' && rules.shouldRetry(message, task.exitCode)) {
      metrics.jobsFinished.inc({ outcome: 'retried' });
      const written = await this.#write({ kind: 'retry', message: { ...message, attempt: message.attempt + 1 } });
      const next = written ? `enqueued attempt ${message.attempt + 1}` : `attempt ${message.attempt + 1} is kept until the queue takes it`;
      this.#decide('retry', `job ${message.jobId} attempt ${message.attempt} failed (${why}); ${next}`, { jobId: message.jobId });
      this.#wakeUp();
    } else {
      metrics.jobsFinished.inc({ outcome: 'dead_lettered' });
      const written = await this.#write({ kind: 'dead-letter', message, reason: `attempt ${message.attempt} failed (${why}); no retry left` });
      const where = written ? 'dead-lettered' : 'its dead letter is kept until the queue takes it';
      this.#decide('dead-letter', `job ${message.jobId} failed (${why}) and has no retry left: ${where}`, { jobId: message.jobId });
    }
  }

  /**
   * Stops the tasks that have run past their algorithm's timeoutSeconds, counted from their
   * start (when this process started them, or the start the cloud reports for a task found
   * after a restart). The stopped task then fails its attempt as any failure does: another
   * attempt if the retry rules take its exit code, else a dead letter.
   */
  async #stopTimedOutTasks(): Promise<void> {
    const { clock, rules, settings } = this.#deps;
    const now = clock.now();
    if (now < this.#nextTimeoutAt) {
      this.#wakeAt(this.#nextTimeoutAt);
      return;
    }
    const due: { running: RunningJob; timeout: number }[] = [];
    let next = Infinity;
    for (const running of this.#running.values()) {
      if (running.timedOutAfter !== undefined) continue;
      // The config's timeout now; an algorithm a reload removed keeps the one its task started under.
      const timeout = rules.timeoutSeconds(running.algorithm) ?? running.startedUnderTimeout;
      if (timeout === undefined) continue;
      const dueAt = running.startedAt + timeout * 1000;
      if (now < dueAt) next = Math.min(next, dueAt);
      else due.push({ running, timeout });
    }
    // Stops share the terminate budget (both take work away from the cluster); a round makes
    // about two seconds' worth of them, so a mass timeout cannot hold up receiving and starting.
    const stopping = due.slice(0, Math.max(1, Math.ceil(settings.api.terminate.perSecond * 2)));
    if (stopping.length < due.length) next = now;
    this.#nextTimeoutAt = next;
    if (Number.isFinite(next)) this.#wakeAt(next);
    await Promise.all(
      stopping.map(async ({ running, timeout }) => {
        const { jobId, message, instanceId, taskArn } = running;
        const reason = `${TIMEOUT_STOP_REASON} job ${jobId} ran past its ${timeout} s timeout (algorithms.${running.algorithm}.timeoutSeconds)`;
        const stopped = await this.#call('terminate', 'stopTask', () => this.#deps.cloud.stopTask(taskArn, reason).then(() => true));
        if (stopped !== true) {
          this.#nextTimeoutAt = now; // failed: the next round tries again
          return;
        }
        running.timedOutAfter = timeout;
        this.#decide('timeout', `job ${jobId} (attempt ${message.attempt}) ran ${((now - running.startedAt) / 1000).toFixed(0)} s on ${instanceId}, past its ${timeout} s timeout: stopping task ${taskArn}`, { jobId, instanceId });
      }),
    );
  }

  /** Writes a retry or dead letter; one the queue refuses is kept and written again next round. Whether it was written. */
  async #write(write: FinishWrite): Promise<boolean> {
    const { queue, logger } = this.#deps;
    try {
      if (write.kind === 'retry') await queue.send([write.message]);
      else await queue.deadLetter(undefined, JSON.stringify(write.message), write.reason);
      return true;
    } catch (error) {
      this.#unwritten.push(write);
      this.#saveUnwritten();
      logger.warn({ err: error, jobId: write.message.jobId }, `writing the ${write.kind} of job ${write.message.jobId} failed; trying again next round`);
      return false;
    }
  }

  /** The spool follows #unwritten: each save writes what is unwritten when it runs. */
  #saveUnwritten(): void {
    const { spool, logger } = this.#deps;
    if (spool === undefined) return;
    this.#spoolSaves = this.#spoolSaves.then(async () => {
      try {
        await spool.save([...this.#inFlight, ...this.#unwritten]);
      } catch (error) {
        logger.error({ err: error }, `saving ${this.#unwritten.length} unwritten retry/dead-letter write(s) to the spool failed; they are kept in memory and saved again at the next change`);
      }
    });
  }

  /** Retries in one send; dead letters one by one, stopping at the first the queue refuses (it is down: next round). */
  async #writeUnwritten(): Promise<void> {
    if (this.#unwritten.length === 0) return;
    try {
      await this.#flushUnwritten();
    } finally {
      this.#saveUnwritten();
    }
  }

  async #flushUnwritten(): Promise<void> {
    const pending = this.#unwritten;
    this.#unwritten = [];
    const retries = pending.filter((w) => w.kind === 'retry');
    const deadLetters = pending.filter((w) => w.kind === 'dead-letter');
    // While sent they are in #inFlight, so a spool save in between (a finish write failing
    // meanwhile) still keeps them: what is in flight plus what is unwritten, each once.
    this.#inFlight = pending;
    try {
      try {
        if (retries.length > 0) await this.#deps.queue.send(retries.map((w) => w.message));
      } catch (error) {
        this.#inFlight = [];
        this.#unwritten.push(...pending);
        this.#deps.logger.warn({ err: error }, `writing ${retries.length} retried job(s) failed again; trying again next round`);
        return;
      }
      for (const [i, write] of deadLetters.entries()) {
        this.#inFlight = deadLetters.slice(i); // a save right as one fails may keep it twice, never not at all
        if (!(await this.#write(write))) {
          this.#inFlight = [];
          this.#unwritten.push(...deadLetters.slice(i + 1));
          return;
        }
      }
    } finally {
      this.#inFlight = [];
    }
  }

  /** Launching nodes that never registered: terminate, avoid their type for a while, re-plan their jobs. */
  async #failSlowLaunches(): Promise<void> {
    const { clock, settings } = this.#deps;
    const now = clock.now();
    for (const node of this.#nodes.values()) {
      if (node.state !== 'launching') continue;
      const deadline = node.launchedAt + settings.registrationTimeoutSeconds * 1000;
      if (now < deadline) {
        this.#wakeAt(deadline);
        continue;
      }
      node.state = 'failed';
      this.#unavailableUntil.set(node.type, now + settings.unavailableTypeSeconds * 1000);
      const jobs = [...node.bound];
      for (const id of jobs) {
        const held = this.#held.get(id);
        if (held) this.#unbind(held);
      }
      this.#decide(
        'launch-failed',
        `${node.type} ${node.id} did not register within ${settings.registrationTimeoutSeconds} s: terminating it, avoiding ${node.type} for ${settings.unavailableTypeSeconds} s, re-planning ${jobs.length} job(s)`,
        { instanceId: node.id },
      );
      await this.#terminate([node], 'never registered');
    }
  }

  async #receive(): Promise<void> {
    const { queue, settings, metrics } = this.#deps;
    let room = settings.maxHeldJobs - this.#held.size;
    while (room > 0) {
      const asked = Math.min(RECEIVE_BATCH, room);
      const { held, rejected } = await queue.receive(asked);
      for (const r of rejected) {
        metrics.jobsRejected.inc();
        await queue.deadLetter(r.receipt, r.body, r.reason);
        this.#decide('dead-letter', `invalid message dead-lettered: ${r.reason}`);
      }
      for (const m of held) this.#hold(m);
      room = settings.maxHeldJobs - this.#held.size;
      // Fewer than asked: the queue has nothing more visible right now.
      if (held.length + rejected.length < asked) break;
    }
  }

  #hold(m: HeldMessage): void {
    const { queue, rules, metrics, clock } = this.#deps;
    const { jobId } = m.message;
    const running = this.#running.get(jobId);
    if (running) {
      // Already started (a duplicate delivery, or a retry racing its own first copy). An
      // adopted task's message may be a stand-in (after a restart): nothing to compare.
      this.#settleDuplicate(m, running.adopted === true ? undefined : running.message, 'already runs');
      return;
    }
    const existing = this.#held.get(jobId);
    if (existing?.messageId === m.messageId) {
      // The same message again (its visibility ran out): keep the newest receipt.
      existing.receipt = m.receipt;
      return;
    }
    if (existing) {
      // Another message with the same job id, the idempotency key: the job runs once.
      this.#settleDuplicate(m, existing.message, 'is already held');
      return;
    }
    const problem = rules.check(m.message);
    if (problem !== undefined) {
      metrics.jobsRejected.inc();
      this.#background(queue.deadLetter(m.receipt, JSON.stringify(m.message), problem), `dead-lettering job ${jobId}`);
      this.#decide('dead-letter', `job ${jobId} rejected: ${problem}`, { jobId });
      return;
    }
    const { demand, constraints } = rules.demandAndConstraints(m.message);
    metrics.jobsReceived.inc();
    this.#held.set(jobId, { receipt: m.receipt, messageId: m.messageId, message: m.message, sentAt: m.sentAt, demand, constraints, lastExtendedAt: clock.now(), starting: false });
  }

  /**
   * A second message for a job that is held or runs: deleted when it asks for the same work
   * (its attempt aside), dead-lettered with the reason when it asks for other work under the
   * same job id, so it is neither run twice nor lost without a word.
   */
  #settleDuplicate(m: HeldMessage, kept: JobMessage | undefined, state: string): void {
    const { queue } = this.#deps;
    const { jobId } = m.message;
    if (kept === undefined || isDeepStrictEqual({ ...m.message, attempt: 0 }, { ...kept, attempt: 0 })) {
      this.#background(queue.delete([m.receipt]), `deleting the duplicate message of job ${jobId}`);
      this.#decide('duplicate', `job ${jobId} ${state}; duplicate message deleted`, { jobId });
      return;
    }
    const reason = `job id ${JSON.stringify(jobId)} ${state} with a different message; expected one message per job id (the id is the job's idempotency key)`;
    this.#background(queue.deadLetter(m.receipt, JSON.stringify(m.message), reason), `dead-lettering the conflicting message of job ${jobId}`);
    this.#decide('dead-letter', `job ${jobId}: conflicting message dead-lettered: ${reason}`, { jobId });
  }

  async #extendVisibility(): Promise<void> {
    const { clock, settings, queue } = this.#deps;
    const now = clock.now();
    const halfMs = (settings.visibilitySeconds * 1000) / 2;
    const due = [...this.#held.values()].filter((j) => now - j.lastExtendedAt >= halfMs);
    if (due.length > 0) {
      await queue.extendVisibility(
        due.map((j) => j.receipt),
        settings.visibilitySeconds,
      );
      for (const j of due) j.lastExtendedAt = now;
    }
    // The next extension is a deadline: a loop with a long period must not sleep past it.
    let next = Infinity;
    for (const j of this.#held.values()) next = Math.min(next, j.lastExtendedAt + halfMs);
    if (next < Infinity) this.#wakeAt(next);
  }

  // ---- plan and act --------------------------------------------------------------

  async #planAndAct(): Promise<void> {
    const { clock, catalog, policy, metrics } = this.#deps;
    const now = clock.now();
    const planned = [...this.#held.values()].filter((j) => !j.starting && j.boundTo === undefined);
    if (planned.length === 0) {
      this.#batcher.reset();
      return;
    }
    const available = catalog.filter((t) => (this.#unavailableUntil.get(t.name) ?? 0) <= now);
    const started = performance.now();
    const jobs = planned.map((j) => ({
      id: j.message.jobId,
      demand: j.demand,
      constraints: j.constraints,
      priority: j.message.priority,
      enqueuedAt: j.sentAt / 1000,
      algorithm: j.message.algorithm,
      mayWaitForRelease: j.waitingForReleaseSince === undefined || now - j.waitingForReleaseSince < (policy.reuseWithinSeconds ?? 0) * 1000,
      ...(this.#runTimes.has(j.message.algorithm) ? { expectedRunSeconds: this.#runTimes.get(j.message.algorithm)! } : {}),
    }));
    const planner = this.#deps.plan ?? planFleet;
    const consolidating = this.#consolidationCandidates();
    const warmPatterns = Object.keys(this.#deps.settings.warmNodes);
    const nodes: PlannerFleetNode[] = [...this.#nodes.values()].flatMap((n) =>
      n.state === 'launching' || n.state === 'registered' || n.state === 'draining'
        ? [
            {
              id: n.id,
              type: n.type,
              state: n.state,
              free: subtract(n.allocatable, this.#allocated(n)),
              // From the full catalog: `available` leaves out types avoided for a while, whose nodes still cost.
              pricePerHour: this.#type(n.type)?.pricePerHour ?? 0,
              releases: this.#releases(n, now),
              ...shareRuleJobs(n.type, n.tasks.size + n.bound.size, warmPatterns),
            },
          ]
        : [],
    );
    const planWith = (resting: ReadonlySet<string>) =>
      planner({
        jobs,
        nodes: resting.size === 0 ? nodes : nodes.map((n) => (resting.has(n.id) ? { ...n, state: 'draining' as const } : n)),
        catalog: available,
        policy,
        ...(this.#bootSeconds !== undefined ? { expectedBootSeconds: this.#bootSeconds } : {}),
      });
    let plan = planWith(consolidating);
    // Never buy while a node left to empty still has room: then it takes work again.
    if (plan.launches.length > 0 && consolidating.size > 0) {
      plan = planWith(new Set());
      this.#consolidating = new Set();
    } else {
      this.#noteConsolidation(consolidating);
    }
    metrics.planDurationSeconds.observe((performance.now() - started) / 1000);

    for (const { jobId, reason } of plan.waiting) {
      const held = this.#held.get(jobId)!;
      held.reason = reason;
      if (reason.code !== 'capacity-soon') continue;
      held.waitingForReleaseSince ??= now;
      // Its wait for released room runs out then: plan it again, with capacity of its own.
      this.#wakeAt(held.waitingForReleaseSince + (policy.reuseWithinSeconds ?? 0) * 1000 + 1);
    }
    if (plan.waiting.some((w) => w.reason.code === 'capacity-soon')) this.#wakeForExpiringReleases(now);
    for (const { jobId, nodeId } of plan.bindings) this.#bind(this.#held.get(jobId)!, this.#nodes.get(nodeId)!);

    const byNode = new Map<string, HeldJob[]>();
    for (const { jobId, nodeId } of plan.starts) byNode.set(nodeId, [...(byNode.get(nodeId) ?? []), this.#held.get(jobId)!]);
    const starting = [...byNode].map(([nodeId, jobs]) => this.#startOn(this.#nodes.get(nodeId)!, jobs));

    const wanting = plan.launches.flatMap((l) => l.jobIds);
    const batch = this.#batcher.observe(now, wanting);
    if (plan.launches.length > 0 && !batch.launchNow) {
      const message = `waiting for more jobs before launching (batch window closes in ${(((batch.closesAt ?? now) - now) / 1000).toFixed(1)} s)`;
      for (const id of wanting) this.#held.get(id)!.reason = { code: 'batching', message };
      if (batch.closesAt !== undefined) this.#wakeAt(batch.closesAt);
    } else if (plan.launches.length > 0) {
      this.#batcher.reset();
      const byType = new Map<string, (typeof plan.launches)[number][]>();
      for (const launch of plan.launches) byType.set(launch.type, [...(byType.get(launch.type) ?? []), launch]);
      starting.push(...[...byType].map(([type, launches]) => this.#launch(type, launches.map((l) => l.jobIds))));
    }
    await Promise.all(starting);
  }

  async #launch(type: string, jobsPerInstance: readonly (readonly string[])[]): Promise<void> {
    const { clock, settings, metrics } = this.#deps;
    const token = `lm-${clock.now()}-${++this.#launchCounter}`;
    for (const ids of jobsPerInstance) for (const id of ids) this.#held.get(id)!.reason = { code: 'starting', message: `launching a ${type}` };
    const instances = await this.#call('launch', 'launch', () => this.#deps.cloud.launch(type, jobsPerInstance.length, token), (error) => {
      if (error.code === 'insufficient-capacity' || error.code === 'unsupported-type') {
        this.#unavailableUntil.set(type, clock.now() + settings.unavailableTypeSeconds * 1000);
        this.#decide('launch-failed', `${type}: ${error.message}; avoiding it for ${settings.unavailableTypeSeconds} s and re-planning`);
        this.#wakeUp();
      }
    });
    if (!instances) return;
    instances.forEach((instance, i) => {
      // A resync may have adopted it already (an Auto Scaling group names instances late): keep that node, its tasks and bound jobs.
      const node: FleetNode = this.#nodes.get(instance.instanceId) ?? {
        id: instance.instanceId,
        type,
        state: 'launching',
        launchedAt: instance.launchedAt,
        allocatable: this.#type(type)?.allocatable ?? ZERO,
        tasks: new Set(),
        bound: new Set(),
      };
      this.#nodes.set(node.id, node);
      metrics.nodesLaunched.inc({ type });
      if (settings.learnIdleSeconds === true) this.#idleGaps.launched(type, clock.now() / 1000, settings.idleSeconds);
      const ids = jobsPerInstance[i] ?? [];
      for (const id of ids) {
        const held = this.#held.get(id);
        if (held) this.#bind(held, node);
      }
      this.#decide('launch', `launched ${type} ${node.id} for ${ids.length} job(s): ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`, { instanceId: node.id });
    });
  }

  async #startBoundJobs(): Promise<void> {
    const work: Promise<void>[] = [];
    for (const node of this.#nodes.values()) {
      if (node.state !== 'registered' || node.bound.size === 0) continue;
      const jobs = [...node.bound].map((id) => this.#held.get(id)).filter((j): j is HeldJob => j !== undefined && !j.starting);
      if (jobs.length > 0) work.push(this.#startOn(node, jobs));
    }
    await Promise.all(work);
  }

  /** StartTask on one node, ten jobs per call; messages are deleted only once ECS confirms each task. */
  async #startOn(node: FleetNode, jobs: readonly HeldJob[]): Promise<void> {
    const { clock, queue, metrics } = this.#deps;
    for (const job of jobs) {
      job.starting = true;
      job.reason = { code: 'starting', message: `starting on ${node.type} ${node.id}` };
      if (job.boundTo !== node.id) this.#bind(job, node);
    }
    for (let i = 0; i < jobs.length; i += START_BATCH) {
      const batch = jobs.slice(i, i + START_BATCH);
      const specs: TaskSpec[] = batch.map((j) => ({
        jobId: j.message.jobId,
        attempt: j.message.attempt,
        algorithm: j.message.algorithm,
        demand: j.demand,
        env: j.message.env,
        inputs: j.message.inputs,
        outputPrefix: j.message.outputPrefix,
      }));
      const result = await this.#call('startTasks', 'startTasks', () => this.#deps.cloud.startTasks(node.id, specs));
      if (!result) {
        for (const job of batch) this.#abandonStart(job, node, 'the StartTask call failed');
        continue;
      }
      const now = clock.now();
      for (const task of result.started) {
        const job = this.#held.get(task.jobId);
        if (!job) continue;
        this.#unbind(job);
        this.#held.delete(task.jobId);
        this.#running.set(task.jobId, {
          jobId: task.jobId,
          message: job.message,
          demand: job.demand,
          instanceId: node.id,
          taskArn: task.taskArn,
          algorithm: job.message.algorithm,
          ...optionalTimeout(this.#deps.rules.timeoutSeconds(job.message.algorithm)),
          startedAt: now,
          version: task.version,
        });
        this.#nextTimeoutAt = -Infinity;
        this.#taskVersions.set(task.taskArn, Math.max(this.#taskVersions.get(task.taskArn) ?? -1, task.version));
        node.tasks.add(task.jobId);
        delete node.emptySince;
        metrics.jobsStarted.inc();
        metrics.jobWaitSeconds.observe((now - job.sentAt) / 1000);
        this.#decide('start', `started job ${task.jobId} (attempt ${task.attempt}) on ${node.type} ${node.id}`, { jobId: task.jobId, instanceId: node.id });
      }
      if (result.started.length > 0) {
        const receipts = result.started.flatMap((t) => {
          const job = batch.find((j) => j.message.jobId === t.jobId);
          return job ? [job.receipt] : [];
        });
        await queue.delete(receipts);
      }
      for (const failure of result.failed) {
        const job = this.#held.get(failure.jobId);
        if (job) this.#abandonStart(job, node, failure.reason);
      }
    }
  }

  /** The start did not happen: the job goes back to planning. */
  #abandonStart(job: HeldJob, node: FleetNode, why: string): void {
    job.starting = false;
    this.#unbind(job);
    delete job.reason;
    this.#decide('replan', `job ${job.message.jobId} not started on ${node.id} (${why}); re-planning`, { jobId: job.message.jobId, instanceId: node.id });
    this.#wakeUp();
  }

  /**
   * Busy registered nodes using less than the threshold of their most used resource,
   * least used first, as long as the other nodes' free capacity (summed per dimension)
   * can still absorb what all the chosen ones hold.
   */
  #consolidationCandidates(): Set<string> {
    const { enabled, utilizationBelow } = this.#deps.settings.consolidation;
    const chosen = new Set<string>();
    if (!enabled) return chosen;
    const registered = [...this.#nodes.values()].filter((n) => n.state === 'registered');
    const share = (n: FleetNode): number => {
      const used = this.#allocated(n);
      return Math.max(...DIMENSIONS.map((d) => (n.allocatable[d] > 0 ? used[d] / n.allocatable[d] : 0)));
    };
    const candidates = registered
      .filter((n) => n.tasks.size > 0 && n.bound.size === 0 && share(n) < utilizationBelow)
      .sort((a, b) => share(a) - share(b) || (a.id < b.id ? -1 : 1));
    let held = ZERO;
    for (const node of candidates) {
      const nextHeld = add(held, this.#allocated(node));
      let room = ZERO;
      for (const other of registered) if (other !== node && !chosen.has(other.id)) room = add(room, subtract(other.allocatable, this.#allocated(other)));
      if (!DIMENSIONS.every((d) => nextHeld[d] <= room[d])) continue;
      chosen.add(node.id);
      held = nextHeld;
    }
    return chosen;
  }

  #noteConsolidation(next: Set<string>): void {
    for (const id of next) {
      if (this.#consolidating.has(id)) continue;
      const node = this.#nodes.get(id)!;
      this.#decide('consolidate', `${node.type} ${node.id} is lightly used and the fleet can absorb its share: no new jobs on it, so it empties and goes away`, { instanceId: id });
    }
    this.#consolidating = next;
  }

  // ---- shutdown ------------------------------------------------------------------

  /** Empty registered nodes idle past idleSeconds (in whole evaluation periods, when set) are drained and terminated, unless kept warm. */
  async #shutDownIdleNodes(): Promise<void> {
    const { clock, settings } = this.#deps;
    const now = clock.now();
    const idle = [...this.#nodes.values()]
      .filter((n) => n.state === 'registered' && n.tasks.size === 0 && n.bound.size === 0 && n.emptySince !== undefined)
      .sort((a, b) => a.emptySince! - b.emptySince! || (a.id < b.id ? -1 : 1));
    const retiring: FleetNode[] = [];
    const evaluationSeconds = settings.idleEvaluationSeconds ?? 0;
    for (const node of idle) {
      const dueAt = retireAt(node.emptySince! / 1000, { idleSeconds: this.#idleSecondsFor(node.type, now), evaluationSeconds }) * 1000;
      if (now < dueAt) {
        this.#wakeAt(dueAt);
        continue;
      }
      if (this.#keptWarm(node, retiring)) continue;
      retiring.push(node);
    }
    for (const node of retiring) {
      if (settings.learnIdleSeconds === true) this.#idleGaps.retired(node.type, node.emptySince! / 1000);
      node.state = 'draining';
      const keep = this.#idleSecondsFor(node.type, now);
      const kept = keep < settings.idleSeconds ? ` (empty ${node.type} nodes are kept ${keep.toFixed(0)} s, not idleSeconds ${settings.idleSeconds}: keeping them longer has not paid so far)` : '';
      this.#decide('drain', `${node.type} ${node.id} idle for ${((now - node.emptySince!) / 1000).toFixed(0)} s: draining and terminating${kept}`, { instanceId: node.id });
      await this.#call('terminate', 'drain', () => this.#deps.cloud.drain(node.id));
    }
    // Draining nodes that are empty, including those whose terminate failed last round.
    const done = [...this.#nodes.values()].filter((n) => n.state === 'draining' && n.tasks.size === 0 && n.bound.size === 0);
    if (done.length > 0) await this.#terminate(done, 'idle');
  }

  /** How long an empty node of this type is kept: idleSeconds, or what has paid so far when learnt (before any boot is seen, idleSeconds). */
  #idleSecondsFor(type: string, now: number): number {
    const { idleSeconds, learnIdleSeconds } = this.#deps.settings;
    if (learnIdleSeconds !== true || this.#bootSeconds === undefined) return idleSeconds;
    return this.#idleGaps.idleSeconds(type, now / 1000, this.#bootSeconds, idleSeconds);
  }

  /** Whether a warmNodes rule needs this node: the nodes of its pattern, minus those already retiring, would drop below the minimum. */
  #keptWarm(node: FleetNode, retiring: readonly FleetNode[]): boolean {
    for (const [pattern, minimum] of Object.entries(this.#deps.settings.warmNodes)) {
      if (!matchesTypePattern(node.type, pattern)) continue;
      const remaining = [...this.#nodes.values()].filter(
        (n) => (n.state === 'registered' || n.state === 'launching') && matchesTypePattern(n.type, pattern) && !retiring.includes(n),
      ).length;
      if (remaining - 1 < minimum) return true;
    }
    return false;
  }

  async #terminate(nodes: readonly FleetNode[], reason: string): Promise<void> {
    const { metrics } = this.#deps;
    for (const node of nodes) node.state = 'terminating';
    // terminate() resolves to nothing: map success to true so a failure (undefined) is told apart.
    const done = await this.#call('terminate', 'terminate', () => this.#deps.cloud.terminate(nodes.map((n) => n.id)).then(() => true));
    if (done === undefined) {
      // Not terminated this time: the next round tries again.
      for (const node of nodes) node.state = 'draining';
      return;
    }
    for (const node of nodes) {
      this.#forgetNode(node, reason);
      metrics.nodesTerminated.inc({ reason });
    }
  }

  #forgetNode(node: FleetNode, why: string): void {
    if (!this.#nodes.delete(node.id)) return;
    for (const id of node.bound) {
      const held = this.#held.get(id);
      if (held) {
        held.starting = false;
        this.#unbind(held);
      }
    }
    this.#decide('terminate', `${node.type} ${node.id} removed (${why})`, { instanceId: node.id });
  }

  // ---- bookkeeping ---------------------------------------------------------------

  #bind(job: HeldJob, node: FleetNode): void {
    if (job.boundTo !== undefined && job.boundTo !== node.id) this.#unbind(job);
    job.boundTo = node.id;
    node.bound.add(job.message.jobId);
    if (node.emptySince !== undefined && node.state === 'registered' && this.#deps.settings.learnIdleSeconds === true) {
      this.#idleGaps.reused(node.type, (this.#deps.clock.now() - node.emptySince) / 1000);
    }
    delete node.emptySince;
    if (!job.starting) job.reason = { code: 'starting', message: `waiting for ${node.type} ${node.id} to register` };
  }

  #unbind(job: HeldJob): void {
    if (job.boundTo === undefined) return;
    const node = this.#nodes.get(job.boundTo);
    delete job.boundTo;
    if (node) {
      node.bound.delete(job.message.jobId);
      this.#noteIfEmpty(node);
    }
  }

  #noteIfEmpty(node: FleetNode): void {
    if (node.tasks.size === 0 && node.bound.size === 0 && node.emptySince === undefined) node.emptySince = this.#deps.clock.now();
  }

  /** What the node's running tasks should give back within the reuse horizon, by their algorithms' observed run times. */
  #releases(node: FleetNode, now: number): Release[] {
    const horizon = this.#deps.policy.reuseWithinSeconds ?? 0;
    if (horizon <= 0 || node.state !== 'registered') return [];
    return expectedReleases(this.#runningTasks(node), now / 1000, horizon);
  }

  /** Jobs wait for room tasks should free: if a task runs late past the horizon, nothing else wakes the loop, so plan again then. */
  #wakeForExpiringReleases(now: number): void {
    const horizon = this.#deps.policy.reuseWithinSeconds ?? 0;
    for (const node of this.#nodes.values()) {
      if (node.state !== 'registered') continue;
      const inSeconds = releasesRecheckIn(this.#runningTasks(node), now / 1000, horizon);
      if (inSeconds !== undefined) this.#wakeAt(now + Math.ceil(inSeconds * 1000) + 1);
    }
  }

  #runningTasks(node: FleetNode): RunningTask[] {
    return [...node.tasks].flatMap((id) => {
      const running = this.#running.get(id);
      return running ? [{ startedAtSeconds: running.startedAt / 1000, demand: running.demand, estimateSeconds: this.#runTimes.get(running.message.algorithm) }] : [];
    });
  }

  #allocated(node: FleetNode): Resources {
    let total = ZERO;
    for (const id of node.tasks) total = add(total, this.#running.get(id)?.demand ?? ZERO);
    for (const id of node.bound) total = add(total, this.#held.get(id)?.demand ?? ZERO);
    return total;
  }

  #type(name: string): InstanceType | undefined {
    return this.#deps.catalog.find((t) => t.name === name);
  }

  #hourlyCost(): number {
    let cost = 0;
    for (const node of this.#nodes.values()) if (node.state !== 'failed') cost += this.#type(node.type)?.pricePerHour ?? 0;
    return cost;
  }

  /** Work the round does not wait for; a failure is logged (the message stays in the queue and comes back), never lost in an unhandled rejection. */
  #background(work: Promise<unknown>, what: string): void {
    const tracked = work.catch((error: unknown) => this.#deps.logger.error({ err: error }, `${what} failed`)).finally(() => this.#inBackground.delete(tracked));
    this.#inBackground.add(tracked);
  }

  #decide(kind: string, message: string, ids: { jobId?: string; instanceId?: string } = {}): void {
    const decision: DecisionView = { at: this.#deps.clock.now(), kind, message, ...ids };
    this.#decisions.push(decision);
    if (this.#decisions.length > MAX_DECISIONS) this.#decisions.shift();
    this.#deps.logger.info({ decision: kind, ...ids }, message);
  }

  /**
   * One cloud call (rate-limited by `limiter` when given), counted by operation and outcome. A CloudError is
   * logged (and handed to `onError`), never thrown: the next round tries again.
   */
  async #call<T>(limiter: ApiOperation | undefined, operation: string, call: () => Promise<T>, onError?: (error: CloudError) => void): Promise<T | undefined> {
    const { metrics, logger } = this.#deps;
    const limits = limiter ? this.#limiters[limiter] : undefined;
    try {
      const result = await (limits ? limits.run(call) : call());
      limits?.succeeded();
      metrics.cloudApiCalls.inc({ operation, outcome: 'ok' });
      return result;
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      metrics.cloudApiCalls.inc({ operation, outcome: error.code });
      if (error.code === 'throttled') {
        metrics.cloudThrottles.inc({ operation });
        limits?.throttled();
      }
      logger.warn({ operation, code: error.code }, `cloud call ${operation} failed: ${error.message}`);
      onError?.(error);
      return undefined;
    }
  }

  #updateGauges(): void {
    const { metrics } = this.#deps;
    metrics.nodes.reset();
    for (const node of this.#nodes.values()) metrics.nodes.inc({ type: node.type, state: node.state });
    metrics.jobsPending.reset();
    for (const job of this.#held.values()) metrics.jobsPending.inc({ reason: job.boundTo ? 'bound' : (job.reason?.code ?? 'new') });
    let allocatable = ZERO;
    let requested = ZERO;
    for (const node of this.#nodes.values()) {
      if (node.state !== 'registered') continue;
      allocatable = add(allocatable, node.allocatable);
      requested = add(requested, this.#allocated(node));
    }
    for (const d of DIMENSIONS) {
      metrics.allocatableResources.set({ dimension: d }, allocatable[d]);
      metrics.requestedResources.set({ dimension: d }, requested[d]);
    }
    metrics.hourlyCostDollars.set(this.#hourlyCost());
  }
}

/** How the stop reason of a task stopped for its timeout begins: what a restarted controller knows it by. */
const TIMEOUT_STOP_REASON = 'loadmaster timeout:';

/**
 * Whether the task stopped because its timeout ran out. Its stop reason says so, also after a
 * restart; a task that exited on its own just before the stop has its own reason and succeeded.
 */
function stoppedForTimeout(running: RunningJob, task: CloudTask): boolean {
  return task.stopReason !== undefined ? task.stopReason.startsWith(TIMEOUT_STOP_REASON) : running.timedOutAfter !== undefined;
}

function optionalTimeout(seconds: number | undefined): { startedUnderTimeout?: number } {
  return seconds === undefined ? {} : { startedUnderTimeout: seconds };
}

function limitersFor(deps: ControllerDeps): Record<ApiOperation, ApiLimiter> {
  const limiter = (op: ApiOperation): ApiLimiter => new ApiLimiter(deps.clock, deps.settings.api[op]);
  return { launch: limiter('launch'), startTasks: limiter('startTasks'), terminate: limiter('terminate'), describe: limiter('describe') };
}
