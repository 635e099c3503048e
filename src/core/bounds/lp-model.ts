// The LP relaxation behind the cost lower bounds, as a sparse matrix, and the weak-duality
// certificate that turns a solver's row duals into a bound no solver tolerance can inflate.

import type { InstanceType } from '../catalog/instance-type.ts';
import { DIMENSIONS, type Resources } from '../resources.ts';
import type { JobGroup } from './job-groups.ts';

const D = DIMENSIONS.length;

export interface LpOptions {
  /** Add the per-instance cuts (see buildLpModel). */
  readonly cuts?: boolean;
  /**
   * The model's instance counts will be whole numbers (integer-fleet-bound.ts): a type is
   * left out as dominated only when a whole number of the other type replaces it.
   */
  readonly wholeInstances?: boolean;
}

/**
 * The LP for a set of job groups (see buildLpModel for the model):
 *
 * - columns: x_t for each type in `usedTypes` (column i is `usedTypes[i]`), then y_{j,t} for
 *   each group j and each type t of `groupTypes[j]`, group by group: column
 *   `usedTypes.length + yStart[j] + p` is y_{j, groupTypes[j][p]};
 * - rows: one equality row per group (row j; its right-hand side is what the LP must place
 *   of the group), then the capacity rows (`numRows` in all);
 * - the cuts apart (a solver adds each as a row y - k·x ≤ 0 once a solution violates it).
 */
export interface LpModel {
  readonly groups: readonly JobGroup[];
  readonly catalog: readonly InstanceType[];
  /** Per group, the types of `groups[j].types` the model keeps (see buildLpModel), ascending. */
  readonly groupTypes: readonly (readonly number[])[];
  readonly usedTypes: readonly number[];
  readonly yStart: Int32Array;
  readonly numCols: number;
  readonly numRows: number;
  /** USD/hour per column: the type's price for x_t, 0 for y. */
  readonly colCost: Float64Array;
  /** The group and capacity rows in compressed sparse columns, rows ascending within a column. */
  readonly starts: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
  /** Per row: the catalog type of a capacity row, -1 for a group row. */
  readonly rowType: Int32Array;
  /** Per cut y_{j,t} ≤ k · x_t: its y column, its x column, and k. */
  readonly cutY: Int32Array;
  readonly cutX: Int32Array;
  readonly cutPerInstance: Float64Array;
}

/** How many jobs of one demand fit on one instance of a type: min over dimensions of ⌊cap / r⌋. */
export function perInstance(demand: Resources, type: InstanceType): number {
  let k = Infinity;
  for (const d of DIMENSIONS) if (demand[d] > 0) k = Math.min(k, Math.floor(type.allocatable[d] / demand[d]));
  return k;
}

/** How many jobs of one demand fit on one instance of a type, fractionally: min over dimensions of cap / r. */
function fractionalPerInstance(demand: Resources, type: InstanceType): number {
  let k = Infinity;
  for (const d of DIMENSIONS) if (demand[d] > 0) k = Math.min(k, type.allocatable[d] / demand[d]);
  return k;
}

/**
 * Builds the LP relaxation of the assignment model. For each catalog type t that some group
 * may use, x_t ≥ 0 fractional instances; for each group j (demand r_j, n_j to place) and
 * each type t that can hold one, y_{j,t} ≥ 0 jobs of j on t:
 *
 *     minimize   Σ_t price_t · x_t
 *     subject to Σ_t y_{j,t} = n_j                               for every group j
 *                Σ_j (r_{j,d} / cap_{t,d}) · y_{j,t} ≤ x_t       for every type t and dimension d
 *
 * (a capacity row only where some group on t asks for d). With `cuts`, adds the cuts
 * y_{j,t} ≤ k_{j,t} · x_t where k_{j,t} = ⌊min_d cap_{t,d} / r_{j,d}⌋ jobs of j fit on one
 * instance of t, where that is tighter than the capacity rows: valid for every real fleet,
 * since an instance holds a whole number of jobs.
 *
 * Types another type dominates are left out, which changes no optimum, for any n: t'
 * dominates t when, with λ = price_t / price_t', λ instances of t' offer at least what one
 * of t does in every dimension, every group that may use t may use t', and where t' has a
 * cut for a group, λ · k_{j,t'} is at least what one t may hold of it (k_{j,t} with a cut,
 * else min_d cap / r). Then replacing x_t by λ · x_t' (same y) keeps every constraint and
 * costs no more. Of types that dominate each other, one stays. (A newer generation at a
 * higher price goes, and so does a size whose price is a multiple of another's while it
 * offers no larger a multiple of resources: the LP gets several times smaller.) With
 * `wholeInstances`, only where a whole number m of t' costs no more than one t and offers as
 * much (the same test with m for λ), so that x_t' + m · x_t stays whole.
 *
 * The matrix does not depend on n: only the right-hand side of the group rows does, and a
 * group with n_j = 0 forces its y_{j,t} to 0, which is the LP without that group. That is
 * what lets one model (and one dual solution) serve every subset of the groups.
 */
