// Packing benchmark on textbook instances: BPPLIB 1-D `.txt` and VPSolver vector `.vbp`.
//
//   npm run bench:pack -- [--optima FILE]... [--solution] [--effort N] [--markdown FILE] FILES-or-DIRS...
//
// Per instance, one tab-separated line `instance  bins  millis` (time around
// packItems only), and with --solution a JSON line with the bins' item indices.
// Every packing is validated first; an invalid one stops the run with exit code 1.
// Summary lines (per data set: 1-D, and vector per dimension) start with `#`.

import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { EFFORT, packItems } from '../src/core/packing/pack.ts';
import { invokedDirectly } from './cli-support.ts';
import { errorMessage } from './table.ts';
import type { BinKind, ItemGroup, PackingOptions, PackingResult } from '../src/core/packing/pack-types.ts';
import { readBpplib } from './formats/bpplib.ts';
import { OptimaTable, type KnownValues } from './formats/optima.ts';
import { readVbp } from './formats/vbp.ts';
import { expandResult, toPackingInput, validateSolution, type PackingInstance } from './packing-instance.ts';

export type Packer = (groups: readonly ItemGroup[], kinds: readonly BinKind[], options?: PackingOptions) => PackingResult;

export interface Output {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE =
  'usage: npm run bench:pack -- [--optima FILE]... [--solution] [--effort N] [--markdown FILE] FILES-or-DIRS...\n' +
  '  FILES-or-DIRS  BPPLIB .txt or VPSolver .vbp instances; directories are searched recursively\n' +
  '  --optima FILE  optima.tsv or summary_known.tsv (may be repeated)\n' +
  '  --solution     after each result line, print {"instance": NAME, "bins": [[item indices...], ...]}\n' +
  '  --effort N     PackingOptions.effort (default: EFFORT.offline, about a second at most per instance)\n' +
  '  --markdown FILE  also write the summary as a Markdown table';

const defaultOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const INSTANCE_EXTENSIONS = new Set(['.txt', '.vbp']);
const SLOW_MS = 1000;
const MAX_PROBLEMS_SHOWN = 20;

interface InstanceRun {
  readonly name: string;
  readonly dataset: string;
  readonly d: number;
  readonly vbp: boolean;
  readonly bins: number;
  readonly millis: number;
  readonly known: KnownValues | undefined;
}

function isSkipped(name: string): boolean {
  return /^readme/i.test(name) || /\.(tsv|md)$/i.test(name);
}

const byNaturalName = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/** Instance files under the given paths: directories recursively (sorted), files as given. */
export function collectInstanceFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => byNaturalName(a.name, b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!isSkipped(entry.name) && INSTANCE_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
    }
  };
  for (const path of paths) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) throw new Error(`${path}: no such file or directory`);
    if (stat.isDirectory()) walk(path);
    else if (isSkipped(basename(path))) continue;
    else if (INSTANCE_EXTENSIONS.has(extname(path).toLowerCase())) files.push(path);
    else throw new Error(`${path}: not an instance file (expected .txt or .vbp)`);
  }
  return files;
}

function readInstance(path: string): { instance: PackingInstance; vbp: boolean } {
  const vbp = extname(path).toLowerCase() === '.vbp';
  return { instance: vbp ? readVbp(path) : readBpplib(path), vbp };
}

