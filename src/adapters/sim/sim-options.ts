import type { InstanceType } from '../../core/catalog/instance-type.ts';
import { matchesTypePattern } from '../../core/catalog/type-pattern.ts';
import type { Clock } from '../../ports/clock.ts';
import type { TaskSpec } from '../../ports/cloud.ts';

/** What a task does once started: how long it runs and how it exits. */
export type TaskBehaviour = (spec: TaskSpec) => { readonly durationSeconds: number; readonly exitCode: number };

/** Probabilities by instance type: exact names or patterns such as "g5.*". */
export type ProbabilityByType = Readonly<Record<string, number>>;

/** A simulated task's PENDING to RUNNING, unless the options say otherwise. */
export const DEFAULT_TASK_START_SECONDS = 1;

export interface SimCloudOptions {
  readonly clock: Clock;
  readonly catalog: readonly InstanceType[];
  /** All randomness comes from this seed (default 1). */
  readonly seed?: number;
  /** Launch to ECS registration, on average (default 40 s) … */
  readonly bootSeconds?: number;
  /** … varying uniformly by up to this much either way (default 10 s). */
  readonly bootJitterSeconds?: number;
  /** Every call sleeps this long on the clock before it takes effect (default 50 ms). */
  readonly apiLatencyMs?: number;
  /** Probability that a call fails with CloudError('throttled') (default 0). */
  readonly throttleRate?: number;
  /** Probability that a launch of a matching type fails with CloudError('insufficient-capacity'). */
  readonly capacityErrors?: ProbabilityByType;
  /** Probability that a launched instance of a matching type boots but never registers with ECS. */
  readonly neverRegister?: ProbabilityByType;
  /** Probability that an event is delivered a second time, with the next poll, after newer events (default 0). */
  readonly duplicateEventRate?: number;
  /** PENDING to RUNNING, the time to pull the image and start the container (default DEFAULT_TASK_START_SECONDS). */
  readonly taskStartSeconds?: number;
  /** How long describe() still lists a STOPPED task (default 3600 s, as ECS does at least). */
  readonly stoppedTaskRetentionSeconds?: number;
  /** What a task stopped by stopTask exits with (default 137, killed; a container that handles SIGTERM may exit 0 or 143). */
  readonly stoppedExitCode?: number;
  readonly taskBehaviour: TaskBehaviour;
  /**
   * Told the time of every state change the sim schedules (a boot, a task start or exit),
   * so a driver in virtual time can wake the controller then, as an event queue's long
   * poll would on AWS.
   */
  readonly onScheduled?: (at: number) => void;
}

/** What a container killed by SIGKILL exits with (128 + 9). */
export const KILLED_EXIT_CODE = 137;

export type ResolvedSimOptions = Required<Omit<SimCloudOptions, 'clock' | 'catalog' | 'taskBehaviour' | 'onScheduled'>>;

export function resolveSimOptions(options: SimCloudOptions): ResolvedSimOptions {
  const resolved: ResolvedSimOptions = {
    seed: options.seed ?? 1,
    bootSeconds: options.bootSeconds ?? 40,
    bootJitterSeconds: options.bootJitterSeconds ?? 10,
    apiLatencyMs: options.apiLatencyMs ?? 50,
    throttleRate: options.throttleRate ?? 0,
    capacityErrors: options.capacityErrors ?? {},
    neverRegister: options.neverRegister ?? {},
    duplicateEventRate: options.duplicateEventRate ?? 0,
    taskStartSeconds: options.taskStartSeconds ?? DEFAULT_TASK_START_SECONDS,
    stoppedTaskRetentionSeconds: options.stoppedTaskRetentionSeconds ?? 3600,
    stoppedExitCode: options.stoppedExitCode ?? KILLED_EXIT_CODE,
  };
  for (const key of ['bootSeconds', 'bootJitterSeconds', 'apiLatencyMs', 'taskStartSeconds', 'stoppedTaskRetentionSeconds'] as const) {
    requireNonNegative(key, resolved[key]);
  }
  requireProbability('throttleRate', resolved.throttleRate);
  requireProbability('duplicateEventRate', resolved.duplicateEventRate);
  for (const [pattern, p] of Object.entries(resolved.capacityErrors)) requireProbability(`capacityErrors["${pattern}"]`, p);
  for (const [pattern, p] of Object.entries(resolved.neverRegister)) requireProbability(`neverRegister["${pattern}"]`, p);
  return resolved;
}

/** The exact type name wins; otherwise the first matching pattern in key order; otherwise 0. */
export function probabilityFor(typeName: string, table: ProbabilityByType): number {
  const exact = table[typeName];
  if (exact !== undefined) return exact;
  for (const [pattern, p] of Object.entries(table)) {
    if (matchesTypePattern(typeName, pattern)) return p;
  }
  return 0;
}

function requireNonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`SimCloud option ${name} must be a finite number >= 0, got ${value}`);
}

function requireProbability(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`SimCloud option ${name} must be a probability in [0, 1], got ${value}`);
}
