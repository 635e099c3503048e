import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBpplib, readBpplib } from '../../benchmarks/formats/bpplib.ts';
import { OptimaTable, parseOptima, readOptima } from '../../benchmarks/formats/optima.ts';
import { parseVbp, readVbp } from '../../benchmarks/formats/vbp.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loadmaster-formats-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('BPPLIB .txt', () => {
  it('reads n, capacity and n weights (CRLF line ends), named after the file', () => {
    const path = write('Falkenauer_u4_00.txt', '4\r\n150\r\n100\r\n99\r\n22\r\n100\r\n');
    expect(readBpplib(path)).toEqual({ name: 'Falkenauer_u4_00', capacity: [150], items: [[100], [99], [22], [100]] });
  });

  it('tolerates blank lines and surrounding spaces', () => {
    expect(parseBpplib('\n 2 \n10\n\n3\n 4\n\n', 'x.txt').items).toEqual([[3], [4]]);
  });

  it('names file and line for a bad weight', () => {
    expect(() => parseBpplib('3\n10\n1\nabc\n2\n', 'bad.txt')).toThrow(/^bad\.txt:4: .*"abc"/);
  });

  it('rejects too few and too many weights', () => {
    expect(() => parseBpplib('3\n10\n1\n2\n', 'short.txt')).toThrow(/short\.txt:\d+: unexpected end of file after 2 of 3/);
    expect(() => parseBpplib('2\n10\n1\n2\n3\n', 'long.txt')).toThrow(/long\.txt:5: unexpected data/);
  });

  it('rejects two values on a weight line, a fractional count and a zero capacity', () => {
    expect(() => parseBpplib('2\n10\n1 2\n3\n', 'two.txt')).toThrow(/two\.txt:3: .*expected 1 value/);
    expect(() => parseBpplib('2.5\n10\n', 'n.txt')).toThrow(/n\.txt:1: number of items/);
    expect(() => parseBpplib('1\n0\n1\n', 'c.txt')).toThrow(/c\.txt:2: bin capacity/);
    expect(() => parseBpplib('1\n10\n-1\n', 'neg.txt')).toThrow(/neg\.txt:3: /);
  });
});

describe('VPSolver .vbp', () => {
  it('expands a kind with demand k into k consecutive items', () => {
    const path = write('class1_5_2_0.vbp', '2\n10 20\n3\n1 2 2\n3 4 0\n5 6 3\n');
    expect(readVbp(path)).toEqual({
      name: 'class1_5_2_0',
      capacity: [10, 20],
      items: [
        [1, 2],
        [1, 2],
        [5, 6],
        [5, 6],
        [5, 6],
      ],
    });
  });

  it('names file and line for malformed input', () => {
    expect(() => parseVbp('2\n10 20\n2\n1 2 1\n3 1\n', 'a.vbp')).toThrow(/^a\.vbp:5: item kind 2 .*expected 3 value/);
    expect(() => parseVbp('2\n10\n1\n1 2 1\n', 'b.vbp')).toThrow(/^b\.vbp:2: bin capacities/);
    expect(() => parseVbp('2\n10 20\n1\n1 x 1\n', 'c.vbp')).toThrow(/^c\.vbp:4: item kind 1, weight 2/);
    expect(() => parseVbp('2\n10 20\n1\n1 2 1.5\n', 'd.vbp')).toThrow(/^d\.vbp:4: item kind 1, demand/);
    expect(() => parseVbp('2\n10 20\n3\n1 2 1\n', 'e.vbp')).toThrow(/^e\.vbp:\d+: unexpected end of file after 1 of 3/);
    expect(() => parseVbp('2\n10 20\n1\n1 2 1\n9 9 9\n', 'f.vbp')).toThrow(/^f\.vbp:5: unexpected data/);
    expect(() => parseVbp('', 'g.vbp')).toThrow(/^g\.vbp:1: unexpected end of file/);
  });
});

