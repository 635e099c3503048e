// A lower bound on the cost of running jobs that arrive over time, for schedules that start
// every job when it arrives: the cost-rate LP of cost-lower-bound.ts for the jobs running at
// each instant, integrated over time.

import type { InstanceType } from '../catalog/instance-type.ts';
import { DIMENSIONS } from '../resources.ts';
import { loadHighsOnce, type Highs } from './highs.ts';
import { integerFleetBound, type IntegerFleetLimits } from './integer-fleet-bound.ts';
import { groupBoundJobs, type JobGroup, type TimedJob } from './job-groups.ts';
import { dualValue, perInstance, type LpModel } from './lp-model.ts';
import { openLp, type LpSession } from './lp-solver.ts';
import { checkDurations, SECONDS_PER_HOUR } from './resource-time-lower-bound.ts';

const D = DIMENSIONS.length;

/** A job that arrives at `arrivalSeconds` (any fixed time scale) and runs `durationSeconds`. */
export interface ArrivingJob extends TimedJob {
  readonly arrivalSeconds: number;
}

export interface ClairvoyantOptions {
  /**
   * How far below the exact integral the bound may stay, as a share: an LP is solved for a
   * segment only when, without it, `usd` would fall below (1 - tolerance) · `upperUsd` so
   * far. 0 solves every segment the reused duals do not already match. Only how tight the
   * bound is depends on it, never whether it is valid. Default 0.005.
   */
  readonly tolerance?: number;
  /**
   * Seconds every instance is billed before it can run anything (launch to the earliest
   * registration). The instances that run jobs at any time in [t, t + bootSeconds] were
   * launched by t and are still alive at t, so the fleet billed at t costs at least
   * max LP(S_τ) over that window: each segment's rate counts from bootSeconds before it
   * starts. Default 0: instant boots.
   */
  readonly bootSeconds?: number;
  /**
   * How many segments to bound again with whole instances (integerFleetBound, a small MIP
   * each): those where it may raise the bound most, by duration × (every running job alone
   * on its cheapest type − the LP's rate), since no fleet of whole instances costs more than
   * that. The LP lets a job take a fraction of an instance, which is far below any real fleet
   * where few jobs run: in long quiet stretches. 0 keeps the LP everywhere. Default 100.
   */
  readonly integerSegments?: number;
}

/** Work per integer segment (integerFleetBound): the bound stops there, still valid, with no clock involved. */
const INTEGER_LIMITS: IntegerFleetLimits = { maxNodes: 200, maxColumns: 600 };
/** Integer segments in a row that raised nothing, after which the rest are left to the LP. */
const INTEGER_FRUITLESS_RUN = 20;

export interface ClairvoyantLowerBound {
  /** USD: the bound, ≤ the integral of clairvoyantLowerBound; with no boot, ≥ (1 - tolerance) · `upperUsd` (the tolerance holds for the running sums, which a window's maximum does not keep exactly). */
  readonly usd: number;
  /**
   * USD: the cost of feasible fractional fleets (LP solutions) for every segment, so the exact
   * integral lies in [usd, upperUsd]: at most this much tighter could exact solves everywhere
   * make the bound.
   */
  readonly upperUsd: number;
  /**
   * LPs solved: the first over all job-seconds (to seed the reused duals), then one per
   * segment that needed its own (re-solves after adding violated cuts not counted apart).
   */
  readonly lpSolved: number;
  /** Stretches of time with a constant, non-empty set of running jobs. */
  readonly segments: number;
  /** Segments bounded with whole instances (MIPs solved; a repeated set of running jobs is solved once). */
  readonly integerSegments: number;
  /** Jobs the bound covers. */
  readonly boundedJobs: number;
  /** Ids of jobs no catalog type can hold; left out. */
  readonly unplaceable: readonly string[];
}

/** Reused duals kept at most; the least recently useful one goes first (never the seed). */
const MAX_CACHED_DUALS = 256;

