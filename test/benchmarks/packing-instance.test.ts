import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInstanceFiles, main, type Packer } from '../../benchmarks/pack.ts';
import {
  expandResult,
  toPackingInput,
  validateSolution,
  type PackingInstance,
} from '../../benchmarks/packing-instance.ts';
import type { PackedBins, PackingResult } from '../../src/core/packing/pack-types.ts';

const instance: PackingInstance = {
  name: 'tiny',
  capacity: [10, 10],
  items: [
    [4, 1], // 0  group 0
    [5, 5], // 1  group 1
    [4, 1], // 2  group 0
    [2, 8], // 3  group 2
    [5, 5], // 4  group 1
    [4, 1], // 5  group 0
  ],
};

function result(bins: PackedBins[], cost = bins.reduce((sum, b) => sum + b.copies, 0)): PackingResult {
  return { bins, unpacked: [0, 0, 0], cost };
}

describe('toPackingInput', () => {
  it('groups identical vectors in order of first appearance, one unit-cost kind', () => {
    const input = toPackingInput(instance);
    expect(input.groups).toEqual([
      { demand: [4, 1], count: 3, kinds: [0] },
      { demand: [5, 5], count: 2, kinds: [0] },
      { demand: [2, 8], count: 1, kinds: [0] },
    ]);
    expect(input.kinds).toEqual([{ capacity: [10, 10], cost: 1 }]);
    expect(input.groupItems).toEqual([[0, 2, 5], [1, 4], [3]]);
  });

  it('rejects an item with the wrong number of dimensions', () => {
    expect(() => toPackingInput({ name: 'bad', capacity: [10], items: [[1], [1, 2]] })).toThrow(/bad: item 1 has 2/);
  });
});

