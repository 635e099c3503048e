// The simulate report as one self-contained HTML page: the policies side by side in a
// table, then charts over time. Inline CSS and SVG only — no script, no fetch — so the
// file opens offline and can be mailed around. Every string from data is escaped.
import { DIMENSIONS, type Dimension } from '../../core/resources.ts';
import { COST_SPLIT_PARTS, type CostSplit } from '../cost-split.ts';
import type { SimulateReport, SummarisedRun } from './simulate-report.ts';
import { barChart, compactNumber, escapeXml, formatDuration, GREY, lineChart, paletteColour, PALETTE, stackedAreaChart, type ReferenceLine, type StackLayer } from './svg-chart.ts';

/** Instance types shown on their own in charts; the rest are summed as "other". */
const FLEET_TYPES_SHOWN = PALETTE.length - 1;
const LAUNCH_TYPES_SHOWN = 12;

const DIMENSION_LABEL: { readonly [D in Dimension]: string } = { cpu: 'CPU', memoryMiB: 'memory', gpu: 'GPU' };
const DIMENSION_COLOUR: { readonly [D in Dimension]: string } = { cpu: PALETTE[0]!, memoryMiB: PALETTE[1]!, gpu: PALETTE[4]! };

export function reportHtml(report: SimulateReport): string {
  const title = `loadmaster simulate — ${report.trace.source}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${header(report)}
${comparison(report)}
${moneySplit(report)}
${overlaidCharts(report)}
${perPolicyCharts(report)}
</main>
</body>
</html>
`;
}

function header(report: SimulateReport): string {
  const { trace } = report;
  const notes = trace.notes.length === 0 ? '' : `<ul class="notes">${trace.notes.map((note) => `<li>${escapeXml(note)}</li>`).join('')}</ul>`;
  // The CLI may name the config by its path or hand over its text; text gets a fold of its own.
  const config = report.config.includes('\n')
    ? `<details><summary>Config</summary><pre>${escapeXml(report.config)}</pre></details>`
    : `<p>Config: <code>${escapeXml(report.config)}</code></p>`;
  return `<header>
<h1>${report.runs.length} ${report.runs.length === 1 ? 'policy' : 'policies'} on <code>${escapeXml(trace.source)}</code></h1>
<p>${integer(trace.jobs)} jobs replayed through the real controller on a simulated cloud, in virtual time, once per placement policy.</p>
${notes}
${config}
</header>`;
}

type Better = 'lower' | 'higher';

interface Column {
  readonly heading: string;
  /** Shown on hover over the heading. */
  readonly explanation: string;
  readonly cell: (run: SummarisedRun) => string;
  /** Present when the column has a best value to highlight. */
  readonly value?: (run: SummarisedRun) => number | null;
  readonly better?: Better;
}

