// Where a run's money went: each instance's bill split into booting, running tasks, empty,
// and what the 60 s billing minimum adds. Pure: the simulated cloud's instances and tasks
// in, USD out. It bills as the sim does (billing.ts), so the four parts add up to its cost.
import { billedSeconds } from '../adapters/sim/billing.ts';

/** USD per part; the four add up to what the instances were billed. */
export interface CostSplit {
  /** From launch until the instance registered with ECS (until its end if it never did). */
  readonly bootingUsd: number;
  /** Registered, with at least one task running. */
  readonly runningUsd: number;
  /** Registered, with no task running: idle tails, waits for bound jobs to start, warm nodes. */
  readonly emptyUsd: number;
  /** What the 60 s billing minimum adds for instances that lived less than 60 s. */
  readonly minimumUsd: number;
}

/** The parts in the order reports show them (work first, then the overheads), with what each holds. */
export const COST_SPLIT_PARTS = [
  { key: 'runningUsd', label: 'running tasks', meaning: 'registered, with at least one task running' },
  { key: 'bootingUsd', label: 'booting', meaning: 'from launch until the instance registered with ECS' },
  { key: 'emptyUsd', label: 'empty', meaning: 'registered with no task running: idle tails, waits for bound jobs to start, warm nodes' },
  { key: 'minimumUsd', label: '60 s minimum', meaning: 'what the 60 s billing minimum adds for instances that lived less than 60 s' },
] as const satisfies readonly { readonly key: keyof CostSplit; readonly label: string; readonly meaning: string }[];

/** An instance's life, times in ms (the fields of SimCloud.instances() the bill depends on). */
export interface InstanceLife {
  readonly instanceId: string;
  readonly type: string;
  readonly launchedAt: number;
  readonly registeredAt?: number;
  readonly terminatedAt?: number;
}

/** A task's stretch on its instance, times in ms; no stoppedAt while it still runs. */
export interface TaskStretch {
  readonly instanceId: string;
  readonly startedAt: number;
  readonly stoppedAt?: number;
}

const MS_PER_HOUR = 3_600_000;

/**
 * The split of the bill up to `endAt` (ms): an instance not terminated by then is billed
 * until `endAt`, and a task not stopped by then runs until it. `priceOf` gives an instance
 * type's USD per hour.
 */
export function costSplit(instances: readonly InstanceLife[], tasks: readonly TaskStretch[], priceOf: (type: string) => number, endAt: number): CostSplit {
  const stretchesOf = new Map<string, TaskStretch[]>();
  for (const task of tasks) {
    const stretches = stretchesOf.get(task.instanceId);
    if (stretches === undefined) stretchesOf.set(task.instanceId, [task]);
    else stretches.push(task);
  }
  let [bootingUsd, runningUsd, emptyUsd, minimumUsd] = [0, 0, 0, 0];
  for (const instance of instances) {
    const ms = billedMsOf(instance, stretchesOf.get(instance.instanceId) ?? [], endAt);
    const usdPerMs = priceOf(instance.type) / MS_PER_HOUR;
    bootingUsd += ms.booting * usdPerMs;
    runningUsd += ms.running * usdPerMs;
    emptyUsd += ms.empty * usdPerMs;
    minimumUsd += ms.minimum * usdPerMs;
  }
  return { bootingUsd, runningUsd, emptyUsd, minimumUsd };
}

interface BilledMs {
  readonly booting: number;
  readonly running: number;
  readonly empty: number;
  readonly minimum: number;
}

function billedMsOf(instance: InstanceLife, stretches: readonly TaskStretch[], endAt: number): BilledMs {
  const { launchedAt } = instance;
  const end = Math.max(launchedAt, instance.terminatedAt ?? endAt);
  const registered = instance.registeredAt === undefined ? end : Math.min(end, Math.max(launchedAt, instance.registeredAt));
  // The sim runs tasks only on registered instances and stops them at termination; the
  // clipping holds any other input to that too.
  const busy = coverage(stretches.map((t) => [Math.max(registered, t.startedAt), Math.min(end, t.stoppedAt ?? endAt)] as const));
  const elapsed = end - launchedAt;
  const wholeSeconds = Math.ceil(elapsed / 1000);
  // A started second is billed whole: that part of the last second goes to what the
  // instance was doing at its end, so that the minimum is only what the minimum adds.
  const lastSecondRest = wholeSeconds * 1000 - elapsed;
  const endsIn = registered >= end ? 'booting' : busy.until >= end ? 'running' : 'empty';
  const rest = (part: typeof endsIn): number => (part === endsIn ? lastSecondRest : 0);
  return {
    booting: registered - launchedAt + rest('booting'),
    running: busy.ms + rest('running'),
    empty: end - registered - busy.ms + rest('empty'),
    minimum: (billedSeconds(launchedAt, end) - wholeSeconds) * 1000,
  };
}

/** How long the union of half-open intervals lasts, and where the last of them ends. */
function coverage(intervals: readonly (readonly [number, number])[]): { readonly ms: number; readonly until: number } {
  const sorted = intervals.filter(([from, to]) => to > from).sort((a, b) => a[0] - b[0]);
  let ms = 0;
  let until = -Infinity;
  for (const [from, to] of sorted) {
    if (to <= until) continue;
    ms += to - Math.max(from, until);
    until = to;
  }
  return { ms, until };
}
