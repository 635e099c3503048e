// A lower bound on what any fleet that holds a set of jobs must cost per hour, so the
// cost benchmark can say how far a plan is from the best possible, not only how much it costs.

import highsImport from 'highs';
import type { InstanceType } from '../src/core/catalog/instance-type.ts';
import type { JobConstraints, PendingJob } from '../src/core/planner/plan-types.ts';
import { DIMENSIONS, type Dimension, type Resources } from '../src/core/resources.ts';
import { canHold } from '../src/core/planner/compatibility.ts';

/** Identical jobs (same demand, same constraints) and the catalog types that can hold one. */
export interface JobClass {
  readonly demand: Resources;
  readonly constraints: JobConstraints;
  /** Jobs in the class. */
  readonly count: number;
  /**
   * What the LP must place of the class: its job count for a fleet at one moment, or its
   * job-seconds for a fleet over time (sim-lower-bound.ts).
   */
  readonly weight: number;
  /** Indices into the catalog of the types that can hold one such job. */
  readonly types: readonly number[];
}

export interface CostLowerBound {
  /**
   * USD/hour: the LP relaxation bound, certified by weak duality from the solver's duals
   * (so solver tolerances cannot push it above the true LP optimum). 0 when no job fits anywhere.
   */
  readonly lp: number;
  /** The LP optimum as HiGHS reports it (equal to `lp` up to solver tolerance). */
  readonly lpObjective: number;
  /** USD/hour: the LP with per-instance cuts (see costLowerBound), certified likewise; ≥ `lp`. */
  readonly lpCuts: number;
  readonly lpCutsObjective: number;
  /** USD/hour: the simpler per-dimension bound; always ≤ `lp`. */
  readonly perDimension: number;
  /** Job classes (identical jobs grouped) that some type can hold. */
  readonly classes: number;
  /** Jobs the bound covers. */
  readonly boundedJobs: number;
  /** Ids of jobs no catalog type can hold; they are left out of both bounds. */
  readonly unplaceable: readonly string[];
  /** Size of the LP with cuts, and both solves' time, for reports. */
  readonly variables: number;
  readonly rows: number;
  readonly solveMs: number;
}

function classKey(demand: Resources, c: JobConstraints): string {
  return JSON.stringify([
    DIMENSIONS.map((d) => demand[d]),
    c.instanceTypes === undefined ? null : [...c.instanceTypes].sort(),
    c.architecture ?? null,
    c.gpuModels === undefined ? null : [...c.gpuModels].sort(),
  ]);
}

/**
 * Groups identical jobs, each class weighing the sum of its jobs' `weightOf` (1 each by
 * default: a job count); jobs no type can hold go to `unplaceable`.
 */
export function groupJobs<Job extends PendingJob>(
  jobs: readonly Job[],
  catalog: readonly InstanceType[],
  weightOf: (job: Job) => number = () => 1,
): { classes: JobClass[]; unplaceable: string[] } {
  const byKey = new Map<string, { demand: Resources; constraints: JobConstraints; ids: string[]; weight: number }>();
  for (const job of jobs) {
    const key = classKey(job.demand, job.constraints);
    const group = byKey.get(key);
    if (group) {
      group.ids.push(job.id);
      group.weight += weightOf(job);
    } else {
      byKey.set(key, { demand: job.demand, constraints: job.constraints, ids: [job.id], weight: weightOf(job) });
    }
  }
  const classes: JobClass[] = [];
  const unplaceable: string[] = [];
  for (const g of byKey.values()) {
    const types: number[] = [];
    catalog.forEach((t, i) => {
      if (canHold(t, g.demand, g.constraints)) types.push(i);
    });
    if (types.length === 0) unplaceable.push(...g.ids);
    else classes.push({ demand: g.demand, constraints: g.constraints, count: g.ids.length, weight: g.weight, types });
  }
  return { classes, unplaceable };
}

