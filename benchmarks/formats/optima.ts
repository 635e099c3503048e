// Reference values for benchmark instances, read from two tab-separated layouts
// (told apart by their header):
//
//   optima.tsv          instance  lower_bound  best_known
//   summary_known.tsv   instance_name  LB  OPT  best_overall  best_IC ...   (OPT = -1: unknown)
//
// Instances are keyed by name as it appears in the file (an extension such as
// `.txt` is dropped). Lookups also tolerate a prefix on either side, so a file
// `Falkenauer_u120_00.txt` finds a row `u120_00` and the other way round.

import { readFileSync } from 'node:fs';
import { formatError, parseNumber } from './bpplib.ts';

export interface KnownValues {
  /** Name as written in the table. */
  readonly instance: string;
  /** `file:line` of the row. */
  readonly source: string;
  readonly lowerBound?: number;
  /**
   * Proven optimum: OPT when given; otherwise the best known value when it meets
   * the lower bound.
   */
  readonly optimum?: number;
  /** Best known number of bins: the smallest of OPT and best_overall / best_known. */
  readonly bestKnown?: number;
  /** summary_known.tsv only: best result over every heuristic the paper evaluated. */
  readonly bestOverall?: number;
}

type Layout = 'optima' | 'summary';

const UNKNOWN = new Set(['', '-1', 'na', 'nan', '-', '?']);

function splitRow(line: string, tabs: boolean): string[] {
  return (tabs ? line.split('\t') : line.trim().split(/\s+/)).map((cell) => cell.trim());
}

function stripExtension(name: string): string {
  return name.replace(/\.(txt|vbp|bpp)$/i, '');
}