/**
 * The clairvoyant bound: the cost of a fleet that knows every arrival a_i and duration d_i,
 * starts each job the moment it arrives, is billed per second with no minimum, and may
 * re-choose a fractional fleet at every instant (with the cost-rate LP's cuts: an instance
 * holds a whole number of each job), each instance billed `bootSeconds` (b) before it can run
 * anything. Its cost is
 *
 *     ∫ max{ LP(S_τ) : t ≤ τ ≤ t + b } dt / 3600 USD,   S_t = the jobs with a_i ≤ t < a_i + d_i,
 *
 * where LP(S) is the cost-rate LP with cuts (buildLpModel) for the groups of S, in USD/hour.
 * Any schedule that starts every job on arrival holds S_τ at every τ on a real (integral)
 * fleet, which costs at least LP(S_τ) per hour, and each instance of that fleet was launched
 * by τ - b and is billed at every t in [τ - b, τ]; the 60 s billing minimum, idle time and
 * policy limits only add. So this is a lower bound for every such schedule.
 *
 * It is NOT a bound for schedules that delay jobs: waiting for a shared instance, or moving
 * work out of a peak, can in principle cost less than starting everything on arrival. A real
 * run usually delays jobs (boot times, limits), so report it next to resourceTimeLowerBound,
 * which holds for any schedule. LP is convex and positively homogeneous in the job counts,
 * so ∫ LP(S_t) dt ≥ LP(∫ S_t dt), which is the resource-time LP: this bound is the higher of
 * the two, and this implementation guarantees it (below).
 *
 * S_t only changes when a job arrives or ends, so the integral is a sum over segments Δ_s
 * with job counts n_s per group. With 10k jobs that is up to 20k LPs; instead duals are
 * reused. The LP's constraint matrix does not depend on S: only the right-hand side n does,
 * a group absent from S having n_j = 0 (which forces its y to 0: the LP without it). So the
 * certified group prices u of any solve (certifyDuals: rebuilt from the capacity and cut
 * duals, feasible for every group's columns, absent groups included, and for every cut)
 * satisfy u·n ≤ LP(n) for every n (weak duality). Per segment the bound takes the best
 * cached u·n. Against it stands the cost of a feasible fleet for the segment: the last
 * solved basis's solution moved to n (exact while that basis stays feasible: an optimal
 * basis's duals do not depend on n), repaired where it went negative; or every job on its
 * cheapest type alone. Only when the running totals would leave the bound more than
 * `tolerance` below the fleets' cost does it solve the segment's LP exactly (warm-started
 * from the previous basis) and cache its duals. The first LP solved is the resource-time LP
 * (n = job-seconds per group, scaled to the horizon): its u alone gives
 * Σ_s Δ_s · u·n_s = u·(job-seconds), the resource-time bound, so the result is never below
 * it. Whatever was solved, the result is a valid lower bound.
 *
 * Whole instances: LP(S) lets a job take a fraction of an instance, far below any real
 * fleet where few jobs run. Any rate r with LP(S) ≤ r ≤ (the cheapest whole fleet for S) keeps
 * the argument above, so after the pass over the segments, the `integerSegments` with the
 * most room (duration × (every running job alone on its cheapest type − the rate)) take the
 * integer fleet bound (integer-fleet-bound.ts) where it is higher.
 *
 * Jobs no type can hold are left out; jobs of duration 0 cost nothing.
 */
