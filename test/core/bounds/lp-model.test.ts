import fc from 'fast-check';
import highsImport from 'highs';
import { describe, expect, it } from 'vitest';
import { costLowerBound } from '../../../src/core/bounds/cost-lower-bound.ts';
import { groupBoundJobs, type JobGroup } from '../../../src/core/bounds/job-groups.ts';
import { buildLpModel, certifyDuals, dualValue, perInstance } from '../../../src/core/bounds/lp-model.ts';
import { openLp } from '../../../src/core/bounds/lp-solver.ts';
import { DEFAULT_OVERHEAD } from '../../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../../src/core/catalog/build-catalog.ts';
import type { InstanceType } from '../../../src/core/catalog/instance-type.ts';
import { DIMENSIONS } from '../../../src/core/resources.ts';
import { jobs, type } from './bound-fixtures.ts';

type LoadHighs = typeof highsImport.default;
const loadHighs: LoadHighs = (highsImport as unknown as { default?: LoadHighs }).default ?? (highsImport as unknown as LoadHighs);
const highs = loadHighs();

/**
 * The reference: the LP written out in full (every compatible type, every cut as a row, no
 * pruning) and solved by HiGHS's one-shot text interface.
 */
async function referenceLp(groups: readonly JobGroup[], catalog: readonly InstanceType[], n: readonly number[], cuts: boolean): Promise<number> {
  if (groups.length === 0) return 0;
  const types = [...new Set(groups.flatMap((g) => g.types))];
  const lines = ['Minimize', ` cost: ${types.map((t) => `${catalog[t]!.pricePerHour} x${t}`).join(' + ')}`, 'Subject To'];
  groups.forEach((g, j) => lines.push(` n${j}: ${g.types.map((t) => `y${j}_${t}`).join(' + ')} = ${n[j]}`));
  for (const t of types) {
    for (const d of DIMENSIONS) {
      const terms = groups.flatMap((g, j) => (g.types.includes(t) && g.demand[d] > 0 ? [`${(g.demand[d] / catalog[t]!.allocatable[d]).toFixed(15)} y${j}_${t}`] : []));
      if (terms.length > 0) lines.push(` c${t}_${d}: ${terms.join(' + ')} - x${t} <= 0`);
    }
  }
  if (cuts) groups.forEach((g, j) => g.types.forEach((t) => lines.push(` k${j}_${t}: y${j}_${t} - ${perInstance(g.demand, catalog[t]!)} x${t} <= 0`)));
  lines.push('End');
  const result = (await highs).solve(lines.join('\n'));
  if (result.Status !== 'Optimal') throw new Error(result.Status);
  return result.ObjectiveValue;
}

interface Instance {
  readonly types: readonly { readonly cpu: number; readonly memoryMiB: number; readonly price: number; readonly arm: boolean }[];
  readonly groups: readonly { readonly cpu: number; readonly memoryMiB: number; readonly count: number; readonly arm: boolean | undefined }[];
}

const typeArb = fc.record({
  cpu: fc.integer({ min: 1, max: 16 }).map((v) => v * 1024),
  memoryMiB: fc.integer({ min: 1, max: 64 }).map((v) => v * 1024),
  price: fc.integer({ min: 1, max: 40 }).map((v) => v / 10),
  arm: fc.boolean(),
});
const groupArb = fc.record({
  cpu: fc.integer({ min: 1, max: 16 }).map((v) => v * 512),
  memoryMiB: fc.integer({ min: 1, max: 64 }).map((v) => v * 512),
  count: fc.integer({ min: 1, max: 12 }),
  arm: fc.constantFrom<boolean | undefined>(undefined, undefined, true, false),
});
const instanceArb: fc.Arbitrary<Instance> = fc.record({ types: fc.array(typeArb, { minLength: 1, maxLength: 8 }), groups: fc.array(groupArb, { minLength: 1, maxLength: 5 }) });

function instance({ types, groups }: Instance): { catalog: InstanceType[]; groups: JobGroup[] } {
  // Sizes of one family at proportional prices, so some types dominate others.
  const catalog = types.flatMap((t, i) => [
    type(`t${i}.large`, t.cpu, t.memoryMiB, t.price, { architecture: t.arm ? 'arm64' : 'x86_64' }),
    type(`t${i}.2xlarge`, 2 * t.cpu, 2 * t.memoryMiB, 2 * t.price, { architecture: t.arm ? 'arm64' : 'x86_64' }),
  ]);
  const all = groups.flatMap((g) => jobs(g.count, g.cpu, g.memoryMiB, 0, g.arm === undefined ? {} : { architecture: g.arm ? 'arm64' : 'x86_64' }));
  return { catalog, groups: groupBoundJobs(all, catalog).groups };
}