function columns(report: SimulateReport): Column[] {
  const utilizationColumns = DIMENSIONS.filter((d) => d !== 'gpu' || report.runs.some((r) => r.utilization.gpu > 0)).map((d): Column => ({
    heading: `${capitalise(DIMENSION_LABEL[d])} used`,
    explanation: `${DIMENSION_LABEL[d]} allocated to jobs over ${DIMENSION_LABEL[d]} paid for, weighted by time`,
    cell: (r) => percent(r.utilization[d]),
    value: (r) => r.utilization[d],
    better: 'higher',
  }));
  return [
    { heading: 'Cost', explanation: 'USD billed from the start to the end of the run', cell: (r) => usd(r.totalCostUsd), value: (r) => r.totalCostUsd, better: 'lower' },
    { heading: '× clairvoyant', explanation: 'cost over the clairvoyant bound', cell: (r) => ratio(r.costOverClairvoyant), value: (r) => r.costOverClairvoyant, better: 'lower' },
    { heading: '× any schedule', explanation: 'cost over the any-schedule bound', cell: (r) => ratio(r.costOverAnySchedule), value: (r) => r.costOverAnySchedule, better: 'lower' },
    { heading: 'Wait p50', explanation: 'median time from arrival to the start of the first attempt (a job never started: until dead-lettered or the run ended)', cell: (r) => formatDuration(r.waitSeconds.p50), value: (r) => r.waitSeconds.p50, better: 'lower' },
    { heading: 'Wait p95', explanation: '95th percentile of arrival to first start (a job never started: until dead-lettered or the run ended)', cell: (r) => formatDuration(r.waitSeconds.p95), value: (r) => r.waitSeconds.p95, better: 'lower' },
    { heading: 'Wait max', explanation: 'longest arrival to first start (a job never started: until dead-lettered or the run ended)', cell: (r) => formatDuration(r.waitSeconds.max), value: (r) => r.waitSeconds.max, better: 'lower' },
    ...utilizationColumns,
    { heading: 'Nodes', explanation: 'instances launched, failed ones included', cell: (r) => integer(r.nodesLaunched.total), value: (r) => r.nodesLaunched.total, better: 'lower' },
    { heading: 'API calls / job', explanation: 'calls to the cloud per job, throttled and failed ones included', cell: (r) => r.apiCallsPerJob.toFixed(1), value: (r) => r.apiCallsPerJob, better: 'lower' },
    { heading: 'Succeeded', explanation: 'jobs that succeeded, of all jobs', cell: (r) => `${integer(r.succeeded)} / ${integer(r.jobs)}` },
    { heading: 'Dead-lettered', explanation: 'jobs given up on', cell: (r) => integer(r.deadLettered) },
    { heading: 'Completed', explanation: 'every job finished and the fleet was back to its warm minimum before the time limit', cell: (r) => (r.completed ? 'yes' : '<span class="warn">no</span>') },
    { heading: 'Simulated', explanation: 'virtual time the run lasted', cell: (r) => formatDuration(r.simulatedSeconds) },
    { heading: 'Wall', explanation: 'real time the run took', cell: (r) => formatDuration(r.wallSeconds) },
  ];
}

function comparison(report: SimulateReport): string {
  const cols = columns(report);
  // A run cut short by the time limit stopped paying early: its low cost is no achievement,
  // so the best values are picked among completed runs when there are any.
  const contenders = report.runs.some((r) => r.completed) ? report.runs.filter((r) => r.completed) : report.runs;
  const bestOf = cols.map((col) => bestValue(contenders, col));
  const head = `<tr><th>Policy</th>${cols.map((c) => `<th title="${escapeXml(c.explanation)}">${escapeXml(c.heading)}</th>`).join('')}</tr>`;
  const rows = report.runs
    .map((run, i) => {
      const cells = cols.map((col, c) => {
        const best = bestOf[c];
        const isBest = best !== undefined && col.value !== undefined && col.value(run) === best && contenders.includes(run);
        return `<td${isBest ? ' class="best"' : ''}>${col.cell(run)}</td>`;
      });
      return `<tr${run.completed ? '' : ' class="incomplete"'}><th scope="row"><span class="swatch" style="background:${paletteColour(i)}"></span>${escapeXml(run.policy)}</th>${cells.join('')}</tr>`;
    })
    .join('\n');
  const incomplete = report.runs.filter((r) => !r.completed);
  const warning = incomplete.length === 0 ? '' :
    `<p class="warn">Not completed before the time limit: ${incomplete.map((r) => escapeXml(r.policy)).join(', ')}. Their cost stops where the run stopped, so they are left out of the highlighting.</p>`;
  return `<section>
<h2>Policies compared</h2>
<div class="table-wrap"><table>
<thead>${head}</thead>
<tbody>
${rows}
</tbody>
</table></div>
<p class="hint">Best value per column highlighted. Hover over a heading for its meaning, over a chart for its values.</p>
${warning}
<dl class="bounds">
<dt>Clairvoyant bound: ${usd(report.bounds.clairvoyantUsd)}</dt>
<dd>What the jobs would cost if every job started the moment it arrived and the fleet were a fractional mix of instance types re-chosen at every instant to hold exactly the jobs running then (whole instances in the ${report.bounds.clairvoyantWholeInstanceStretches === 1 ? 'stretch' : `${report.bounds.clairvoyantWholeInstanceStretches} stretches`} where that raises the bound most), each instance billed ${report.bounds.clairvoyantBootSeconds} s of boot (the simulated cloud's shortest) before it runs anything.</dd>
<dt>Any-schedule bound: ${usd(report.bounds.anyScheduleUsd)}</dt>
<dd>A linear program over resource-time for the whole run: the cheapest capacity, in instance-seconds of each type, that holds every job's resources for its duration, whenever the jobs run. No schedule, however long it makes jobs wait, costs less.</dd>
</dl>
</section>`;
}