describe('expandResult', () => {
  it('gives each bin copy the next indices of each group, in file order', () => {
    const input = toPackingInput(instance);
    const expanded = expandResult(
      input,
      result([
        { kind: 0, copies: 2, contents: [{ group: 1, count: 1 }, { group: 0, count: 1 }] },
        { kind: 0, copies: 1, contents: [{ group: 0, count: 1 }, { group: 2, count: 1 }] },
      ]),
    );
    expect(expanded.problems).toEqual([]);
    expect(expanded.bins).toEqual([
      [1, 0],
      [4, 2],
      [5, 3],
    ]);
    expect(validateSolution(instance, expanded.bins)).toEqual([]);
  });

  it('round-trips: one bin per item back to every index exactly once', () => {
    const input = toPackingInput(instance);
    const bins: PackedBins[] = input.groups.map((g, group) => ({ kind: 0, copies: g.count, contents: [{ group, count: 1 }] }));
    const expanded = expandResult(input, result(bins));
    expect(expanded.problems).toEqual([]);
    expect(expanded.bins.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reports more items placed than a group has, a wrong cost, unknown groups and kinds', () => {
    const input = toPackingInput(instance);
    const over = expandResult(input, result([{ kind: 0, copies: 3, contents: [{ group: 1, count: 1 }] }]));
    expect(over.problems.some((p) => /group 1 has 2 items, the result places more/.test(p))).toBe(true);
    expect(over.bins).toEqual([[1], [4], []]);

    const cost = expandResult(input, result([{ kind: 0, copies: 1, contents: [{ group: 2, count: 1 }] }], 5));
    expect(cost.problems).toContain('result.cost is 5, the bins cost 1');

    const unknown = expandResult(input, result([{ kind: 3, copies: 1, contents: [{ group: 7, count: 1 }] }]));
    expect(unknown.problems).toEqual(
      expect.arrayContaining(['result.bins[0]: unknown kind 3', 'result.bins[0]: unknown group 7']),
    );
  });

  it('reports items neither placed nor declared unpacked', () => {
    const input = toPackingInput(instance);
    const expanded = expandResult(input, result([{ kind: 0, copies: 1, contents: [{ group: 2, count: 1 }] }]));
    expect(expanded.problems).toContain('group 0: 3 items, 0 placed in bins and 0 reported unpacked');
  });
});

describe('validateSolution', () => {
  // loads [9, 6], [9, 6], [6, 9]
  const valid = [
    [0, 1],
    [2, 4],
    [3, 5],
  ];

  it('accepts a valid packing', () => {
    expect(validateSolution(instance, valid)).toEqual([]);
  });

  it('catches an item in two bins and an item twice in one bin', () => {
    expect(validateSolution(instance, [[0, 1], [2, 4], [3, 5, 0]])).toEqual(['item 0 is in bins 0 and 2']);
    expect(validateSolution(instance, [[0, 1], [2, 4, 2], [3, 5]])).toEqual(['bin 1: item 2 appears twice']);
  });

  it('catches missing items and out-of-range indices', () => {
    expect(validateSolution(instance, [[0, 1], [3, 5]])).toEqual(['2 item(s) in no bin: 2, 4']);
    expect(validateSolution(instance, [...valid, [6]])).toEqual(['bin 3: item index 6 out of range (6 items)']);
    expect(validateSolution(instance, [...valid, [-1]])).toEqual(['bin 3: item index -1 out of range (6 items)']);
  });

  it('catches a bin over capacity in any dimension', () => {
    // bin 0: [4+5+4, 1+5+1] = [13, 7]
    expect(validateSolution(instance, [[0, 1, 2], [4], [3, 5]])).toEqual([
      'bin 0: load 13 exceeds capacity 10 in dimension 0',
    ]);
    // bin 1: [5+2, 5+8] = [7, 13]
    expect(validateSolution(instance, [[0, 2], [1, 3], [4, 5]])).toEqual([
      'bin 1: load 13 exceeds capacity 10 in dimension 1',
    ]);
    // exactly full is fine
    expect(validateSolution({ name: 'full', capacity: [10], items: [[6], [4]] }, [[0, 1]])).toEqual([]);
  });
});

describe('bench:pack harness', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loadmaster-bench-'));
    mkdirSync(join(dir, 'data', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'data', 'Falkenauer_a_01.txt'), '3\n10\n6\n5\n4\n');
    writeFileSync(join(dir, 'data', 'README.txt'), 'not an instance\n');
    writeFileSync(join(dir, 'data', 'optima.tsv'), 'instance\tlower_bound\tbest_known\na_01\t2\t2\n');
    writeFileSync(join(dir, 'data', 'sub', 'v_1.vbp'), '2\n10 10\n2\n6 1 1\n5 5 2\n');
    writeFileSync(
      join(dir, 'data', 'sub', 'summary_known.tsv'),
      'instance_name\tLB\tOPT\tbest_overall\nv_1\t2\t-1\t3\n',
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // Not a real packer: one item per bin, always valid when every item fits.
  const onePerBin: Packer = (groups) => ({
    bins: groups.map((g, group) => ({ kind: 0, copies: g.count, contents: [{ group, count: 1 }] })),
    unpacked: groups.map(() => 0),
    cost: groups.reduce((sum, g) => sum + g.count, 0),
  });

  function run(args: string[], packer: Packer = onePerBin): { code: number; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(args, packer, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out, err };
  }

  it('finds .txt and .vbp files recursively, skipping README and .tsv', () => {
    expect(collectInstanceFiles([join(dir, 'data')])).toEqual([
      join(dir, 'data', 'Falkenauer_a_01.txt'),
      join(dir, 'data', 'sub', 'v_1.vbp'),
    ]);
  });

  it('prints one line per instance, solutions, and a summary per data set', () => {
    const md = join(dir, 'summary.md');
    const { code, out, err } = run([
      '--optima',
      join(dir, 'data', 'optima.tsv'),
      '--optima',
      join(dir, 'data', 'sub', 'summary_known.tsv'),
      '--solution',
      '--markdown',
      md,
      join(dir, 'data'),
    ]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const data = out.filter((line) => !line.startsWith('#'));
    expect(data[0]).toMatch(/^Falkenauer_a_01\t3\t\d+\.\d$/);
    expect(JSON.parse(data[1]!)).toEqual({ instance: 'Falkenauer_a_01', bins: [[0], [1], [2]] });
    expect(data[2]).toMatch(/^v_1\t3\t\d+\.\d$/);
    expect(JSON.parse(data[3]!)).toEqual({ instance: 'v_1', bins: [[0], [1], [2]] });
    const summary = out.filter((line) => line.startsWith('#')).join('\n');
    expect(summary).toContain('# 1-D: 1 instances, 3 bins');
    expect(summary).toContain('optimal: 0 of 1 with known optimum');
    expect(summary).toContain('vs optimum: 2 (+1, +50.00%)');
    expect(summary).toContain('# vector d=2: 1 instances, 3 bins');
    expect(summary).toContain('optimal: 0 of 0 with known optimum; at or below best known: 1 of 1');
    expect(summary).toContain('vs best_overall: 3 (+0, +0.00%)');
    expect(summary).not.toContain('no reference values');
    expect(readFileSync(md, 'utf8')).toMatch(/\| vector d=2 \| 1 \| 0 \/ 0 \| 1 \/ 1 \| 3 \|/);
  });

  it('never reports an invalid packing: exits 1 with the problems', () => {
    const lossy: Packer = (groups, kinds, options) => {
      const full = onePerBin(groups, kinds, options);
      return { ...full, bins: full.bins.slice(1), cost: full.cost - groups[0]!.count };
    };
    const { code, out, err } = run([join(dir, 'data')], lossy);
    expect(code).toBe(1);
    expect(out.filter((line) => !line.startsWith('#'))).toEqual([]);
    expect(err.join('\n')).toMatch(/INVALID packing for Falkenauer_a_01[\s\S]*item\(s\) in no bin: 0/);

    const crowded: Packer = (groups) => ({
      bins: [{ kind: 0, copies: 1, contents: groups.map((g, group) => ({ group, count: g.count })) }],
      unpacked: groups.map(() => 0),
      cost: 1,
    });
    const second = run([join(dir, 'data')], crowded);
    expect(second.code).toBe(1);
    expect(second.err.join('\n')).toMatch(/load 15 exceeds capacity 10 in dimension 0/);
  });

  it('rejects bad arguments', () => {
    expect(run([]).code).toBe(2);
    expect(run(['--effort', 'lots', join(dir, 'data')]).code).toBe(2);
    expect(run([join(dir, 'missing')]).code).toBe(2);
  });
});