function datasetOf(d: number): string {
  return d === 1 ? '1-D' : `vector d=${d}`;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type ReferenceKey = 'optimum' | 'bestKnown' | 'lowerBound' | 'bestOverall';

const REFERENCES: readonly { key: ReferenceKey; label: string; vectorOnly: boolean }[] = [
  { key: 'optimum', label: 'optimum', vectorOnly: false },
  { key: 'bestKnown', label: 'best known', vectorOnly: false },
  { key: 'lowerBound', label: 'LB', vectorOnly: false },
  { key: 'bestOverall', label: 'best_overall', vectorOnly: true },
];

interface Comparison {
  readonly instances: number;
  readonly bins: number;
  readonly reference: number;
}

interface DatasetSummary {
  readonly dataset: string;
  readonly instances: number;
  readonly withOptimum: number;
  readonly optimal: number;
  readonly withBestKnown: number;
  readonly atBestKnown: number;
  readonly belowBestKnown: number;
  readonly totalBins: number;
  readonly comparisons: ReadonlyMap<ReferenceKey, Comparison>;
  readonly showBestOverall: boolean;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly totalMs: number;
  readonly slow: number;
}

function summarize(dataset: string, runs: readonly InstanceRun[]): DatasetSummary {
  const comparisons = new Map<ReferenceKey, Comparison>();
  for (const { key } of REFERENCES) {
    const known = runs.filter((run) => run.known?.[key] !== undefined);
    if (known.length === 0) continue;
    comparisons.set(key, {
      instances: known.length,
      bins: known.reduce((sum, run) => sum + run.bins, 0),
      reference: known.reduce((sum, run) => sum + run.known![key]!, 0),
    });
  }
  const withOptimum = runs.filter((run) => run.known?.optimum !== undefined);
  const withBestKnown = runs.filter((run) => run.known?.bestKnown !== undefined);
  const millis = runs.map((run) => run.millis);
  return {
    dataset,
    instances: runs.length,
    withOptimum: withOptimum.length,
    optimal: withOptimum.filter((run) => run.bins === run.known!.optimum).length,
    withBestKnown: withBestKnown.length,
    atBestKnown: withBestKnown.filter((run) => run.bins <= run.known!.bestKnown!).length,
    belowBestKnown: withBestKnown.filter((run) => run.bins < run.known!.bestKnown!).length,
    totalBins: runs.reduce((sum, run) => sum + run.bins, 0),
    comparisons,
    showBestOverall: runs.some((run) => run.vbp),
    medianMs: median(millis),
    maxMs: Math.max(...millis),
    totalMs: millis.reduce((sum, ms) => sum + ms, 0),
    slow: millis.filter((ms) => ms > SLOW_MS).length,
  };
}

function formatComparison(c: Comparison, instances: number): string {
  const diff = c.bins - c.reference;
  const pct = c.reference === 0 ? '' : `, ${diff >= 0 ? '+' : ''}${((100 * diff) / c.reference).toFixed(2)}%`;
  const subset = c.instances === instances ? '' : `, on ${c.instances} instances with ${c.bins} bins`;
  return `${c.reference} (${diff >= 0 ? '+' : ''}${diff}${pct}${subset})`;
}

function referencesFor(summary: DatasetSummary): typeof REFERENCES {
  return REFERENCES.filter((ref) => !ref.vectorOnly || summary.showBestOverall);
}

function summaryLines(summary: DatasetSummary): string[] {
  const lines = [`# ${summary.dataset}: ${summary.instances} instances, ${summary.totalBins} bins`];
  if (summary.comparisons.size === 0) {
    lines.push('#   no reference values (give --optima FILE)');
  } else {
    lines.push(
      `#   optimal: ${summary.optimal} of ${summary.withOptimum} with known optimum; ` +
        `at or below best known: ${summary.atBestKnown} of ${summary.withBestKnown} (${summary.belowBestKnown} below)`,
    );
    for (const ref of referencesFor(summary)) {
      const c = summary.comparisons.get(ref.key);
      lines.push(`#   vs ${ref.label}: ${c === undefined ? 'unknown' : formatComparison(c, summary.instances)}`);
    }
  }
  lines.push(
    `#   time: median ${summary.medianMs.toFixed(1)} ms, max ${summary.maxMs.toFixed(1)} ms, ` +
      `total ${(summary.totalMs / 1000).toFixed(1)} s, ${summary.slow} over ${SLOW_MS} ms`,
  );
  return lines;
}

function markdownTable(summaries: readonly DatasetSummary[], effort: number | undefined): string {
  const anyVector = summaries.some((s) => s.showBestOverall);
  const refs = REFERENCES.filter((ref) => !ref.vectorOnly || anyVector);
  const header = [
    'Data set',
    'Instances',
    'Optimal',
    '≤ best known',
    'Bins',
    ...refs.map((ref) => `vs ${ref.label}`),
    'Median ms',
    'Max ms',
    `> ${SLOW_MS} ms`,
  ];
  const rows = summaries.map((s) => [
    s.dataset,
    String(s.instances),
    `${s.optimal} / ${s.withOptimum}`,
    `${s.atBestKnown} / ${s.withBestKnown}`,
    String(s.totalBins),
    ...refs.map((ref) => {
      const c = s.comparisons.get(ref.key);
      if (ref.vectorOnly && !s.showBestOverall) return '';
      return c === undefined ? '—' : formatComparison(c, s.instances);
    }),
    s.medianMs.toFixed(1),
    s.maxMs.toFixed(1),
    String(s.slow),
  ]);
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [
    '# Packing benchmark',
    '',
    `Effort: ${effort ?? `EFFORT.offline (${EFFORT.offline})`}. Node ${process.version}.`,
    '',
    line(header),
    line(header.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...rows.map(line),
    '',
    'Optimal: instances at the proven optimum, of those with one known. ' +
      'Comparisons: reference total (our bins minus it); a subset is named when not every instance has the value.',
    '',
  ].join('\n');
}

/** Runs the benchmark; returns the process exit code. */
export function main(argv: readonly string[], packer: Packer = packItems, io: Output = defaultOutput): number {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        optima: { type: 'string', multiple: true },
        solution: { type: 'boolean' },
        effort: { type: 'string' },
        markdown: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${errorMessage(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help === true) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    io.err(`no instance files or directories given\n${USAGE}`);
    return 2;
  }
  let effort: number | undefined;
  if (values.effort !== undefined) {
    effort = Number(values.effort);
    if (values.effort.trim() === '' || !Number.isFinite(effort) || effort < 0) {
      io.err(`--effort: expected a non-negative number, got "${values.effort}"`);
      return 2;
    }
  }
  const options: PackingOptions = { effort: effort ?? EFFORT.offline };

  const optima = new OptimaTable();
  let files: string[];
  try {
    for (const path of values.optima ?? []) optima.addFile(path);
    files = collectInstanceFiles(positionals);
  } catch (error) {
    io.err(errorMessage(error));
    return 2;
  }
  if (files.length === 0) {
    io.err('no .txt or .vbp instance files found');
    return 2;
  }

  const runs: InstanceRun[] = [];
  const unreferenced: string[] = [];
  io.out('# instance\tbins\tmillis');
  for (const file of files) {
    let instance: PackingInstance;
    let vbp: boolean;
    try {
      ({ instance, vbp } = readInstance(file));
    } catch (error) {
      io.err(errorMessage(error));
      return 1;
    }
    const input = toPackingInput(instance);
    let result: PackingResult;
    const start = performance.now();
    try {
      result = packer(input.groups, input.kinds, options);
    } catch (error) {
      io.err(`${instance.name} (${file}): packItems failed: ${errorMessage(error)}`);
      return 1;
    }
    const millis = performance.now() - start;

    const expanded = expandResult(input, result);
    const problems = [...expanded.problems, ...validateSolution(instance, expanded.bins)];
    if (problems.length > 0) {
      const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((problem) => `  ${problem}`);
      if (problems.length > MAX_PROBLEMS_SHOWN) shown.push(`  … and ${problems.length - MAX_PROBLEMS_SHOWN} more`);
      io.err(`INVALID packing for ${instance.name} (${file}):\n${shown.join('\n')}`);
      return 1;
    }

    const bins = expanded.bins.length;
    io.out(`${instance.name}\t${bins}\t${millis.toFixed(1)}`);
    if (values.solution === true) io.out(JSON.stringify({ instance: instance.name, bins: expanded.bins }));

    const known = optima.get(instance.name);
    if (known === undefined && optima.size > 0) unreferenced.push(instance.name);
    const d = instance.capacity.length;
    runs.push({ name: instance.name, dataset: datasetOf(d), d, vbp, bins, millis, known });
  }

  const dims = [...new Set(runs.map((run) => run.d))].sort((a, b) => a - b);
  const summaries = dims.map((d) =>
    summarize(
      datasetOf(d),
      runs.filter((run) => run.d === d),
    ),
  );
  if (unreferenced.length > 0) {
    const shown = unreferenced.slice(0, 10).join(', ');
    io.out(`# no reference values for ${unreferenced.length} instance(s): ${shown}${unreferenced.length > 10 ? ', …' : ''}`);
  }
  for (const summary of summaries) for (const line of summaryLines(summary)) io.out(line);

  if (values.markdown !== undefined) {
    try {
      writeFileSync(values.markdown, markdownTable(summaries, effort));
    } catch (error) {
      io.err(`--markdown: ${errorMessage(error)}`);
      return 1;
    }
    io.out(`# summary written to ${values.markdown}`);
  }
  return 0;
}

if (invokedDirectly(import.meta.url)) process.exitCode = main(process.argv.slice(2));