function bestValue(runs: readonly SummarisedRun[], column: Column): number | undefined {
  if (column.value === undefined || column.better === undefined) return undefined;
  const values = runs.map(column.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return undefined;
  const best = column.better === 'lower' ? Math.min(...values) : Math.max(...values);
  // When every run scores the same, nothing stands out.
  return values.every((v) => v === best) && runs.length > 1 ? undefined : best;
}

interface CostPart {
  readonly name: string;
  readonly meaning: string;
  readonly colour: string;
  readonly usd: (split: CostSplit) => number;
}

/** Green for the work, warm colours for what bought none (COST_SPLIT_PARTS order). */
const COST_PART_COLOURS = [PALETTE[4]!, PALETTE[1]!, PALETTE[2]!, PALETTE[6]!];
const COST_PARTS: readonly CostPart[] = COST_SPLIT_PARTS.map((part, i) => ({
  name: capitalise(part.label),
  meaning: part.meaning,
  colour: COST_PART_COLOURS[i]!,
  usd: (split: CostSplit) => split[part.key],
}));

function moneySplit(report: SimulateReport): string {
  // One scale for every bar, so that bar lengths compare policies as well as parts.
  const scale = Math.max(0, ...report.runs.map((run) => run.totalCostUsd));
  const legend = COST_PARTS.map((part) => `<li><span class="swatch" style="background:${part.colour}"></span><b>${escapeXml(part.name)}</b>: ${escapeXml(part.meaning)}</li>`).join('');
  const rows = report.runs
    .map((run) => {
      const share = (usdPart: number): number => (run.totalCostUsd > 0 ? usdPart / run.totalCostUsd : 0);
      const segments = COST_PARTS.map((part) => {
        const value = part.usd(run.costSplit);
        const width = scale > 0 ? (value / scale) * 100 : 0;
        const tip = `${part.name}: ${usd(value)} (${percent(share(value))})`;
        return `<span style="width:${width.toFixed(2)}%;background:${part.colour}" title="${escapeXml(tip)}"></span>`;
      }).join('');
      const cells = COST_PARTS.map((part) => {
        const value = part.usd(run.costSplit);
        return `<td>${usd(value)} <span class="share">${percent(share(value))}</span></td>`;
      }).join('');
      return `<tr><th scope="row">${escapeXml(run.policy)}</th><td class="split-cell"><div class="split-bar">${segments}</div></td>${cells}<td>${usd(run.totalCostUsd)}</td></tr>`;
    })
    .join('\n');
  return `<section>
<h2>Where the money went</h2>
<p>Each instance's bill, from launch to termination, split by what the instance was doing. The parts add up to the cost.</p>
<ul class="cost-parts">${legend}</ul>
<div class="table-wrap"><table class="split">
<thead><tr><th>Policy</th><th>Bill, on one scale for all policies</th>${COST_PARTS.map((part) => `<th>${escapeXml(part.name)}</th>`).join('')}<th>Total</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
<p class="hint">Shares are of each policy's own total. Hover over a bar for its parts.</p>
</section>`;
}

function overlaidCharts(report: SimulateReport): string {
  const xMax = lastTime(report);
  const lines = (valuesOf: (run: SummarisedRun) => readonly number[]) =>
    report.runs.map((run, i) => ({ name: run.policy, colour: paletteColour(i), xs: run.series.t, ys: valuesOf(run) }));
  const nodeTotals = (run: SummarisedRun): number[] => run.series.t.map((_, k) => Object.values(run.series.nodesByType).reduce((sum, column) => sum + (column[k] ?? 0), 0));
  const charts = [
    figure(
      lineChart({ title: 'Cost over time', yLabel: 'USD billed so far', formatY: usdCompact, xMax, references: boundLines(report) }, lines((r) => r.series.cost)),
      'One line per policy. The dashed lines are the lower bounds on the total: compare them with where each line ends.',
    ),
    figure(lineChart({ title: 'Queue depth', yLabel: 'jobs not started yet', xMax }, lines((r) => r.series.queueDepth)), 'Jobs in the queue, held ones included.'),
    figure(lineChart({ title: 'Fleet size', yLabel: 'nodes', xMax }, lines(nodeTotals)), 'Nodes kept, every one billed.'),
    figure(lineChart({ title: 'Running jobs', yLabel: 'jobs', xMax }, lines((r) => r.series.runningJobs))),
    figure(launchChart(report), 'Instances launched over the whole run, failed ones included.'),
  ];
  return `<section>
<h2>Over time, all policies</h2>
<p class="hint">Each point covers a stretch of samples: counts show the stretch's highest value, so short peaks stay visible; cost shows its value at the stretch's end.</p>
<div class="charts">${charts.join('\n')}</div>
</section>`;
}

/** The bounds are totals for the whole run, so they are drawn as levels the final cost can be read against. */
function boundLines(report: SimulateReport): ReferenceLine[] {
  return [
    { name: 'clairvoyant bound', colour: '#555', value: report.bounds.clairvoyantUsd },
    { name: 'any-schedule bound', colour: '#999', value: report.bounds.anyScheduleUsd },
  ];
}

function launchChart(report: SimulateReport): string {
  const totals = new Map<string, number>();
  for (const run of report.runs) for (const [type, n] of Object.entries(run.nodesLaunched.byType)) totals.set(type, (totals.get(type) ?? 0) + n);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([type]) => type);
  const shown = ranked.length > LAUNCH_TYPES_SHOWN + 1 ? ranked.slice(0, LAUNCH_TYPES_SHOWN) : ranked;
  const rest = ranked.slice(shown.length);
  const categories = rest.length > 0 ? [...shown, `other (${rest.length} types)`] : shown;
  return barChart({
    title: 'Nodes launched by instance type',
    valueLabel: 'instances',
    categories,
    groups: report.runs.map((run, i) => ({
      name: run.policy,
      colour: paletteColour(i),
      values: [...shown.map((type) => run.nodesLaunched.byType[type] ?? 0), ...(rest.length > 0 ? [rest.reduce((sum, type) => sum + (run.nodesLaunched.byType[type] ?? 0), 0)] : [])],
    })),
  });
}

