import { describe, expect, it } from 'vitest';
import { resources } from '../../../src/core/resources.ts';
import { reportHtml } from '../../../src/simulation/report/report-html.ts';
import { summariseRuns, type PolicyRun, type SimulateReport } from '../../../src/simulation/report/simulate-report.ts';
import { policyRun, sample, syntheticSamples } from './report-fixtures.ts';

function reportOf(runs: readonly PolicyRun[], notes: readonly string[] = ['one day of uploads']): SimulateReport {
  return summariseRuns({ trace: { source: 'traces/day.csv', jobs: 10, notes }, config: 'examples/config.yaml', bounds: { clairvoyantUsd: 8, clairvoyantBootSeconds: 30, clairvoyantWholeInstanceStretches: 7, anyScheduleUsd: 5 }, runs });
}

const THREE_POLICIES = [
  policyRun('cheapest', { totalCost: 10, apiCallsPerJob: 3, waitSeconds: { p50: 30, p95: 300, max: 900 }, samples: syntheticSamples(3_000, 2, 12) }),
  policyRun('first-fit', { totalCost: 12, apiCallsPerJob: 2, waitSeconds: { p50: 10, p95: 120, max: 600 }, samples: syntheticSamples(2_000, 1.5, 5) }),
  policyRun('spread', { totalCost: 15, apiCallsPerJob: 5, waitSeconds: { p50: 10, p95: 60, max: 300 } }),
];