describe('reference tables', () => {
  it('reads optima.tsv: optimum when the lower bound meets the best known', () => {
    const path = write(
      'optima.tsv',
      'instance\tlower_bound\tbest_known\nFalkenauer_t60_00\t20\t20\nhard_1\t55\t56\n',
    );
    expect(readOptima(path)).toEqual([
      { instance: 'Falkenauer_t60_00', source: `${path}:2`, lowerBound: 20, optimum: 20, bestKnown: 20 },
      { instance: 'hard_1', source: `${path}:3`, lowerBound: 55, bestKnown: 56 },
    ]);
  });

  it('reads summary_known.tsv: OPT -1 is unknown, LB = best_overall proves an optimum', () => {
    const text =
      'instance_name\tLB\tOPT\tbest_overall\tbest_IC\tbest_BC\tbest_MB-Pairing\tbest_MB-WFD\n' +
      'class1_20_3_0\t6\t6\t7\t7\t7\t7\t7\n' +
      'class1_20_3_1\t9\t-1\t10\t10\t10\t10\t10\n' +
      'class1_20_3_2\t8\t-1\t8\t8\t8\t8\t8\n';
    expect(parseOptima(text, 'summary_known.tsv')).toEqual([
      { instance: 'class1_20_3_0', source: 'summary_known.tsv:2', lowerBound: 6, optimum: 6, bestKnown: 6, bestOverall: 7 },
      { instance: 'class1_20_3_1', source: 'summary_known.tsv:3', lowerBound: 9, bestKnown: 10, bestOverall: 10 },
      { instance: 'class1_20_3_2', source: 'summary_known.tsv:4', lowerBound: 8, optimum: 8, bestKnown: 8, bestOverall: 8 },
    ]);
  });

  it('rejects an unknown header and names file and line of a bad value', () => {
    expect(() => parseOptima('name\tbins\nx\t3\n', 'what.tsv')).toThrow(/^what\.tsv:1: unrecognised header/);
    expect(() => parseOptima('instance\tlower_bound\tbest_known\na\t1\t1\nb\tten\t10\n', 'o.tsv')).toThrow(
      /^o\.tsv:3: lower_bound/,
    );
    expect(() => parseOptima('instance\tlower_bound\tbest_known\na\t1\n', 'o.tsv')).toThrow(/^o\.tsv:2: expected 3 columns/);
  });

  it('looks instances up by name, with a prefix added or removed, never ambiguously', () => {
    const table = new OptimaTable();
    table.add(parseOptima('instance\tlower_bound\tbest_known\nu120_00\t48\t48\nFalkenauer_t60_01\t20\t20\n', 'a.tsv'));
    table.add(
      parseOptima('instance_name\tLB\tOPT\tbest_overall\nclass1_20_3_0\t6\t6\t6\nx_00\t1\t1\t1\ny_00\t2\t2\t2\n', 'b.tsv'),
    );
    expect(table.size).toBe(5);
    expect(table.get('class1_20_3_0')?.optimum).toBe(6);
    expect(table.get('Falkenauer_u120_00')?.optimum).toBe(48);
    expect(table.get('t60_01')?.optimum).toBe(20);
    expect(table.get('FALKENAUER_T60_01')?.optimum).toBe(20);
    expect(table.get('u120_01')).toBeUndefined();
    expect(table.get('00')).toBeUndefined();
    expect(table.get('z_00')).toBeUndefined();
  });

  it('refuses the same instance with different values from two tables', () => {
    const table = new OptimaTable();
    table.add(parseOptima('instance\tlower_bound\tbest_known\na\t1\t1\n', 'a.tsv'));
    table.add(parseOptima('instance\tlower_bound\tbest_known\na\t1\t1\n', 'again.tsv'));
    expect(() => table.add(parseOptima('instance\tlower_bound\tbest_known\na\t1\t2\n', 'b.tsv'))).toThrow(
      /b\.tsv:2: instance a conflicts with a\.tsv:2/,
    );
  });
});
