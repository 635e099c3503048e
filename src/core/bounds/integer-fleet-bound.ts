// A lower bound on what a fleet of whole instances that holds a set of jobs costs per hour:
// the cost-rate LP of lp-model.ts with whole instance counts, a small MIP solved by HiGHS.
// Where few jobs run, the LP's fractional instances (a quarter of a 4-GPU type for a one-GPU
// job) leave it well below any real fleet; whole instances close most of that gap.

import type { InstanceType } from '../catalog/instance-type.ts';
import type { Highs } from './highs.ts';
import type { JobGroup } from './job-groups.ts';
import { buildLpModel } from './lp-model.ts';

export interface IntegerFleetBound {
  /** USD/hour: the solver's proven bound on the MIP's optimum, less MIP_MARGIN for its tolerances. */
  readonly value: number;
  /** USD/hour of the best whole fleet the solver found (with jobs shared out fractionally); Infinity when it found none. */
  readonly fleetCost: number;
}

/** How much work one bound may take, counted so that the result never depends on the machine's speed. */
export interface IntegerFleetLimits {
  /** Branch-and-bound nodes; the bound stops there, still valid. */
  readonly maxNodes: number;
  /** Model columns (types and job-group placements) beyond which it is not attempted. */
  readonly maxColumns: number;
}

/**
 * Relative margin taken off the solver's bound. HiGHS works to feasibility tolerances of
 * 1e-7 (LP) and 1e-6 (MIP); its dual bound is not certified the way the LP bounds are
 * (certifyDuals), so the bound gives up this much rather than trust the last digits.
 */
export const MIP_MARGIN = 1e-6;

/**
 * The model of buildLpModel (with every per-instance cut as a row) for groups whose weight
 * is a job count, with each x_t a whole number: jobs may still be shared out fractionally
 * among the instances of a type, but the instances are whole. Every real fleet that holds
 * the jobs is feasible, so the MIP's optimum is at most its cost; HiGHS's dual bound is at
 * most the optimum, and stays valid when it stops at `limits.maxNodes` before proving it.
 * Undefined when the model has more than `limits.maxColumns` columns (the solver's time
 * grows with it: about 0.1 s at 250 columns, 1-2 s at 1,000-1,500, measured on 2 cores), or
 * when HiGHS ends without a finite bound.
 *
 * Types are left out as dominated only where a whole number of another type replaces one
 * (buildLpModel's `wholeInstances`): with fractional instances any multiple would do.
 */
export function integerFleetBound(highs: Highs, groups: readonly JobGroup[], catalog: readonly InstanceType[], limits: IntegerFleetLimits): IntegerFleetBound | undefined {
  if (groups.length === 0) return { value: 0, fleetCost: 0 };
  const model = buildLpModel(groups, catalog, { cuts: true, wholeInstances: true });
  const { numCols, numRows, starts, indices, values, cutX, cutY, cutPerInstance } = model;
  if (numCols > limits.maxColumns) return undefined;
  // The model's rows, then one row per cut: y - k · x ≤ 0. Columns are rebuilt with the cut
  // entries appended (cut rows come after every model row, so each column stays ascending).
  const cutsOf = Array.from({ length: numCols }, () => [] as [row: number, value: number][]);
  for (let c = 0; c < cutY.length; c++) {
    cutsOf[cutY[c]!]!.push([numRows + c, 1]);
    cutsOf[cutX[c]!]!.push([numRows + c, -cutPerInstance[c]!]);
  }
  const rows = numRows + cutY.length;
  const columnStarts = new Int32Array(numCols + 1);
  const rowIndex: number[] = [];
  const entry: number[] = [];
  for (let column = 0; column < numCols; column++) {
    for (let e = starts[column]!; e < starts[column + 1]!; e++) {
      rowIndex.push(indices[e]!);
      entry.push(values[e]!);
    }
    for (const [row, value] of cutsOf[column]!) {
      rowIndex.push(row);
      entry.push(value);
    }
    columnStarts[column + 1] = rowIndex.length;
  }
  const rowLower = new Float64Array(rows).fill(-highs.infinity);
  const rowUpper = new Float64Array(rows);
  groups.forEach((g, j) => {
    rowLower[j] = g.weight;
    rowUpper[j] = g.weight;
  });
  const integrality = new Int32Array(numCols);
  integrality.fill(1, 0, model.usedTypes.length);
  const solver = highs.createModel({
    numCols,
    numRows: rows,
    colCost: model.colCost,
    colLower: new Float64Array(numCols),
    colUpper: new Float64Array(numCols).fill(highs.infinity),
    rowLower,
    rowUpper,
    matrix: { format: 'csc', numRows: rows, numCols, starts: columnStarts, indices: Int32Array.from(rowIndex), values: Float64Array.from(entry) },
    integrality,
  });
  try {
    // No time limit: the result must not depend on the machine's speed.
    solver.options.set({ output_flag: false, mip_max_nodes: limits.maxNodes, mip_rel_gap: 1e-6 });
    const status = solver.run().modelStatus;
    const { optimal, solutionLimit, iterationLimit } = highs.constants.modelStatus;
    // Anything else (a numerical failure) leaves the caller its LP bound for these jobs.
    if (status !== optimal && status !== solutionLimit && status !== iterationLimit) return undefined;
    const dualBound = Number(solver.info.get('mip_dual_bound'));
    if (!Number.isFinite(dualBound)) return undefined;
    const found = Number(solver.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    const fleetCost = found ? solver.getObjectiveValue() : Infinity;
    return { value: Math.max(0, dualBound) * (1 - MIP_MARGIN), fleetCost };
  } finally {
    solver.dispose();
  }
}
