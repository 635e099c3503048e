// Small inline-SVG charts for the simulate report: line charts and stacked areas over time,
// grouped horizontal bars. Axes with round ticks, time read as minutes, hours or days, a
// legend, and hover values through SVG <title> elements, so the page needs no script and
// no library. Pure: data in, markup out; every string from data is escaped.

export interface LineSeries {
  readonly name: string;
  readonly colour: string;
  /** Seconds from the start, ascending. */
  readonly xs: readonly number[];
  readonly ys: readonly number[];
}

export interface StackLayer {
  readonly name: string;
  readonly colour: string;
  /** One value per x of the chart. */
  readonly values: readonly number[];
}

export interface TimeChartOptions {
  readonly title: string;
  readonly yLabel: string;
  /** For ticks and hover values; a compact number by default. */
  readonly formatY?: (value: number) => string;
  /** The x axis spans 0..xMax seconds; give the same xMax to charts meant to be compared. */
  readonly xMax?: number;
  /** The y axis reaches at least this far (e.g. 1 for a ratio, or a shared maximum). */
  readonly yMax?: number;
  /** Horizontal dashed lines at given values, named in the legend (e.g. a bound). */
  readonly references?: readonly ReferenceLine[];
}

export interface ReferenceLine {
  readonly name: string;
  readonly colour: string;
  readonly value: number;
}

export interface BarGroup {
  readonly name: string;
  readonly colour: string;
  /** One value per category. */
  readonly values: readonly number[];
}

export interface BarChartOptions {
  readonly title: string;
  readonly valueLabel: string;
  readonly categories: readonly string[];
  readonly groups: readonly BarGroup[];
  readonly formatValue?: (value: number) => string;
}

/** Tableau 10 without its grey: distinguishable on white and for most colour-blind readers. */
export const PALETTE: readonly string[] = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
/** For "other" and anything past the palette's length. */
export const GREY = '#bab0ac';

export function paletteColour(index: number): string {
  return PALETTE[index] ?? GREY;
}