export function buildLpModel(groups: readonly JobGroup[], catalog: readonly InstanceType[], options: LpOptions = {}): LpModel {
  const cuts = options.cuts === true;
  const wholeInstances = options.wholeInstances === true;
  const J = groups.length;
  const T = catalog.length;
  // Per group and type it may use: jobs per instance, whole and fractional, and whether the
  // whole-jobs limit is a cut row (tighter than the capacity rows).
  const allowed = new Uint8Array(J * T);
  const whole = new Float64Array(J * T);
  const fractional = new Float64Array(J * T);
  const hasCut = new Uint8Array(J * T);
  groups.forEach((g, j) => {
    for (const t of g.types) {
      const at = j * T + t;
      allowed[at] = 1;
      whole[at] = perInstance(g.demand, catalog[t]!);
      fractional[at] = fractionalPerInstance(g.demand, catalog[t]!);
      if (cuts && whole[at]! < fractional[at]! - 1e-9) hasCut[at] = 1;
    }
  });
  const candidates = [...new Set(groups.flatMap((g) => g.types))].sort((a, b) => a - b);
  const groupsOn = new Map(candidates.map((t) => [t, groups.flatMap((_, j) => (allowed[j * T + t] === 1 ? [j] : []))]));
  const dominates = (better: number, t: number): boolean => {
    const a = catalog[better]!;
    const b = catalog[t]!;
    // λ = price_t / price_better; compare λ · x ≥ y as x · price_t ≥ y · price_better. For
    // whole instances, the most whole instances m that cost no more than one t: compare m · x ≥ y.
    let pa = a.pricePerHour;
    let pb = b.pricePerHour;
    if (wholeInstances) {
      const m = Math.floor((pb / pa) * (1 + 1e-12));
      if (!(m >= 1)) return false;
      pa = 1;
      pb = m;
    }
    for (const d of DIMENSIONS) if (!(a.allocatable[d] * pb >= b.allocatable[d] * pa)) return false;
    for (const j of groupsOn.get(t)!) {
      const at = j * T + better;
      if (allowed[at] === 0) return false;
      if (hasCut[at] === 1) {
        const limit = hasCut[j * T + t] === 1 ? whole[j * T + t]! : fractional[j * T + t]!;
        if (!(whole[at]! * pb >= limit * pa)) return false;
      }
    }
    return true;
  };
  const kept = new Uint8Array(T);
  for (const t of candidates) kept[t] = 1;
  for (const t of candidates) {
    for (const other of candidates) {
      if (other !== t && kept[other] === 1 && dominates(other, t)) {
        kept[t] = 0;
        break;
      }
    }
  }
  const groupTypes = groups.map((g) => g.types.filter((t) => kept[t] === 1));
  const usedTypes = candidates.filter((t) => kept[t] === 1);

  // Rows: groups, then capacity (per used type and dimension some group on it asks for).
  const rowType: number[] = groups.map(() => -1);
  const capacityRowOf = new Int32Array(T * D).fill(-1);
  const asks = new Uint8Array(T * D);
  groups.forEach((g, j) => {
    for (const t of groupTypes[j]!) {
      DIMENSIONS.forEach((d, di) => {
        if (g.demand[d] > 0) asks[t * D + di] = 1;
      });
    }
  });
  for (const t of usedTypes) {
    for (let di = 0; di < D; di++) {
      if (asks[t * D + di] === 0) continue;
      capacityRowOf[t * D + di] = rowType.length;
      rowType.push(t);
    }
  }
  const xCount = usedTypes.length;
  const xColumnOf = new Int32Array(T).fill(-1);
  usedTypes.forEach((t, i) => (xColumnOf[t] = i));
  const yStart = new Int32Array(J + 1);
  for (let j = 0; j < J; j++) yStart[j + 1] = yStart[j]! + groupTypes[j]!.length;
  const numCols = xCount + yStart[J]!;
  const cutY: number[] = [];
  const cutX: number[] = [];
  const cutPerInstance: number[] = [];
  groupTypes.forEach((types, j) => {
    types.forEach((t, p) => {
      if (hasCut[j * T + t] === 0) return;
      cutY.push(xCount + yStart[j]! + p);
      cutX.push(xColumnOf[t]!);
      cutPerInstance.push(whole[j * T + t]!);
    });
  });

  const colCost = new Float64Array(numCols);
  const starts = new Int32Array(numCols + 1);
  const indices: number[] = [];
  const values: number[] = [];
  usedTypes.forEach((t, i) => {
    colCost[i] = catalog[t]!.pricePerHour;
    for (let di = 0; di < D; di++) {
      const row = capacityRowOf[t * D + di]!;
      if (row < 0) continue;
      indices.push(row);
      values.push(-1);
    }
    starts[i + 1] = indices.length;
  });
  groups.forEach((g, j) => {
    groupTypes[j]!.forEach((t, p) => {
      const column = xCount + yStart[j]! + p;
      indices.push(j);
      values.push(1);
      DIMENSIONS.forEach((d, di) => {
        if (g.demand[d] <= 0) return;
        indices.push(capacityRowOf[t * D + di]!);
        values.push(g.demand[d] / catalog[t]!.allocatable[d]);
      });
      starts[column + 1] = indices.length;
    });
  });
  return {
    groups,
    catalog,
    groupTypes,
    usedTypes,
    yStart,
    numCols,
    numRows: rowType.length,
    colCost,
    starts,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
    rowType: Int32Array.from(rowType),
    cutY: Int32Array.from(cutY),
    cutX: Int32Array.from(cutX),
    cutPerInstance: Float64Array.from(cutPerInstance),
  };
}

