import { describe, expect, it } from 'vitest';
import { barChart, compactNumber, formatDuration, formatTimeTick, lineChart, niceTicks, stackedAreaChart, timeTicks } from '../../../src/simulation/report/svg-chart.ts';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten and reaches past the maximum', () => {
    expect(niceTicks(7, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0.93, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1234, 5)).toEqual([0, 500, 1000, 1500]);
  });

  it('gives a unit axis when there is nothing to show', () => {
    expect(niceTicks(0, 5)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN, 5)).toEqual([0, 1]);
  });
});

describe('time ticks', () => {
  it('falls on round minutes, hours, days or weeks, a few per axis', () => {
    expect(timeTicks(3600, 8)).toEqual([0, 600, 1200, 1800, 2400, 3000, 3600]);
    expect(timeTicks(3 * 86_400, 8)).toEqual([0, 12, 24, 36, 48, 60, 72].map((h) => h * 3600));
    expect(timeTicks(150 * 86_400, 8).length).toBeLessThanOrEqual(9);
    expect(timeTicks(150 * 86_400, 8)[1]).toBe(30 * 86_400);
  });

  it('reads as days, hours and minutes', () => {
    expect(formatTimeTick(0)).toBe('0');
    expect(formatTimeTick(45 * 60)).toBe('45 min');
    expect(formatTimeTick(6 * 3600)).toBe('6 h');
    expect(formatTimeTick(36 * 3600)).toBe('1 d 12 h');
    expect(formatTimeTick(14 * 86_400)).toBe('14 d');
  });
});

describe('formatDuration', () => {
  it('keeps a sensible precision', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(0.42)).toBe('0.4 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(725)).toBe('12 min 5 s');
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatDuration(90_061)).toBe('1 d 1 h');
    expect(formatDuration(7200)).toBe('2 h');
  });
});

describe('compactNumber', () => {
  it('shortens large numbers and keeps small ones whole', () => {
    expect(compactNumber(950)).toBe('950');
    expect(compactNumber(1234)).toBe('1234');
    expect(compactNumber(0.125)).toBe('0.125');
    expect(compactNumber(34_500)).toBe('34.5k');
    expect(compactNumber(1_500_000)).toBe('1.5M');
  });
});

describe('charts', () => {
  it('draws a line per series, a legend entry per series, and hover values', () => {
    const svg = lineChart({ title: 'Queue', yLabel: 'jobs', xMax: 600 }, [
      { name: 'a', colour: '#111111', xs: [0, 300, 600], ys: [1, 5, 2] },
      { name: 'b', colour: '#222222', xs: [0, 300], ys: [0, 3] },
    ]);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toMatch(/<text[^>]*>a<title>a<\/title><\/text>/);
    // A point stands for the stretch that ends at it; past the end of b, hover shows a alone.
    expect(svg).toMatch(/<title>at 4\.2 s\na: 5\nb: 3<\/title>/);
    expect(svg).toMatch(/<title>at 9 min 56 s\na: 2<\/title>/);
  });

  it('draws reference lines dashed, and reaches up to them', () => {
    const svg = lineChart({ title: 'Cost', yLabel: 'USD', references: [{ name: 'bound', colour: '#555555', value: 40 }] }, [{ name: 'a', colour: '#111111', xs: [0, 60], ys: [0, 10] }]);
    expect(svg).toContain('stroke-dasharray="5 4"');
    expect(svg).toMatch(/>40<\/text>/);
  });

  it('stacks layers so the top reaches the total', () => {
    const svg = stackedAreaChart({ title: 'Fleet', yLabel: 'nodes' }, [0, 60], [
      { name: 'small', colour: '#111111', values: [1, 2] },
      { name: 'large', colour: '#222222', values: [3, 3] },
    ]);
    expect(svg.match(/<path /g)).toHaveLength(2);
    // Hover lists the layers top first; each point stands for the stretch that ends at it.
    expect(svg).toMatch(/large: 3\nsmall: 2\ntotal: 5/);
    expect(svg).toMatch(/>5<\/text>/); // the axis reaches the total
  });

  it('draws one bar per group and category', () => {
    const svg = barChart({ title: 'Launched', valueLabel: 'instances', categories: ['c7g.large', 'g5.xlarge'], groups: [
      { name: 'p', colour: '#111111', values: [4, 1] },
      { name: 'q', colour: '#222222', values: [2, 0] },
    ] });
    expect(svg.match(/<rect [^>]*height="9"/g)).toHaveLength(4);
    expect(svg).toContain('<title>p — g5.xlarge: 1</title>');
  });
});