const WIDTH = 760;
const PLOT_HEIGHT = 210;
const MARGIN = { left: 64, right: 18, top: 34, bottom: 44 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
/** Rough advance of one character of the page's 11 px sans-serif, for laying out legends. */
const CHAR_WIDTH = 6.4;
const LEGEND_ROW = 18;
/** Hover strips per time chart: enough to read values along the chart, few enough to keep the page small. */
const HOVER_STRIPS = 72;
const MAX_LABEL_CHARS = 32;
const BAR_LABEL_CHARS = 20;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function lineChart(options: TimeChartOptions, series: readonly LineSeries[]): string {
  const formatY = options.formatY ?? compactNumber;
  const xMax = options.xMax ?? Math.max(0, ...series.map((s) => s.xs.at(-1) ?? 0));
  const references = options.references ?? [];
  const yTop = Math.max(options.yMax ?? 0, ...series.map((s) => maxOf(s.ys)), ...references.map((r) => r.value));
  return timeChart(options, xMax, yTop, [...series, ...references.map((r) => ({ ...r, dashed: true }))], (x, y) =>
    references
      .map((r) => `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${round1(y(r.value))}" y2="${round1(y(r.value))}" stroke="${r.colour}" stroke-dasharray="5 4" stroke-width="1.2"/>`)
      .join('') +
    series
      .filter((s) => s.xs.length > 0)
      .map((s) => `<path d="${pathData(s.xs, s.ys, x, y)}" fill="none" stroke="${s.colour}" stroke-width="1.6" stroke-linejoin="round"/>`)
      .join(''),
    (t) => series.flatMap((s) => {
      const i = coveringIndex(s.xs, t);
      return i === undefined ? [] : [`${s.name}: ${formatY(s.ys[i]!)}`];
    }).concat(references.map((r) => `${r.name}: ${formatY(r.value)}`)),
  );
}

/** Layers stacked in the order given, the first at the bottom. */
export function stackedAreaChart(options: TimeChartOptions, xs: readonly number[], layers: readonly StackLayer[]): string {
  const formatY = options.formatY ?? compactNumber;
  const xMax = options.xMax ?? xs.at(-1) ?? 0;
  const tops: number[][] = [];
  let below: readonly number[] = xs.map(() => 0);
  for (const layer of layers) {
    const top = xs.map((_, i) => below[i]! + (layer.values[i] ?? 0));
    tops.push(top);
    below = top;
  }
  const yTop = Math.max(options.yMax ?? 0, maxOf(below));
  return timeChart(options, xMax, yTop, layers, (x, y) => {
    if (xs.length === 0) return '';
    // Each layer is filled from zero to its top, highest first: the lower layers paint over
    // the rest, which draws the same picture as bands with half the path data.
    const base = `${round1(x(xs.at(-1)!))},${round1(y(0))} ${round1(x(xs[0]!))},${round1(y(0))}`;
    return layers
      .map((layer, k) => `<path d="${pathData(xs, tops[k]!, x, y)} ${base}Z" fill="${layer.colour}" stroke="none"/>`)
      .reverse()
      .join('');
  },
  (t) => {
    const i = coveringIndex(xs, t);
    if (i === undefined) return [];
    const lines = layers.filter((layer) => (layer.values[i] ?? 0) > 0).map((layer) => `${layer.name}: ${formatY(layer.values[i]!)}`);
    return [...lines.reverse(), `total: ${formatY(below[i]!)}`];
  });
}

interface LegendItem {
  readonly name: string;
  readonly colour: string;
  /** Drawn as a dashed stroke rather than a filled square. */
  readonly dashed?: boolean;
}

function timeChart(
  options: TimeChartOptions,
  xMaxRaw: number,
  yTopRaw: number,
  legend: readonly LegendItem[],
  drawPlot: (x: (v: number) => number, y: (v: number) => number) => string,
  hoverLines: (t: number) => string[],
): string {
  const formatY = options.formatY ?? compactNumber;
  const xMax = xMaxRaw > 0 ? xMaxRaw : 1;
  const yTicks = niceTicks(yTopRaw, 5);
  const yMax = yTicks.at(-1)!;
  const x = (v: number): number => MARGIN.left + (Math.min(v, xMax) / xMax) * PLOT_WIDTH;
  const y = (v: number): number => MARGIN.top + PLOT_HEIGHT - (v / yMax) * PLOT_HEIGHT;
  const legendLayout = layOutLegend(legend, PLOT_WIDTH);
  const height = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom + legendLayout.height;
  const bottom = MARGIN.top + PLOT_HEIGHT;

  const grid = yTicks
    .map((v) => `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${round1(y(v))}" y2="${round1(y(v))}" class="grid"/>` +
      `<text x="${MARGIN.left - 6}" y="${round1(y(v) + 4)}" text-anchor="end">${escapeXml(formatY(v))}</text>`)
    .join('');
  const xTicks = timeTicks(xMax, 8)
    .map((v) => `<line x1="${round1(x(v))}" x2="${round1(x(v))}" y1="${bottom}" y2="${bottom + 4}" class="axis"/>` +
      `<text x="${round1(x(v))}" y="${bottom + 16}" text-anchor="middle">${escapeXml(formatTimeTick(v))}</text>`)
    .join('');
  const strips: string[] = [];
  const stripWidth = PLOT_WIDTH / HOVER_STRIPS;
  for (let k = 0; k < HOVER_STRIPS; k++) {
    const t = ((k + 0.5) / HOVER_STRIPS) * xMax;
    const lines = hoverLines(t);
    if (lines.length === 0) continue;
    const text = [`at ${formatDuration(t)}`, ...lines].join('\n');
    strips.push(`<rect x="${round1(MARGIN.left + k * stripWidth)}" y="${MARGIN.top}" width="${round1(stripWidth)}" height="${PLOT_HEIGHT}" fill="transparent" class="hover"><title>${escapeXml(text)}</title></rect>`);
  }

  return svgOpen(options.title, height) +
    `<text x="${MARGIN.left}" y="18" class="chart-title">${escapeXml(options.title)}</text>` +
    `<text x="${WIDTH - MARGIN.right}" y="18" text-anchor="end" class="unit">${escapeXml(options.yLabel)}</text>` +
    grid +
    // No clip path needed: x is clamped to the axis and the y axis reaches past every value.
    `<g>${drawPlot(x, y)}</g>` +
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${bottom}" y2="${bottom}" class="axis"/>` +
    xTicks +
    `<text x="${MARGIN.left + PLOT_WIDTH / 2}" y="${bottom + 32}" text-anchor="middle" class="unit">time since the start</text>` +
    strips.join('') +
    drawLegend(legendLayout, MARGIN.left, bottom + MARGIN.bottom) +
    '</svg>';
}

/** Horizontal bars, one row per category, one bar per group in each row. */
export function barChart(options: BarChartOptions): string {
  const formatValue = options.formatValue ?? compactNumber;
  const labelWidth = BAR_LABEL_CHARS * CHAR_WIDTH + 16;
  const plotWidth = WIDTH - labelWidth - MARGIN.right - 40;
  const barHeight = 11;
  const rowHeight = options.groups.length * barHeight + 10;
  const top = MARGIN.top + 8;
  const plotHeight = Math.max(1, options.categories.length) * rowHeight;
  const ticks = niceTicks(Math.max(0, ...options.groups.flatMap((g) => g.values)), 5);
  const vMax = ticks.at(-1)!;
  const x = (v: number): number => labelWidth + (v / vMax) * plotWidth;
  const legendLayout = layOutLegend(options.groups, WIDTH - labelWidth - MARGIN.right);
  const bottom = top + plotHeight;
  const height = bottom + 28 + legendLayout.height + 8;

  const grid = ticks
    .map((v) => `<line x1="${round1(x(v))}" x2="${round1(x(v))}" y1="${top}" y2="${bottom}" class="grid"/>` +
      `<text x="${round1(x(v))}" y="${bottom + 14}" text-anchor="middle">${escapeXml(formatValue(v))}</text>`)
    .join('');
  const rows = options.categories
    .map((category, c) => {
      const rowTop = top + c * rowHeight + 5;
      const label = `<text x="${labelWidth - 8}" y="${round1(rowTop + (options.groups.length * barHeight) / 2 + 4)}" text-anchor="end">${escapeXml(truncate(category, BAR_LABEL_CHARS))}<title>${escapeXml(category)}</title></text>`;
      const bars = options.groups
        .map((group, g) => {
          const value = group.values[c] ?? 0;
          const barTop = rowTop + g * barHeight;
          const tip = `${group.name} — ${category}: ${formatValue(value)}`;
          return `<rect x="${labelWidth}" y="${barTop}" width="${round1(x(value) - labelWidth)}" height="${barHeight - 2}" fill="${group.colour}"><title>${escapeXml(tip)}</title></rect>` +
            `<text x="${round1(x(value) + 4)}" y="${barTop + barHeight - 3}" class="bar-value">${escapeXml(formatValue(value))}</text>`;
        })
        .join('');
      return label + bars;
    })
    .join('');

  return svgOpen(options.title, height) +
    `<text x="${MARGIN.left}" y="18" class="chart-title">${escapeXml(options.title)}</text>` +
    `<text x="${WIDTH - MARGIN.right}" y="18" text-anchor="end" class="unit">${escapeXml(options.valueLabel)}</text>` +
    grid +
    `<line x1="${labelWidth}" x2="${labelWidth}" y1="${top}" y2="${bottom}" class="axis"/>` +
    rows +
    drawLegend(legendLayout, labelWidth, bottom + 28) +
    '</svg>';
}

function svgOpen(title: string, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${round1(height)}" role="img" class="chart"><title>${escapeXml(title)}</title>`;
}

interface LegendLayout {
  readonly items: readonly { readonly item: LegendItem; readonly dx: number; readonly row: number }[];
  readonly height: number;
}

function layOutLegend(items: readonly LegendItem[], width: number): LegendLayout {
  const placed: { item: LegendItem; dx: number; row: number }[] = [];
  let dx = 0;
  let row = 0;
  for (const item of items) {
    const itemWidth = 16 + truncate(item.name).length * CHAR_WIDTH + 14;
    if (dx > 0 && dx + itemWidth > width) [dx, row] = [0, row + 1];
    placed.push({ item, dx, row });
    dx += itemWidth;
  }
  return { items: placed, height: items.length === 0 ? 0 : (row + 1) * LEGEND_ROW };
}

function drawLegend(layout: LegendLayout, left: number, top: number): string {
  return layout.items
    .map(({ item, dx, row }) => {
      const y = top + row * LEGEND_ROW;
      const swatch = item.dashed
        ? `<line x1="${round1(left + dx)}" x2="${round1(left + dx + 12)}" y1="${y + 6}" y2="${y + 6}" stroke="${item.colour}" stroke-width="2" stroke-dasharray="3 2"/>`
        : `<rect x="${round1(left + dx)}" y="${y}" width="11" height="11" rx="2" fill="${item.colour}"/>`;
      return swatch +
        `<text x="${round1(left + dx + 16)}" y="${y + 10}">${escapeXml(truncate(item.name))}<title>${escapeXml(item.name)}</title></text>`;
    })
    .join('');
}

function pathData(xs: readonly number[], ys: readonly number[], x: (v: number) => number, y: (v: number) => number): string {
  // Implicit line-tos after the first point: "M x,y x,y …" is valid and a third shorter.
  return `M${xs.map((v, i) => `${round1(x(v))},${round1(y(ys[i] ?? 0))}`).join(' ')}`;
}

/** The first point whose stretch covers t (points mark stretch ends); none past the last. */
function coveringIndex(xs: readonly number[], t: number): number | undefined {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo < xs.length ? lo : undefined;
}

/** 0, step, 2·step … up to the first tick ≥ max, step 1, 2 or 5 × 10^k; [0, 1] when max ≤ 0. */
export function niceTicks(max: number, count: number): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    const tick = Number((i * step).toPrecision(12));
    ticks.push(tick);
    if (tick >= max) return ticks;
  }
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
const TIME_STEPS = [MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 60 * DAY, 90 * DAY, 180 * DAY, 365 * DAY];