/**
 * The per-dimension bound. For any dimension d, a fleet x (instances per type) that holds the
 * jobs pays Σ_t price_t·x_t ≥ Σ_t (price_t / cap_{t,d}) · (load of d on t) ≥
 * Σ_j n_j · r_{j,d} · min_{t compatible with j} price_t / cap_{t,d}; the bound is the largest
 * over d. It is a feasible point of the LP's dual (all weight on one dimension), hence ≤ the LP
 * bound.
 *
 * (Per job min_t price_t · max_d r_d / cap_{t,d}, summed, is NOT a lower bound: a cpu-heavy and
 * a memory-heavy job can share one instance that each alone would "fill".)
 */
export function perDimensionBound(classes: readonly JobClass[], catalog: readonly InstanceType[]): number {
  let best = 0;
  for (const d of DIMENSIONS) {
    let sum = 0;
    for (const c of classes) {
      if (c.demand[d] <= 0) continue;
      let cheapest = Infinity;
      for (const t of c.types) cheapest = Math.min(cheapest, catalog[t]!.pricePerHour / catalog[t]!.allocatable[d]);
      sum += c.weight * c.demand[d] * cheapest;
    }
    best = Math.max(best, sum);
  }
  return best;
}

interface CapacityRow {
  readonly name: string;
  readonly type: number;
  readonly dimension: Dimension;
}

interface CutRow {
  readonly name: string;
  readonly jobClass: number;
  readonly type: number;
  /** At most this many jobs of the class fit on one instance of the type. */
  readonly perInstance: number;
}

export interface LpModel {
  readonly text: string;
  readonly capacityRows: readonly CapacityRow[];
  readonly cutRows: readonly CutRow[];
  readonly variables: number;
  readonly rows: number;
}

/** How many jobs of one class fit on one instance of a type: min over dimensions of ⌊cap / r⌋. */
function perInstance(demand: Resources, type: InstanceType): number {
  let k = Infinity;
  for (const d of DIMENSIONS) if (demand[d] > 0) k = Math.min(k, Math.floor(type.allocatable[d] / demand[d]));
  return k;
}

/**
 * The LP in CPLEX LP format (model in costLowerBound, with n_j the class's weight), and the
 * rows whose duals certify the bound. With `cuts`, adds
 * y_{j,t} ≤ k_{j,t} · x_t where k_{j,t} = ⌊cap / r⌋ jobs of class j fit on one instance of t
 * (only where that is tighter than the capacity rows): valid for every real fleet, since an
 * instance holds a whole number of jobs.
 */
export function buildLp(classes: readonly JobClass[], catalog: readonly InstanceType[], options: { readonly cuts?: boolean } = {}): LpModel {
  const usedTypes = [...new Set(classes.flatMap((c) => c.types))].sort((a, b) => a - b);
  const lines: string[] = ['Minimize'];
  pushTerms(lines, ' cost:', usedTypes.map((t) => [num(catalog[t]!.pricePerHour), `x${t}`]));
  lines.push('Subject To');
  classes.forEach((c, j) => {
    pushTerms(lines, ` n${j}:`, c.types.map((t) => ['1', `y${j}_${t}`]));
    lines.push(`  = ${num(c.weight)}`);
  });
  // Per type: which classes may use it.
  const classesOn = new Map<number, number[]>();
  classes.forEach((c, j) => {
    for (const t of c.types) {
      const list = classesOn.get(t);
      if (list) list.push(j);
      else classesOn.set(t, [j]);
    }
  });
  const capacityRows: CapacityRow[] = [];
  for (const t of usedTypes) {
    const type = catalog[t]!;
    for (const d of DIMENSIONS) {
      const cap = type.allocatable[d];
      // A class with r_{j,d} > 0 on t implies cap > 0 (it fits); with no such class the row is empty.
      const terms: [string, string][] = classesOn.get(t)!.filter((j) => classes[j]!.demand[d] > 0).map((j) => [num(classes[j]!.demand[d] / cap), `y${j}_${t}`]);
      if (terms.length === 0) continue;
      const name = `c${t}_${d}`;
      terms.push(['-1', `x${t}`]);
      pushTerms(lines, ` ${name}:`, terms);
      lines.push('  <= 0');
      capacityRows.push({ name, type: t, dimension: d });
    }
  }
  const cutRows: CutRow[] = [];
  if (options.cuts === true) {
    classes.forEach((c, j) => {
      for (const t of c.types) {
        const type = catalog[t]!;
        const k = perInstance(c.demand, type);
        const fractional = Math.min(...DIMENSIONS.filter((d) => c.demand[d] > 0).map((d) => type.allocatable[d] / c.demand[d]));
        if (!(k < fractional - 1e-9)) continue;
        const name = `k${j}_${t}`;
        lines.push(` ${name}: y${j}_${t} - ${num(k)} x${t} <= 0`);
        cutRows.push({ name, jobClass: j, type: t, perInstance: k });
      }
    });
  }
  lines.push('End');
  const variables = usedTypes.length + classes.reduce((s, c) => s + c.types.length, 0);
  return { text: lines.join('\n'), capacityRows, cutRows, variables, rows: classes.length + capacityRows.length + cutRows.length };
}

