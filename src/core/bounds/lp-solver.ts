// Solves the bound LPs with HiGHS (WebAssembly, in process): once for a bound, or over and
// over on one persistent model whose right-hand side changes (clairvoyant-lower-bound.ts),
// each solve warm-started from the previous basis.

import type { InstanceType } from '../catalog/instance-type.ts';
import { loadHighsOnce } from './highs.ts';
import type { JobGroup } from './job-groups.ts';
import { buildLpModel, certifyDuals, dualValue, type LpModel, type LpOptions } from './lp-model.ts';

/** One LP solve, certified. */
export interface LpSolution {
  /** Σ_j n_j u_j with the certified prices: a lower bound on the LP optimum at n (USD/hour). */
  readonly value: number;
  /** The optimum as HiGHS reports it (equal to `value` up to solver tolerance). */
  readonly objective: number;
  /** Certified per-group prices, dual-feasible for every right-hand side (certifyDuals). */
  readonly u: Float64Array;
}

/** A persistent LP over fixed groups; each solve sets the group rows' right-hand side. */
export interface LpSession {
  readonly model: LpModel;
  /** Solves with n_j = rhs[j] (≥ 0) for every group j; warm-started from the previous solve. */
  solve(rhs: ArrayLike<number>): LpSolution;
  /**
   * The last solve's basis: per basis position, the model column basic there, or -1 for a
   * row's slack. While the basis stays feasible as n changes, it stays optimal (its duals do
   * not depend on n), and the value at position i is basisSolve(n)[i].
   */
  basicColumns(): Int32Array;
  /** The last solve's basic solution at job counts n (feasible or not), per basis position. */
  basisSolve(n: ArrayLike<number>): Float64Array;
  /** Frees the solver's WebAssembly memory; the session is unusable afterwards. */
  dispose(): void;
}

/** A cut is added once a solution violates it by more than this (relative to k · x). */
const CUT_VIOLATION = 1e-7;

/**
 * Opens a session on the LP for `groups` (at least one). The cuts start outside the solver:
 * each solve adds those its solution violates and solves again, until none is, so the
 * solution is optimal for the LP with every cut while the solver only carries the few that
 * bind somewhere (the duals of a solve with fewer cuts are still feasible with all of them:
 * certifyDuals).
 */
export async function openLp(groups: readonly JobGroup[], catalog: readonly InstanceType[], options: LpOptions = {}): Promise<LpSession> {
  if (groups.length === 0) throw new RangeError('openLp: no job groups');
  const model = buildLpModel(groups, catalog, options);
  const highs = await loadHighsOnce();
  const J = groups.length;
  const rowLower = new Float64Array(model.numRows).fill(-highs.infinity);
  const rowUpper = new Float64Array(model.numRows);
  groups.forEach((g, j) => {
    rowLower[j] = g.weight;
    rowUpper[j] = g.weight;
  });
  const solver = highs.createModel({
    numCols: model.numCols,
    numRows: model.numRows,
    colCost: model.colCost,
    colLower: new Float64Array(model.numCols),
    colUpper: new Float64Array(model.numCols).fill(highs.infinity),
    rowLower,
    rowUpper,
    matrix: { format: 'csc', numRows: model.numRows, numCols: model.numCols, starts: model.starts, indices: model.indices, values: model.values },
  });
  try {
    solver.options.set({ output_flag: false, solver: 'simplex', presolve: 'off' });
  } catch (error) {
    solver.dispose();
    throw error;
  }
  const groupRows = { kind: 'range', from: 0, to: J - 1 } as const;
  const optimal = highs.constants.modelStatus.optimal;
  /** Per cut: its row in the solver, or -1 while it is outside. */
  const cutRow = new Int32Array(model.cutY.length).fill(-1);
  let rows = model.numRows;

  const run = (): void => {
    let status = solver.run().modelStatus;
    if (status !== optimal) {
      // A warm start gone wrong numerically: solve from scratch once before giving up.
      solver.clearSolver();
      status = solver.run().modelStatus;
    }
    if (status !== optimal) throw new Error(`lower-bound LP: HiGHS ended with model status ${status}`);
  };
  /** Adds the cuts the solution violates; whether it added any. */
  const addViolatedCuts = (colValue: Float64Array): boolean => {
    let added = false;
    for (let c = 0; c < cutRow.length; c++) {
      if (cutRow[c]! >= 0) continue;
      const limit = model.cutPerInstance[c]! * colValue[model.cutX[c]!]!;
      if (colValue[model.cutY[c]!]! - limit <= CUT_VIOLATION * Math.max(1, limit)) continue;
      solver.addRow(-highs.infinity, 0, { indices: [model.cutX[c]!, model.cutY[c]!], values: [-model.cutPerInstance[c]!, 1] });
      cutRow[c] = rows++;
      added = true;
    }
    return added;
  };

  return {
    model,
    solve(rhs) {
      const n = Float64Array.from({ length: J }, (_, j) => {
        const value = rhs[j]!;
        if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`LP right-hand side ${value} for group ${j}; expected a finite number >= 0`);
        return value;
      });
      solver.changeRowsBounds(groupRows, n, n);
      run();
      let solution = solver.getSolution();
      while (addViolatedCuts(solution.colValue)) {
        run();
        solution = solver.getSolution();
      }
      const cutDual = Float64Array.from(cutRow, (row) => (row >= 0 ? solution.rowDual[row]! : 0));
      const u = certifyDuals(model, solution.rowDual, cutDual);
      return { value: dualValue(u, n), objective: solver.getObjectiveValue(), u };
    },
    basicColumns() {
      return Int32Array.from(solver.getBasicVariables(), (v) => (v >= 0 ? v : -1));
    },
    basisSolve(n) {
      // HiGHS's basis matrix B has the basic structural columns and a unit column per basic
      // row slack; the group rows' slacks are nonbasic at -n_j and the other rows' at 0, so
      // the basic values are B⁻¹ Σ_j n_j e_j (checked against solved values by the tests).
      const rhs = new Float64Array(rows);
      for (let j = 0; j < J; j++) rhs[j] = n[j]!;
      return solver.getBasisSolve(rhs).values;
    },
    dispose() {
      solver.dispose();
    },
  };
}

/** One LP solved and certified. */
export interface LpBound {
  /** USD/hour (per unit of the groups' weights), certified by weak duality (certifyDuals). */
  readonly value: number;
  /** The optimum as HiGHS reports it (equal to `value` up to solver tolerance). */
  readonly objective: number;
  /** Certified per-group prices (empty with no groups). */
  readonly u: Float64Array;
  readonly variables: number;
  readonly rows: number;
}

/** Solves the LP once, with each group's weight as what must be placed. */
export async function solveLpBound(groups: readonly JobGroup[], catalog: readonly InstanceType[], options: LpOptions = {}): Promise<LpBound> {
  if (groups.length === 0) return { value: 0, objective: 0, u: new Float64Array(0), variables: 0, rows: 0 };
  const session = await openLp(groups, catalog, options);
  try {
    const { value, objective, u } = session.solve(groups.map((g) => g.weight));
    return { value, objective, u, variables: session.model.numCols, rows: session.model.numRows };
  } finally {
    session.dispose();
  }
}
