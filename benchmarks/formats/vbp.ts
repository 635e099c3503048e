// VPSolver vector bin packing instances (`*.vbp`): line 1 the number of
// dimensions d, line 2 the d bin capacities, line 3 the number of item kinds m,
// then m lines `w1 … wd demand`. A kind with demand k stands for k consecutive
// items.

import { readFileSync } from 'node:fs';
import type { PackingInstance } from '../packing-instance.ts';
import { dataLines, formatError, instanceName, parseCount, parseNonNegative, type DataLine } from './bpplib.ts';

/** Parses the text of a VPSolver `.vbp` instance. `file` names it in errors and gives the instance name. */
export function parseVbp(text: string, file: string, name: string = instanceName(file)): PackingInstance {
  const lines = dataLines(text);
  const lastLine = text.split(/\r\n|\r|\n/).length;
  const take = (index: number, what: string): DataLine => {
    const entry = lines[index];
    if (entry === undefined) throw formatError(file, lastLine, `unexpected end of file, expected ${what}`);
    return entry;
  };
  const expect = (entry: DataLine, count: number, what: string): void => {
    if (entry.tokens.length !== count) {
      throw formatError(file, entry.line, `${what}: expected ${count} value(s) on the line, found ${entry.tokens.length}`);
    }
  };

  const dLine = take(0, 'number of dimensions');
  expect(dLine, 1, 'number of dimensions');
  const d = parseCount(dLine.tokens[0]!, file, dLine.line, 'number of dimensions');
  if (d < 1) throw formatError(file, dLine.line, 'number of dimensions: expected at least 1, got 0');

  const cLine = take(1, 'bin capacities');
  expect(cLine, d, 'bin capacities');
  const capacity = cLine.tokens.map((token, k) => {
    const value = parseNonNegative(token, file, cLine.line, `bin capacity ${k + 1}`);
    if (value <= 0) throw formatError(file, cLine.line, `bin capacity ${k + 1}: expected a positive number, got ${token}`);
    return value;
  });

  const mLine = take(2, 'number of item kinds');
  expect(mLine, 1, 'number of item kinds');
  const m = parseCount(mLine.tokens[0]!, file, mLine.line, 'number of item kinds');

  const items: number[][] = [];
  for (let i = 0; i < m; i++) {
    const entry = lines[3 + i];
    if (entry === undefined) {
      throw formatError(file, lastLine, `unexpected end of file after ${i} of ${m} item kinds`);
    }
    expect(entry, d + 1, `item kind ${i + 1} (${d} weights and a demand)`);
    const weights = entry.tokens
      .slice(0, d)
      .map((token, k) => parseNonNegative(token, file, entry.line, `item kind ${i + 1}, weight ${k + 1}`));
    const demand = parseCount(entry.tokens[d]!, file, entry.line, `item kind ${i + 1}, demand`);
    for (let copy = 0; copy < demand; copy++) items.push([...weights]);
  }
  const extra = lines[3 + m];
  if (extra !== undefined) {
    throw formatError(file, extra.line, `unexpected data after the ${m} item kinds: "${extra.tokens.join(' ')}"`);
  }
  return { name, capacity, items };
}

/** Reads and parses a VPSolver `.vbp` file. */
export function readVbp(path: string): PackingInstance {
  return parseVbp(readFileSync(path, 'utf8'), path);
}