/** Parses an `optima.tsv` or `summary_known.tsv` text. `file` names it in errors. */
export function parseOptima(text: string, file: string): KnownValues[] {
  const lines = text.split(/\r\n|\r|\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw formatError(file, 1, 'empty file, expected a header line');
  const tabs = lines[headerIndex]!.includes('\t');
  const header = splitRow(lines[headerIndex]!, tabs).map((cell) => cell.toLowerCase());
  const column = (name: string): number => header.indexOf(name);

  let layout: Layout;
  let nameCol: number;
  if (column('instance') >= 0 && column('lower_bound') >= 0 && column('best_known') >= 0) {
    layout = 'optima';
    nameCol = column('instance');
  } else if (column('instance_name') >= 0 && column('lb') >= 0 && column('opt') >= 0 && column('best_overall') >= 0) {
    layout = 'summary';
    nameCol = column('instance_name');
  } else {
    throw formatError(
      file,
      headerIndex + 1,
      'unrecognised header: expected "instance lower_bound best_known" or "instance_name LB OPT best_overall ..."',
    );
  }

  const rows: KnownValues[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const lineNo = i + 1;
    const cells = splitRow(raw, tabs);
    if (cells.length < header.length) {
      throw formatError(file, lineNo, `expected ${header.length} columns, found ${cells.length}`);
    }
    const instance = stripExtension(cells[nameCol]!);
    if (instance === '') throw formatError(file, lineNo, 'empty instance name');
    const value = (col: string): number | undefined => {
      const cell = cells[column(col)]!;
      if (UNKNOWN.has(cell.toLowerCase())) return undefined;
      const parsed = parseNumber(cell, file, lineNo, col);
      if (parsed < 0) throw formatError(file, lineNo, `${col}: expected a non-negative number or -1, got ${cell}`);
      return parsed;
    };
    const source = `${file}:${lineNo}`;
    if (layout === 'optima') {
      const lowerBound = value('lower_bound');
      const bestKnown = value('best_known');
      const optimum = lowerBound !== undefined && lowerBound === bestKnown ? bestKnown : undefined;
      rows.push(compact({ instance, source, lowerBound, optimum, bestKnown }));
    } else {
      const lowerBound = value('lb');
      const opt = value('opt');
      const bestOverall = value('best_overall');
      const optimum = opt ?? (lowerBound !== undefined && lowerBound === bestOverall ? bestOverall : undefined);
      const known = [opt, bestOverall].filter((v): v is number => v !== undefined);
      const bestKnown = known.length > 0 ? Math.min(...known) : undefined;
      rows.push(compact({ instance, source, lowerBound, optimum, bestKnown, bestOverall }));
    }
  }
  return rows;
}

/** Drops undefined optional fields, so objects compare cleanly. */
function compact(values: {
  instance: string;
  source: string;
  lowerBound?: number | undefined;
  optimum?: number | undefined;
  bestKnown?: number | undefined;
  bestOverall?: number | undefined;
}): KnownValues {
  const result: { -readonly [K in keyof KnownValues]: KnownValues[K] } = { instance: values.instance, source: values.source };
  if (values.lowerBound !== undefined) result.lowerBound = values.lowerBound;
  if (values.optimum !== undefined) result.optimum = values.optimum;
  if (values.bestKnown !== undefined) result.bestKnown = values.bestKnown;
  if (values.bestOverall !== undefined) result.bestOverall = values.bestOverall;
  return result;
}

/** Reads and parses an `optima.tsv` or `summary_known.tsv` file. */
export function readOptima(path: string): KnownValues[] {
  return parseOptima(readFileSync(path, 'utf8'), path);
}

function sameValues(a: KnownValues, b: KnownValues): boolean {
  return (
    a.lowerBound === b.lowerBound && a.optimum === b.optimum && a.bestKnown === b.bestKnown && a.bestOverall === b.bestOverall
  );
}

/** Reference values of one or more tables, looked up by instance name. */
export class OptimaTable {
  readonly #byName = new Map<string, KnownValues>();
  /** Lower-cased name → rows, and lower-cased suffix after each `_` → rows. */
  readonly #byLower = new Map<string, KnownValues[]>();
  readonly #bySuffix = new Map<string, KnownValues[]>();

  get size(): number {
    return this.#byName.size;
  }

  /** Adds rows; the same instance twice with different values is an error. */
  add(rows: readonly KnownValues[]): void {
    for (const row of rows) {
      const previous = this.#byName.get(row.instance);
      if (previous !== undefined) {
        if (!sameValues(previous, row)) {
          throw new Error(`${row.source}: instance ${row.instance} conflicts with ${previous.source}`);
        }
        continue;
      }
      this.#byName.set(row.instance, row);
      const lower = row.instance.toLowerCase();
      push(this.#byLower, lower, row);
      for (const suffix of suffixes(lower)) push(this.#bySuffix, suffix, row);
    }
  }

  /** Adds the rows of a file. */
  addFile(path: string): void {
    this.add(readOptima(path));
  }

  /**
   * The row for `name`: an exact match, else a case-insensitive one, else the single
   * row whose name is `name` with a `prefix_` added or removed. Ambiguous → undefined.
   */
  get(name: string): KnownValues | undefined {
    const exact = this.#byName.get(name);
    if (exact !== undefined) return exact;
    const lower = name.toLowerCase();
    const single = (rows: readonly KnownValues[] | undefined): KnownValues | undefined =>
      rows !== undefined && rows.length === 1 ? rows[0] : undefined;
    const caseless = this.#byLower.get(lower);
    if (caseless !== undefined) return single(caseless);

    const matches = new Set<KnownValues>(this.#bySuffix.get(lower) ?? []);
    for (const suffix of suffixes(lower)) {
      for (const row of this.#byLower.get(suffix) ?? []) matches.add(row);
    }
    return single([...matches]);
  }
}

/**
 * The parts of a name after each `_`, as long as they still hold an `_` or a
 * letter and a digit (so `u120_00` yes, a bare `00` no).
 */
function suffixes(name: string): string[] {
  const result: string[] = [];
  for (let i = name.indexOf('_'); i >= 0; i = name.indexOf('_', i + 1)) {
    const suffix = name.slice(i + 1);
    if (suffix.includes('_') || (/[a-z]/.test(suffix) && /\d/.test(suffix))) result.push(suffix);
  }
  return result;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