function perPolicyCharts(report: SimulateReport): string {
  const xMax = lastTime(report);
  const ranked = typesByNodeTime(report);
  // One colour per type across every policy's chart, so the same colour means the same type.
  const shown = ranked.length > FLEET_TYPES_SHOWN + 1 ? ranked.slice(0, FLEET_TYPES_SHOWN) : ranked;
  const colourOf = new Map(shown.map((type, i) => [type, paletteColour(i)]));
  const fleetMax = Math.max(0, ...report.runs.map((run) => Math.max(0, ...run.series.t.map((_, k) => Object.values(run.series.nodesByType).reduce((sum, column) => sum + (column[k] ?? 0), 0)))));
  const dimensionsUsed = DIMENSIONS.filter((d) => report.runs.some((run) => run.series.utilization[d].some((v) => v > 0)));
  const unused = DIMENSIONS.filter((d) => !dimensionsUsed.includes(d)).map((d) => DIMENSION_LABEL[d]);

  return report.runs
    .map((run) => {
      const layers: StackLayer[] = shown.filter((type) => run.series.nodesByType[type] !== undefined).map((type) => ({ name: type, colour: colourOf.get(type)!, values: run.series.nodesByType[type]! }));
      const others = Object.keys(run.series.nodesByType).filter((type) => !colourOf.has(type));
      if (others.length > 0) {
        const values = run.series.t.map((_, k) => others.reduce((sum, type) => sum + (run.series.nodesByType[type]![k] ?? 0), 0));
        layers.push({ name: `other (${others.length} types)`, colour: GREY, values });
      }
      const fleet = stackedAreaChart({ title: `Fleet by instance type — ${run.policy}`, yLabel: 'nodes', xMax, yMax: fleetMax }, run.series.t, layers);
      const utilization = lineChart(
        { title: `Utilization — ${run.policy}`, yLabel: 'allocated / paid for', formatY: (v) => `${Math.round(v * 100)} %`, xMax, yMax: 1 },
        dimensionsUsed.map((d) => ({ name: DIMENSION_LABEL[d], colour: DIMENSION_COLOUR[d], xs: run.series.t, ys: run.series.utilization[d] })),
      );
      const unusedNote = unused.length === 0 ? '' : `No ${unused.join(' or ')} capacity was used in any run.`;
      return `<section>
<h2>Policy <code>${escapeXml(run.policy)}</code></h2>
<p>${usd(run.totalCostUsd)} over ${formatDuration(run.simulatedSeconds)} simulated; ${integer(run.nodesLaunched.total)} nodes launched; ${integer(run.apiCalls)} API calls; ${integer(run.succeeded)} of ${integer(run.jobs)} jobs succeeded.</p>
<div class="charts">
${figure(fleet, 'Nodes kept, by instance type, at the busiest moment of each stretch. Same colour, same type, in every policy.')}
${figure(utilization, 'Allocated over allocatable, per dimension, over each stretch.', unusedNote)}
</div>
</section>`;
    })
    .join('\n');
}