/** Writes `coef var` terms a few per line (LP readers dislike very long lines). */
function pushTerms(lines: string[], head: string, terms: readonly (readonly [string, string])[]): void {
  let line = head;
  terms.forEach(([coef, name], i) => {
    const sign = coef.startsWith('-') ? '-' : i === 0 ? '' : '+';
    line += ` ${sign} ${coef.replace(/^-/, '')} ${name}`;
    if ((i + 1) % 8 === 0) {
      lines.push(line);
      line = ' ';
    }
  });
  if (line.trim() !== '') lines.push(line);
}

/** A plain decimal (no exponent) that LP readers accept. */
function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`cost-lower-bound: non-finite coefficient ${v}`);
  const s = String(v);
  return /e/i.test(s) ? v.toFixed(20).replace(/0+$/, '').replace(/\.$/, '') : s;
}

// highs ships a CommonJS-typed declaration with `export default`: TypeScript (nodenext) sees
// the loader as `.default` of the import, while Node's ESM entry (build/highs.mjs) exports it
// directly. Accept both shapes.
type LoadHighs = typeof highsImport.default;
const loadHighs: LoadHighs = (highsImport as unknown as { default?: LoadHighs }).default ?? (highsImport as unknown as LoadHighs);
let highsPromise: ReturnType<LoadHighs> | undefined;

/** One LP solved and certified. */
export interface LpBound {
  /** USD/hour, certified by weak duality (see costLowerBound). */
  readonly value: number;
  /** The optimum as HiGHS reports it (equal to `value` up to solver tolerance). */
  readonly objective: number;
  readonly variables: number;
  readonly rows: number;
  readonly solveMs: number;
}

/**
 * Solves the LP and turns its duals into a certified bound. Dual of the LP (rows scaled by
 * 1/cap): u_j free, w_{t,d} ≥ 0 per capacity row, v_{j,t} ≥ 0 per cut row;
 *
 *     maximize   Σ_j n_j u_j
 *     subject to Σ_d w_{t,d} + Σ_j k_{j,t} v_{j,t} ≤ price_t          (column x_t)
 *                u_j ≤ Σ_d (r_{j,d} / cap_{t,d}) w_{t,d} + v_{j,t}     (column y_{j,t})
 *
 * Any w, v ≥ 0, scaled down per type until the first constraint holds, with u_j the min over t
 * of the second's right side, is dual-feasible, so Σ_j n_j u_j ≤ the LP optimum.
 */