/** Tag names opened and closed in order; throws at the first close that does not match. */
function checkBalanced(html: string): void {
  const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', '!doctype']);
  const open: string[] = [];
  for (const match of html.matchAll(/<(\/?)(!?[a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = match;
    const name = rawName!.toLowerCase();
    if (VOID.has(name) || selfClosing === '/') continue;
    if (closing === '') open.push(name);
    else if (open.pop() !== name) throw new Error(`</${name}> at ${match.index} closes <${open.at(-1) ?? 'nothing'}>`);
  }
  expect(open).toEqual([]);
}

function tableRows(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return body.match(/<tr[\s>][\s\S]*?<\/tr>/g) ?? [];
}

describe('reportHtml', () => {
  const html = reportHtml(reportOf(THREE_POLICIES));

  it('is one page with a title, and tags that close in order', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>loadmaster simulate — traces/day.csv</title>');
    checkBalanced(html);
    expect(html.match(/<svg[\s>]/g)?.length).toBe(html.match(/<\/svg>/g)?.length);
  });

  it('has one table row per policy, named', () => {
    const rows = tableRows(html);
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => /<th scope="row">.*?<\/span>(.*?)<\/th>/.exec(row)?.[1])).toEqual(['cheapest', 'first-fit', 'spread']);
  });

  it('highlights the best value of each column', () => {
    const [cheapest, firstFit, spread] = tableRows(html);
    expect(cheapest).toContain('<td class="best">$10.00</td>');
    expect(cheapest).toContain('<td class="best">1.25×</td>');
    expect(firstFit).toContain('<td class="best">2.0</td>');
    expect(spread).toContain('<td class="best">1 min</td>'); // p95 60 s
    expect(spread).not.toContain('$15.00</td>'.replace('$', 'best">$'));
    // p50 ties between first-fit and spread: both are best.
    expect(firstFit).toContain('<td class="best">10 s</td>');
    expect(spread).toContain('<td class="best">10 s</td>');
  });

  it('leaves a run that did not complete out of the highlighting', () => {
    const [unfinished, finished] = tableRows(reportHtml(reportOf([policyRun('cut-short', { totalCost: 1, completed: false }), policyRun('finished', { totalCost: 9 })])));
    expect(unfinished).not.toContain('class="best"');
    expect(finished).toContain('<td class="best">$9.00</td>');
  });

  it('states the bounds and what they mean, and the trace notes', () => {
    expect(html).toContain('Clairvoyant bound: $8.00');
    expect(html).toContain('Any-schedule bound: $5.00');
    expect(html).toMatch(/started the moment it arrived/);
    expect(html).toContain('whole instances in the 7 stretches where that raises the bound most');
    expect(html).toContain('<li>one day of uploads</li>');
  });

  it('draws every chart as an inline svg', () => {
    // Cost, queue depth, fleet size, running jobs and nodes launched for all policies; fleet by type and utilization per policy.
    expect(html.match(/<svg[\s>]/g)).toHaveLength(5 + 2 * 3);
    for (const title of ['Cost over time', 'Queue depth', 'Nodes launched by instance type', 'Fleet by instance type — cheapest', 'Utilization — spread']) {
      expect(html).toContain(`<title>${title}</title>`);
    }
  });

  it('shows where the money went: per policy a stacked bar on one scale, and each part in USD and as a share', () => {
    expect(html).toContain('<h2>Where the money went</h2>');
    const section = html.slice(html.indexOf('<h2>Where the money went</h2>'));
    const split = section.slice(0, section.indexOf('</section>'));
    for (const part of ['Running tasks', 'Booting', 'Empty', '60 s minimum']) expect(split).toContain(`<b>${part}</b>`);
    const rows = tableRows(split);
    expect(rows.map((row) => /<th scope="row">(.*?)<\/th>/.exec(row)?.[1])).toEqual(['cheapest', 'first-fit', 'spread']);
    // cheapest: $10 split 60 / 20 / 15 / 5 % (the fixtures' split); bars scaled to spread's $15.
    const [cheapest, , spread] = rows;
    for (const cell of ['$6.00 <span class="share">60.0 %</span>', '$2.00 <span class="share">20.0 %</span>', '$1.50 <span class="share">15.0 %</span>', '$0.50 <span class="share">5.0 %</span>', '<td>$10.00</td>']) {
      expect(cheapest).toContain(cell);
    }
    expect(cheapest).toContain('style="width:40.00%;background:#59a14f" title="Running tasks: $6.00 (60.0 %)"');
    expect(spread).toContain('style="width:60.00%;background:#59a14f" title="Running tasks: $9.00 (60.0 %)"');
    expect(spread).toContain('title="60 s minimum: $0.75 (5.0 %)"');
    checkBalanced(split);
  });

  it('reads time on the axes as hours and days', () => {
    // The longest run lasts two days.
    expect(html).toMatch(/>1 d<\/text>/);
    expect(html).toMatch(/>12 h<\/text>/);
  });

  it('lumps instance types past the first few into "other", with one colour per type across policies', () => {
    expect(html).toContain('other (4 types)'); // twelve types seen, eight shown
    const colourOf = (policy: string, type: string): string | undefined => {
      const section = html.slice(html.indexOf(`Fleet by instance type — ${policy}`));
      return new RegExp(`fill="(#[0-9a-f]{6})"/><text[^>]*>${type.replace('.', '\\.')}<`).exec(section)?.[1];
    };
    expect(colourOf('cheapest', 'type-01.xlarge')).toBeDefined();
    expect(colourOf('cheapest', 'type-01.xlarge')).toBe(colourOf('first-fit', 'type-01.xlarge'));
  });

  it('loads nothing from elsewhere and runs no script', () => {
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|url\(\s*["']?https?:/i);
  });

  it('escapes every string taken from the data', () => {
    const hostile = summariseRuns({
      trace: { source: '"><script>alert("source")</script>', jobs: 1, notes: ['<script>alert("note")</script>'] },
      config: 'a.yaml</code><script>',
      bounds: { clairvoyantUsd: 1, clairvoyantBootSeconds: 30, clairvoyantWholeInstanceStretches: 7, anyScheduleUsd: 1 },
      runs: [
        policyRun('<b onmouseover="x()">bold</b>', {
          nodesLaunched: { '<img src=x onerror=alert(1)>': 2 },
          samples: [sample({ t: 0, nodesByType: { '<img src=x onerror=alert(1)>': 1 }, cost: 0 }), sample({ t: 60, cost: 1, allocated: resources(() => 1), allocatable: resources(() => 2) })],
        }),
      ],
    });
    const page = reportHtml(hostile);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('<b onmouseover');
    expect(page).not.toContain('<img');
    expect(page).toContain('&#60;script&#62;alert(&#34;note&#34;)&#60;/script&#62;');
    expect(page).toContain('&#60;b onmouseover=&#34;x()&#34;&#62;bold&#60;/b&#62;');
    checkBalanced(page);
  });

  it('copes with runs that have no samples and no launches', () => {
    const page = reportHtml(reportOf([policyRun('idle', { samples: [], nodesLaunched: {}, totalCost: 0 })], []));
    checkBalanced(page);
    expect(page).not.toContain('NaN');
    expect(page).not.toContain('Infinity');
    expect(page).not.toContain('class="notes"');
  });
});