export async function clairvoyantLowerBound(jobs: readonly ArrivingJob[], catalog: readonly InstanceType[], options: ClairvoyantOptions = {}): Promise<ClairvoyantLowerBound> {
  checkDurations(jobs, 'clairvoyantLowerBound');
  for (const job of jobs) {
    if (!Number.isFinite(job.arrivalSeconds)) throw new RangeError(`clairvoyantLowerBound: job ${job.id} arrives at ${job.arrivalSeconds}; expected a finite time`);
  }
  const tolerance = options.tolerance ?? 0.005;
  if (!(tolerance >= 0)) throw new RangeError(`clairvoyantLowerBound: tolerance ${tolerance}; expected a number >= 0`);
  const bootSeconds = options.bootSeconds ?? 0;
  if (!(bootSeconds >= 0 && Number.isFinite(bootSeconds))) throw new RangeError(`clairvoyantLowerBound: bootSeconds ${bootSeconds}; expected a finite number >= 0`);
  const integerSegments = options.integerSegments ?? 100;
  if (!(Number.isSafeInteger(integerSegments) && integerSegments >= 0)) throw new RangeError(`clairvoyantLowerBound: integerSegments ${integerSegments}; expected a whole number >= 0`);
  const { groups, unplaceable, groupOf } = groupBoundJobs(jobs, catalog, (job) => job.durationSeconds);
  const boundedJobs = groups.reduce((sum, g) => sum + g.count, 0);
  const empty = { usd: 0, upperUsd: 0, lpSolved: 0, segments: 0, integerSegments: 0, boundedJobs, unplaceable };
  if (!groups.some((g) => g.weight > 0)) return empty;

  const session = await openLp(groups, catalog, { cuts: true });
  const whole = integerSegments > 0 ? { highs: await loadHighsOnce(), segments: integerSegments } : undefined;
  try {
    return { ...integrate(session, jobs, groupOf, tolerance, bootSeconds, whole), boundedJobs, unplaceable };
  } finally {
    session.dispose();
  }
}

/** Certified duals of a solved LP, kept to bound other segments. */
interface CachedDual {
  readonly u: Float64Array;
  /** u·n for the current n, kept up to date event by event (to pick the best; recomputed exactly once picked). */
  dot: number;
  /** The last segment where it was the best. */
  lastUsed: number;
}

/**
 * The last solved LP's basis (the one HiGHS holds) and its basic solution at the current n,
 * kept up to date event by event: an event for group g adds ±B⁻¹e_g, computed the first
 * time g changes after the solve.
 */
class LastBasis {
  private readonly session: LpSession;
  private readonly unit: Float64Array;
  private readonly perGroup: (Float64Array | undefined)[];
  basicColumn: Int32Array;
  basic: Float64Array;

  constructor(session: LpSession, n: Float64Array) {
    this.session = session;
    this.unit = new Float64Array(n.length);
    this.perGroup = new Array<Float64Array | undefined>(n.length);
    this.basicColumn = session.basicColumns();
    this.basic = session.basisSolve(n);
  }

  /** After a solve: the new basis, at n. */
  reset(n: Float64Array): void {
    this.perGroup.fill(undefined);
    this.basicColumn = this.session.basicColumns();
    this.basic = this.session.basisSolve(n);
  }

  /** n_g changed by delta. */
  change(g: number, delta: number): void {
    let column = this.perGroup[g];
    if (column === undefined) {
      this.unit[g] = 1;
      column = this.session.basisSolve(this.unit);
      this.unit[g] = 0;
      this.perGroup[g] = column;
    }
    const basic = this.basic;
    for (let i = 0; i < basic.length; i++) basic[i] = basic[i]! + delta * column[i]!;
  }
}

/** What bounding segments with whole instances needs: the solver and how many segments. */
interface WholeInstances {
  readonly highs: Highs;
  readonly segments: number;
}

