// Plain-text and Markdown tables for benchmark reports.

export interface Table {
  readonly headers: readonly string[];
  /** Per column: right-aligned (numbers) or not. */
  readonly numeric: readonly boolean[];
  readonly rows: readonly (readonly string[])[];
}

/** Columns padded to their widest cell, two spaces apart. */
export function textTable(table: Table): string {
  const widths = table.headers.map((h, c) => Math.max(h.length, ...table.rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (table.numeric[c] === true ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(table.headers), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(table: Table): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(escape).join(' | ')} |`;
  return [line(table.headers), `|${table.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`, ...table.rows.map(line)].join('\n');
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