describe('the bound LP', () => {
  it('matches the full LP (every type, every cut) despite dominated types left out and cuts added lazily', async () => {
    await fc.assert(
      fc.asyncProperty(instanceArb, async (input) => {
        const { catalog, groups } = instance(input);
        const jobsOf = groups.flatMap((g) => jobs(g.count, g.demand.cpu, g.demand.memoryMiB, 0, g.constraints));
        const b = await costLowerBound(jobsOf, catalog);
        const counts = groups.map((g) => g.count);
        const plain = await referenceLp(groups, catalog, counts, false);
        const withCuts = await referenceLp(groups, catalog, counts, true);
        expect(b.lp).toBeCloseTo(plain, 6);
        expect(b.lpCuts).toBeCloseTo(withCuts, 6);
        expect(b.lp).toBeLessThanOrEqual(plain + 1e-9);
        expect(b.lpCuts).toBeLessThanOrEqual(withCuts + 1e-9);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('certifies any duals, even arbitrary ones, into a bound on the LP at every right-hand side', async () => {
    await fc.assert(
      fc.asyncProperty(instanceArb, fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 200, maxLength: 200 }), fc.array(fc.nat(6), { minLength: 5, maxLength: 5 }), async (input, noise, rhs) => {
        const { catalog, groups } = instance(input);
        const model = buildLpModel(groups, catalog, { cuts: true });
        const at = (i: number): number => noise[i % noise.length]!;
        const u = certifyDuals(model, Array.from({ length: model.numRows }, (_, r) => at(r)), Array.from({ length: model.cutY.length }, (_, c) => at(model.numRows + c)));
        const n = groups.map((_, j) => rhs[j]!);
        expect(dualValue(u, n)).toBeLessThanOrEqual((await referenceLp(groups, catalog, n, true)) + 1e-7);
      }),
      { numRuns: 40, seed: 8 },
    );
  });

  it('leaves out dominated types: a newer generation at a higher price, a size priced as a multiple', () => {
    const catalog = buildCatalog({ overhead: DEFAULT_OVERHEAD });
    const { groups } = groupBoundJobs([...jobs(1, 1024, 2048), ...jobs(1, 4096, 30 * 1024), ...jobs(1, 2048, 4096, 0, { architecture: 'arm64' })], catalog);
    const model = buildLpModel(groups, catalog, { cuts: true });
    const candidates = new Set(groups.flatMap((g) => g.types));
    expect(model.usedTypes.length).toBeLessThan(candidates.size / 3);
    // Still a type for every group, and only types it may use.
    model.groupTypes.forEach((types, j) => {
      expect(types.length).toBeGreaterThan(0);
      for (const t of types) expect(groups[j]!.types).toContain(t);
    });
  });

  it("a session's basis moves with the right-hand side: B⁻¹n is the solution while the basis is feasible", async () => {
    const catalog = [type('c.xlarge', 4096, 2048, 1), type('r.xlarge', 1024, 8192, 1), type('m.xlarge', 4096, 16384, 1.9)];
    const { groups } = groupBoundJobs([...jobs(1, 1024, 512), ...jobs(1, 256, 2048), ...jobs(1, 3072, 3072)], catalog);
    const session = await openLp(groups, catalog, { cuts: true });
    try {
      const { model } = session;
      const costAt = (n: readonly number[]): number => {
        const columns = session.basicColumns();
        const values = session.basisSolve(n);
        const x = new Float64Array(model.numCols);
        columns.forEach((c, i) => {
          if (c >= 0) x[c] = values[i]!;
        });
        // The basic solution places every group's jobs.
        groups.forEach((_, j) => {
          let placed = 0;
          for (let c = model.yStart[j]!; c < model.yStart[j + 1]!; c++) placed += x[model.usedTypes.length + c]!;
          expect(placed).toBeCloseTo(n[j]!, 9);
        });
        return model.usedTypes.reduce((sum, t, i) => sum + catalog[t]!.pricePerHour * x[i]!, 0);
      };
      const n = [8, 8, 2];
      const solved = session.solve(n);
      expect(costAt(n)).toBeCloseTo(solved.objective, 9);
      // Twice the jobs: the same basis, twice the cost.
      expect(costAt([16, 16, 4])).toBeCloseTo(2 * solved.objective, 9);
    } finally {
      session.dispose();
    }
  });
});