function integrate(session: LpSession, jobs: readonly ArrivingJob[], groupOf: Int32Array, tolerance: number, bootSeconds: number, whole: WholeInstances | undefined): Omit<ClairvoyantLowerBound, 'boundedJobs' | 'unplaceable'> {
  const model = session.model;
  const J = model.groups.length;
  const fleet = new FeasibleFleet(model);
  // Per group: its cheapest type, whole, for one job alone (what no whole fleet exceeds).
  const alonePrice = model.groups.map((g) => Math.min(...g.types.map((t) => model.catalog[t]!.pricePerHour)));
  let aloneRate = 0;

  const n = new Float64Array(J);
  // Seed: the resource-time LP, scaled to the horizon (the average job counts: same duals,
  // better scaled). Its duals stay in the cache for good.
  let first = Infinity;
  let last = -Infinity;
  jobs.forEach((job, i) => {
    if (groupOf[i]! < 0 || job.durationSeconds <= 0) return;
    first = Math.min(first, job.arrivalSeconds);
    last = Math.max(last, job.arrivalSeconds + job.durationSeconds);
  });
  const seed: CachedDual = { u: session.solve(model.groups.map((g) => g.weight / (last - first))).u, dot: 0, lastUsed: 0 };
  let lpSolved = 1;
  const duals: CachedDual[] = [seed];
  const basis = new LastBasis(session, n);

  // Events: +1 at arrival, -1 at the end, in time order.
  const eventTime: number[] = [];
  const eventGroup: number[] = [];
  const eventDelta: number[] = [];
  jobs.forEach((job, i) => {
    const g = groupOf[i]!;
    if (g < 0 || job.durationSeconds <= 0) return;
    eventTime.push(job.arrivalSeconds, job.arrivalSeconds + job.durationSeconds);
    eventGroup.push(g, g);
    eventDelta.push(1, -1);
  });
  const order = Int32Array.from(eventTime.keys()).sort((a, b) => eventTime[a]! - eventTime[b]! || a - b);

  let running = 0;
  let segments = 0;
  let lowerSum = 0; // Σ Δ · USD/hour
  let upperSum = 0;
  // Per segment: start, end, and the bound's and the fleets' rates (USD/hour), for the boot look-ahead.
  const segmentStart: number[] = [];
  const segmentEnd: number[] = [];
  const segmentLower: number[] = [];
  const segmentUpper: number[] = [];
  // Per segment: the events applied before it starts, and how much whole instances might add (USD).
  const segmentEvents: number[] = [];
  const segmentRoom: number[] = [];
  const solvedValue = new Map<string, number>();
  for (let e = 0; e < order.length; ) {
    const time = eventTime[order[e]!]!;
    for (; e < order.length && eventTime[order[e]!]! === time; e++) {
      const k = order[e]!;
      const g = eventGroup[k]!;
      const delta = eventDelta[k]!;
      n[g] = n[g]! + delta;
      running += delta;
      aloneRate += delta * alonePrice[g]!;
      for (const c of duals) c.dot += delta * c.u[g]!;
      basis.change(g, delta);
    }
    if (e === order.length || running === 0) continue;
    const duration = eventTime[order[e]!]! - time;
    if (!(duration > 0)) continue;
    segments++;

    // The best reused dual (never below the seed's: the resource-time bound).
    let best = seed;
    for (const c of duals) if (c.dot > best.dot) best = c;
    best.lastUsed = segments;
    let lower = Math.max(dualValue(best.u, n), dualValue(seed.u, n));
    const key = supportKey(n);
    const known = solvedValue.get(key);
    let upper: number;
    if (known !== undefined) {
      lower = Math.max(lower, known);
      upper = lower;
    } else {
      // Exact while the last basis is still feasible at n (it is optimal there, its duals too).
      upper = fleet.cost(n, basis.basicColumn, basis.basic);
      const gap = upperSum + duration * upper - (lowerSum + duration * lower);
      if (gap > tolerance * (upperSum + duration * upper)) {
        const solution = session.solve(n);
        lpSolved++;
        solvedValue.set(key, solution.value);
        basis.reset(n);
        upper = Math.min(upper, fleet.cost(n, basis.basicColumn, basis.basic));
        if (solution.value > lower) {
          lower = solution.value;
          addDual(duals, { u: solution.u, dot: solution.value, lastUsed: segments });
        }
      }
    }
    lowerSum += duration * lower;
    upperSum += duration * Math.max(upper, lower);
    segmentStart.push(time);
    segmentEnd.push(time + duration);
    segmentLower.push(lower);
    segmentUpper.push(Math.max(upper, lower));
    segmentEvents.push(e);
    segmentRoom.push(duration * (aloneRate - lower));
  }
  const integerSegments = whole ? boundWithWholeInstances(whole, model, order, eventGroup, eventDelta, segmentEvents, segmentRoom, segmentLower, segmentUpper) : 0;
  return {
    usd: integralWithLookAhead(segmentStart, segmentEnd, segmentLower, bootSeconds) / SECONDS_PER_HOUR,
    upperUsd: integralWithLookAhead(segmentStart, segmentEnd, segmentUpper, bootSeconds) / SECONDS_PER_HOUR,
    lpSolved,
    segments,
    integerSegments,
  };
}