export async function solveLpBound(classes: readonly JobClass[], catalog: readonly InstanceType[], options: { readonly cuts?: boolean } = {}): Promise<LpBound> {
  if (classes.length === 0) return { value: 0, objective: 0, variables: 0, rows: 0, solveMs: 0 };
  const model = buildLp(classes, catalog, options);
  highsPromise ??= loadHighs();
  const highs = await highsPromise;
  const started = performance.now();
  const result = highs.solve(model.text, { presolve: 'on', solver: 'simplex' });
  const solveMs = performance.now() - started;
  if (result.Status !== 'Optimal') throw new Error(`cost-lower-bound: HiGHS ended with status ${result.Status}`);

  // HiGHS reports d(objective)/d(rhs): ≤ 0 for a binding ≤ row when minimizing.
  const dualOf = new Map<string, number>();
  for (const row of result.Rows) if ('Dual' in row && 'Name' in row) dualOf.set(row.Name, row.Dual);
  const dual = (name: string): number => Math.max(0, -(dualOf.get(name) ?? 0));
  const w = new Map<number, Map<Dimension, number>>();
  const v = new Map<string, number>();
  const spent = new Map<number, number>(); // Σ_d w_{t,d} + Σ_j k v_{j,t}, per type
  for (const row of model.capacityRows) {
    const value = dual(row.name);
    let perType = w.get(row.type);
    if (!perType) w.set(row.type, (perType = new Map()));
    perType.set(row.dimension, value);
    spent.set(row.type, (spent.get(row.type) ?? 0) + value);
  }
  for (const row of model.cutRows) {
    const value = dual(row.name);
    v.set(`${row.jobClass}_${row.type}`, value);
    spent.set(row.type, (spent.get(row.type) ?? 0) + row.perInstance * value);
  }
  const scaleOf = (t: number): number => {
    const total = spent.get(t) ?? 0;
    const price = catalog[t]!.pricePerHour;
    return total > price ? price / total : 1;
  };
  let value = 0;
  classes.forEach((c, j) => {
    let u = Infinity;
    for (const t of c.types) {
      const perType = w.get(t);
      let reduced = v.get(`${j}_${t}`) ?? 0;
      for (const d of DIMENSIONS) if (c.demand[d] > 0) reduced += (c.demand[d] / catalog[t]!.allocatable[d]) * (perType?.get(d) ?? 0);
      u = Math.min(u, reduced * scaleOf(t));
    }
    value += c.weight * u;
  });
  return { value, objective: result.ObjectiveValue, variables: model.variables, rows: model.rows, solveMs };
}

/**
 * Lower bounds on the hourly cost of any fleet of new instances that holds all `jobs`.
 *
 * Model (LP relaxation of the assignment model): for each catalog type t, x_t ≥ 0 fractional
 * instances; for each class j of identical jobs (n_j jobs, demand r_j) and each type t that
 * can hold one (name patterns, architecture, GPU models, fits at all), y_{j,t} ≥ 0 jobs of j
 * on t.
 *
 *     minimize   Σ_t price_t · x_t
 *     subject to Σ_t y_{j,t} = n_j                           for every class j
 *                Σ_j r_{j,d} · y_{j,t} ≤ cap_{t,d} · x_t     for every type t and dimension d
 *
 * Every real fleet (integral x, integral y) is feasible, so the LP optimum is ≤ its cost: that
 * is `lp`. `lpCuts` adds y_{j,t} ≤ ⌊min_d cap_{t,d} / r_{j,d}⌋ · x_t (an instance holds a whole
 * number of jobs), which every real fleet also satisfies: a tighter bound when jobs are large
 * relative to the types (a 120 GiB job on a 124 GiB type leaves the rest unusable by it).
 * Both are certified by weak duality from the solver's duals (solveLpBound), so solver
 * tolerances cannot push them above the true optimum. Jobs no type can hold are left out (a
 * plan cannot place them either). Existing nodes are ignored: the bound is for a fleet built
 * from nothing.
 */
export async function costLowerBound(jobs: readonly PendingJob[], catalog: readonly InstanceType[]): Promise<CostLowerBound> {
  const { classes, unplaceable } = groupJobs(jobs, catalog);
  const boundedJobs = classes.reduce((s, c) => s + c.count, 0);
  const perDimension = perDimensionBound(classes, catalog);
  const plain = await solveLpBound(classes, catalog);
  const withCuts = await solveLpBound(classes, catalog, { cuts: true });
  return {
    lp: plain.value,
    lpObjective: plain.objective,
    lpCuts: Math.max(plain.value, withCuts.value),
    lpCutsObjective: withCuts.objective,
    perDimension,
    classes: classes.length,
    boundedJobs,
    unplaceable,
    variables: withCuts.variables,
    rows: withCuts.rows,
    solveMs: plain.solveMs + withCuts.solveMs,
  };
}