/** Types ordered by node-seconds over all runs: the types that made up most of the fleets first. */
function typesByNodeTime(report: SimulateReport): string[] {
  const nodeSeconds = new Map<string, number>();
  for (const run of report.runs) {
    const t = run.series.t;
    for (const [type, counts] of Object.entries(run.series.nodesByType)) {
      let total = 0;
      for (let k = 0; k < t.length; k++) total += (counts[k] ?? 0) * (t[k]! - (k > 0 ? t[k - 1]! : 0));
      nodeSeconds.set(type, (nodeSeconds.get(type) ?? 0) + total);
    }
  }
  return [...nodeSeconds.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([type]) => type);
}

function lastTime(report: SimulateReport): number {
  return Math.max(0, ...report.runs.map((run) => run.series.t.at(-1) ?? 0));
}

function figure(svg: string, ...captions: string[]): string {
  const text = captions.filter((c) => c !== '').join(' ');
  return `<figure>${svg}${text === '' ? '' : `<figcaption>${text}</figcaption>`}</figure>`;
}

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function usd(value: number): string {
  return USD.format(value);
}

function usdCompact(value: number): string {
  return `$${compactNumber(value)}`;
}

function ratio(value: number | null): string {
  return value === null ? '<span title="the bound is 0">—</span>' : `${value.toFixed(2)}×`;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function integer(value: number): string {
  return INTEGER.format(value);
}

const STYLE = `
:root { color-scheme: light; --ink: #222; --muted: #666; --line: #ddd; --best: #dff0d8; --warn: #b94a48; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fafafa; }
main { max-width: 1560px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eee; padding: 1px 4px; border-radius: 3px; }
pre { background: #f0f0f0; padding: 8px; overflow: auto; font-size: 12px; }
.notes { color: var(--muted); margin: 4px 0; }
.hint { color: var(--muted); font-size: 12px; }
.warn { color: var(--warn); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: right; white-space: nowrap; }
thead th { background: #f0f0f0; cursor: help; }
tbody th { text-align: left; font-weight: 600; }
td.best { background: var(--best); font-weight: 600; }
tr.incomplete td { color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.cost-parts { list-style: none; padding: 0; margin: 4px 0 8px; color: var(--muted); }
.cost-parts b { color: var(--ink); font-weight: 600; }
table.split thead th { cursor: default; }
td.split-cell { width: 40%; min-width: 240px; }
.split-bar { display: flex; height: 14px; background: #f3f3f3; }
.split-bar span { display: block; height: 100%; }
.share { color: var(--muted); font-size: 12px; margin-left: 4px; }
.bounds dt { font-weight: 600; margin-top: 6px; }
.bounds dd { margin: 0 0 0 16px; color: var(--muted); max-width: 900px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 8px; }
figcaption { color: var(--muted); font-size: 12px; padding: 0 8px 4px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #444; }
svg.chart .chart-title { font-size: 13px; font-weight: 600; fill: var(--ink); }
svg.chart .unit { fill: var(--muted); }
svg.chart .bar-value { fill: var(--muted); font-size: 10px; }
svg.chart .grid { stroke: #ececec; }
svg.chart .axis { stroke: #999; }
svg.chart .hover { fill: transparent; }
svg.chart .hover:hover { fill: rgba(0, 0, 0, 0.07); }
`;