/** Ticks at round times (whole minutes, hours, days, weeks), at most `maxTicks` past zero. */
export function timeTicks(maxSeconds: number, maxTicks: number): number[] {
  const step = TIME_STEPS.find((s) => maxSeconds / s <= maxTicks) ?? Math.ceil(maxSeconds / maxTicks / DAY) * DAY;
  const ticks: number[] = [];
  for (let t = 0; t <= maxSeconds; t += step) ticks.push(t);
  return ticks;
}

/** A tick at a round time: "0", "45 min", "6 h", "2 d", "1 d 12 h". */
export function formatTimeTick(seconds: number): string {
  if (seconds === 0) return '0';
  const days = Math.floor(seconds / DAY);
  const hours = Math.floor((seconds % DAY) / HOUR);
  const minutes = Math.round((seconds % HOUR) / MINUTE);
  const parts = [days > 0 ? `${days} d` : '', hours > 0 ? `${hours} h` : '', minutes > 0 ? `${minutes} min` : ''].filter((p) => p !== '');
  return parts.join(' ') || `${round1(seconds)} s`;
}

/** A duration at a sensible precision: "0.4 s", "42 s", "12 min 5 s", "3 h 20 min", "2 d 4 h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 10) return `${Number(seconds.toFixed(1))} s`;
  if (seconds < MINUTE) return `${Math.round(seconds)} s`;
  const whole = Math.round(seconds);
  const [big, bigUnit, small, smallUnit] =
    whole < HOUR ? [Math.floor(whole / MINUTE), 'min', whole % MINUTE, 's']
    : whole < DAY ? [Math.floor(whole / HOUR), 'h', Math.floor((whole % HOUR) / MINUTE), 'min']
    : [Math.floor(whole / DAY), 'd', Math.floor((whole % DAY) / HOUR), 'h'];
  return small > 0 ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}

/** 950, 1.2k, 34k, 1.5M: short enough for an axis. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  return Number.isInteger(value) ? String(value) : trim(value);
}

function trim(value: number): string {
  return String(Number(value.toPrecision(3)));
}

function truncate(text: string, maxChars = MAX_LABEL_CHARS): string {
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

function maxOf(values: readonly number[]): number {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return max;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