/**
 * Raises the rates of up to `whole.segments` segments, those with the most room
 * (segmentRoom), to their integer fleet bound where that is higher, in place; returns the
 * MIPs solved. The running jobs of each chosen segment are rebuilt by replaying the events;
 * then they are solved in order of room, until INTEGER_FRUITLESS_RUN in a row raised nothing
 * (where many jobs run, fractional and whole fleets cost the same, and the MIPs are dear).
 */
function boundWithWholeInstances(
  whole: WholeInstances,
  model: LpModel,
  order: Int32Array,
  eventGroup: readonly number[],
  eventDelta: readonly number[],
  segmentEvents: readonly number[],
  segmentRoom: readonly number[],
  segmentLower: number[],
  segmentUpper: number[],
): number {
  const byRoom = Int32Array.from(segmentRoom.keys())
    .sort((a, b) => segmentRoom[b]! - segmentRoom[a]! || a - b)
    .subarray(0, whole.segments)
    .filter((s) => segmentRoom[s]! > 0);
  const runningAt = new Map<number, Float64Array>();
  const n = new Float64Array(model.groups.length);
  let applied = 0;
  for (const s of Int32Array.from(byRoom).sort()) {
    for (; applied < segmentEvents[s]!; applied++) {
      const k = order[applied]!;
      n[eventGroup[k]!] = n[eventGroup[k]!]! + eventDelta[k]!;
    }
    runningAt.set(s, n.slice());
  }
  const known = new Map<string, number | undefined>();
  let solved = 0;
  let fruitless = 0;
  for (const s of byRoom) {
    if (fruitless >= INTEGER_FRUITLESS_RUN) break;
    const counts = runningAt.get(s)!;
    const key = supportKey(counts);
    let value = known.get(key);
    if (!known.has(key)) {
      const running: JobGroup[] = [];
      model.groups.forEach((g, j) => {
        if (counts[j]! > 0) running.push({ ...g, count: counts[j]!, weight: counts[j]! });
      });
      value = integerFleetBound(whole.highs, running, model.catalog, INTEGER_LIMITS)?.value;
      known.set(key, value);
      if (value !== undefined) solved++;
    }
    if (value === undefined) continue; // too large to try, or no bound: the LP's stands
    fruitless = value > segmentLower[s]! ? 0 : fruitless + 1;
    segmentLower[s] = Math.max(segmentLower[s]!, value);
    segmentUpper[s] = Math.max(segmentUpper[s]!, segmentLower[s]!);
  }
  return solved;
}

/**
 * ∫ max{ rate of a segment that meets [t, t + lookAhead] } dt over all t (0 where none does):
 * each segment's rate counts from lookAhead before it starts until it ends. Segments are
 * disjoint and in time order, so they open (start - lookAhead) and end in the same order: a
 * sliding-window maximum, with a deque of the open segments by falling rate (a segment
 * behind a higher one ends later, so only the head's end matters).
 */
export function integralWithLookAhead(start: readonly number[], end: readonly number[], rate: readonly number[], lookAhead: number): number {
  const open: number[] = [];
  let head = 0;
  let next = 0;
  let t = -Infinity;
  let total = 0;
  while (next < start.length || head < open.length) {
    const opening = next < start.length ? start[next]! - lookAhead : Infinity;
    const ending = head < open.length ? end[open[head]!]! : Infinity;
    const at = Math.min(opening, ending);
    if (head < open.length) total += rate[open[head]!]! * (at - t);
    t = at;
    if (ending <= opening) {
      head++;
    } else {
      while (open.length > head && rate[open[open.length - 1]!]! <= rate[next]!) open.pop();
      open.push(next++);
    }
  }
  return total;
}

function addDual(duals: CachedDual[], entry: CachedDual): void {
  if (duals.length < MAX_CACHED_DUALS) {
    duals.push(entry);
    return;
  }
  let stalest = 1; // never the seed
  for (let c = 2; c < duals.length; c++) if (duals[c]!.lastUsed < duals[stalest]!.lastUsed) stalest = c;
  duals[stalest] = entry;
}

/** The groups present and their counts, as a map key. */
function supportKey(n: Float64Array): string {
  let key = '';
  for (let j = 0; j < n.length; j++) if (n[j] !== 0) key += `${j}:${n[j]},`;
  return key;
}

