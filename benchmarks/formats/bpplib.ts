// BPPLIB one-dimensional bin packing instances (`*.txt`): line 1 the number of
// items n, line 2 the bin capacity C, then n item weights, one per line.
// Also home of the small line/number helpers the other benchmark formats share.

import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { PackingInstance } from '../packing-instance.ts';

/** A non-blank line of a data file, split on whitespace, with its 1-based line number. */
export interface DataLine {
  readonly line: number;
  readonly tokens: readonly string[];
}

/** Non-blank lines (any of \n, \r\n, \r line ends), each split on whitespace. */
export function dataLines(text: string): DataLine[] {
  const result: DataLine[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const tokens = lines[i]!.trim().split(/\s+/).filter((token) => token !== '');
    if (tokens.length > 0) result.push({ line: i + 1, tokens });
  }
  return result;
}

/** An Error whose message starts with `file:line:`. */
export function formatError(file: string, line: number, message: string): Error {
  return new Error(`${file}:${line}: ${message}`);
}

/** Parses a finite number, or throws an error naming the file and line. */
export function parseNumber(token: string, file: string, line: number, what: string): number {
  const value = token.trim() === '' ? Number.NaN : Number(token);
  if (!Number.isFinite(value)) throw formatError(file, line, `${what}: expected a number, got "${token}"`);
  return value;
}

/** Parses a non-negative number (e.g. a weight or a capacity). */
export function parseNonNegative(token: string, file: string, line: number, what: string): number {
  const value = parseNumber(token, file, line, what);
  if (value < 0) throw formatError(file, line, `${what}: expected a non-negative number, got ${token}`);
  return value;
}

/** Parses a non-negative integer (e.g. a count). */
export function parseCount(token: string, file: string, line: number, what: string): number {
  const value = parseNumber(token, file, line, what);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw formatError(file, line, `${what}: expected a non-negative integer, got ${token}`);
  }
  return value;
}

/** File base name without its extension: the instance's name. */
export function instanceName(file: string): string {
  return basename(file, extname(file));
}

/** The line number to blame when the file ends early. */
function endLine(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

function expectTokens(entry: DataLine, count: number, file: string, what: string): void {
  if (entry.tokens.length !== count) {
    throw formatError(file, entry.line, `${what}: expected ${count} value(s) on the line, found ${entry.tokens.length}`);
  }
}

/** Parses the text of a BPPLIB `.txt` instance. `file` names it in errors and gives the instance name. */
export function parseBpplib(text: string, file: string, name: string = instanceName(file)): PackingInstance {
  const lines = dataLines(text);
  const header = (index: number, what: string): DataLine => {
    const entry = lines[index];
    if (entry === undefined) throw formatError(file, endLine(text), `unexpected end of file, expected ${what}`);
    expectTokens(entry, 1, file, what);
    return entry;
  };
  const nLine = header(0, 'number of items');
  const n = parseCount(nLine.tokens[0]!, file, nLine.line, 'number of items');
  const cLine = header(1, 'bin capacity');
  const capacity = parseNonNegative(cLine.tokens[0]!, file, cLine.line, 'bin capacity');
  if (capacity <= 0) throw formatError(file, cLine.line, `bin capacity: expected a positive number, got ${capacity}`);

  const items: number[][] = [];
  for (let i = 0; i < n; i++) {
    const entry = lines[2 + i];
    if (entry === undefined) {
      throw formatError(file, endLine(text), `unexpected end of file after ${i} of ${n} item weights`);
    }
    expectTokens(entry, 1, file, `weight of item ${i + 1}`);
    items.push([parseNonNegative(entry.tokens[0]!, file, entry.line, `weight of item ${i + 1}`)]);
  }
  const extra = lines[2 + n];
  if (extra !== undefined) {
    throw formatError(file, extra.line, `unexpected data after the ${n} item weights: "${extra.tokens.join(' ')}"`);
  }
  return { name, capacity: [capacity], items };
}

/** Reads and parses a BPPLIB `.txt` file. */
export function readBpplib(path: string): PackingInstance {
  return parseBpplib(readFileSync(path, 'utf8'), path);
}