/**
 * Turns duals of the LP (as HiGHS reports them: d objective / d right-hand side, so ≤ 0 on a
 * binding ≤ row of a minimization) into per-group prices u_j (USD/hour per job) that are
 * feasible for the LP's dual, whatever the right-hand side: `rowDual` per group and capacity
 * row, `cutDual` per cut (0 for a cut the solver did not have). Dual of the LP: u_j free,
 * w_{t,d} ≥ 0 per capacity row, v_{j,t} ≥ 0 per cut;
 *
 *     maximize   Σ_j n_j u_j
 *     subject to Σ_d w_{t,d} + Σ_j k_{j,t} v_{j,t} ≤ price_t          (column x_t)
 *                u_j ≤ Σ_d (r_{j,d} / cap_{t,d}) w_{t,d} + v_{j,t}     (column y_{j,t})
 *
 * Any w, v ≥ 0, scaled down per type until the first constraint holds, with u_j the min over
 * the group's columns of the second's right side, is dual-feasible; so for ANY n ≥ 0,
 * Σ_j n_j u_j ≤ the LP optimum at n (weak duality). The u_j are ≥ 0. The group rows' own
 * duals are not used: u is rebuilt from w and v, so it is feasible for every group, also
 * one that was absent (n_j = 0) when the duals were computed, and for every cut, also one the
 * solver did not have.
 */
export function certifyDuals(model: LpModel, rowDual: ArrayLike<number>, cutDual: ArrayLike<number>): Float64Array {
  const { groups, catalog, starts, indices, values, rowType, usedTypes, yStart, cutY, cutX, cutPerInstance } = model;
  const J = groups.length;
  const xCount = usedTypes.length;
  // w and v: the ≤ rows' duals as nonnegative prices.
  const price = new Float64Array(model.numRows);
  for (let r = J; r < model.numRows; r++) price[r] = Math.max(0, -rowDual[r]!);
  const cutPrice = new Float64Array(model.numCols - xCount); // per y column
  // Column x_t has -1 in each capacity row and -k in each cut row of t: Σ |a| · price is what t spends.
  const spent = new Float64Array(xCount);
  for (let i = 0; i < xCount; i++) for (let e = starts[i]!; e < starts[i + 1]!; e++) spent[i] = spent[i]! - values[e]! * price[indices[e]!]!;
  for (let c = 0; c < cutY.length; c++) {
    const v = Math.max(0, -cutDual[c]!);
    cutPrice[cutY[c]! - xCount] = v;
    spent[cutX[c]!] = spent[cutX[c]!]! + cutPerInstance[c]! * v;
  }
  const scale = new Float64Array(catalog.length);
  usedTypes.forEach((t, i) => {
    const cost = catalog[t]!.pricePerHour;
    scale[t] = spent[i]! > cost ? cost / spent[i]! : 1;
  });
  const u = new Float64Array(J);
  for (let j = 0; j < J; j++) {
    let best = Infinity;
    for (let column = xCount + yStart[j]!; column < xCount + yStart[j + 1]!; column++) {
      let reduced = cutPrice[column - xCount]!;
      let type = -1;
      for (let e = starts[column]!; e < starts[column + 1]!; e++) {
        const row = indices[e]!;
        if (row < J) continue;
        reduced += values[e]! * price[row]!;
        type = rowType[row]!;
      }
      // A column in no capacity row asks for nothing (and has no cut): it is free.
      best = Math.min(best, type < 0 ? 0 : reduced * scale[type]!);
    }
    u[j] = best;
  }
  return u;
}

/** Σ_j n_j u_j. */
export function dualValue(u: ArrayLike<number>, n: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < u.length; j++) if (n[j]! !== 0) sum += n[j]! * u[j]!;
  return sum;
}