/**
 * A feasible fractional fleet for job counts n, cheaply, from a basis's (possibly infeasible)
 * solution at n: each group's jobs spread over types in proportion to the solution's y_{j,t}
 * where positive (on its cheapest type alone where none is), each type's instance count then
 * the least that holds its load in every dimension and its whole-jobs-per-instance limits.
 * Feasible for the LP with cuts whatever the input, so its cost is ≥ LP(n); equal to it
 * when the basis is still optimal at n. Also the cost of every job on its cheapest type
 * alone; the lower of the two.
 */
class FeasibleFleet {
  private readonly model: LpModel;
  /** Per y column: 1 / jobs per instance. */
  private readonly perJob: Float64Array;
  /** Per group: the position of its cheapest type alone (price / jobs per instance). */
  private readonly alone: Int32Array;
  private readonly y: Float64Array;
  private readonly load: Float64Array;
  private readonly need: Float64Array;
  private readonly isTouched: Uint8Array;
  private readonly touched: number[] = [];

  constructor(model: LpModel) {
    this.model = model;
    const { groups, groupTypes, catalog, yStart } = model;
    this.perJob = new Float64Array(yStart[groups.length]!);
    this.y = new Float64Array(this.perJob.length);
    this.alone = new Int32Array(groups.length);
    groups.forEach((g, j) => {
      let cheapest = Infinity;
      groupTypes[j]!.forEach((t, p) => {
        const perJob = 1 / perInstance(g.demand, catalog[t]!);
        this.perJob[yStart[j]! + p] = perJob;
        const cost = catalog[t]!.pricePerHour * perJob;
        if (cost < cheapest) {
          cheapest = cost;
          this.alone[j] = p;
        }
      });
    });
    this.load = new Float64Array(catalog.length * D);
    this.need = new Float64Array(catalog.length);
    this.isTouched = new Uint8Array(catalog.length);
  }

  /** USD/hour for job counts n, from the values `basic` of the columns `basicColumn`. */
  cost(n: Float64Array, basicColumn: Int32Array, basic: Float64Array): number {
    const { groups, groupTypes, catalog, yStart, usedTypes } = this.model;
    const { y, load, need, isTouched, touched } = this;
    const xCount = usedTypes.length;
    y.fill(0);
    for (let i = 0; i < basicColumn.length; i++) if (basicColumn[i]! >= xCount) y[basicColumn[i]! - xCount] = Math.max(0, basic[i]!);
    let alone = 0;
    for (let j = 0; j < groups.length; j++) {
      const count = n[j]!;
      if (count === 0) continue;
      const g = groups[j]!;
      const a = yStart[j]! + this.alone[j]!;
      alone += count * catalog[groupTypes[j]![this.alone[j]!]!]!.pricePerHour * this.perJob[a]!;
      let total = 0;
      for (let c = yStart[j]!; c < yStart[j + 1]!; c++) total += y[c]!;
      if (!(total > 0)) {
        y[a] = 1;
        total = 1;
      }
      for (let c = yStart[j]!; c < yStart[j + 1]!; c++) {
        if (y[c] === 0) continue;
        const jobs = (count * y[c]!) / total;
        const t = groupTypes[j]![c - yStart[j]!]!;
        if (isTouched[t] === 0) {
          isTouched[t] = 1;
          touched.push(t);
        }
        need[t] = Math.max(need[t]!, jobs * this.perJob[c]!);
        const type = catalog[t]!;
        DIMENSIONS.forEach((d, di) => {
          if (g.demand[d] > 0) load[t * D + di] = load[t * D + di]! + (jobs * g.demand[d]) / type.allocatable[d];
        });
      }
    }
    let spread = 0;
    for (const t of touched) {
      let x = need[t]!;
      for (let di = 0; di < D; di++) {
        x = Math.max(x, load[t * D + di]!);
        load[t * D + di] = 0;
      }
      need[t] = 0;
      isTouched[t] = 0;
      spread += catalog[t]!.pricePerHour * x;
    }
    touched.length = 0;
    return Math.min(spread, alone);
  }
}
