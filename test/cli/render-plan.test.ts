import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/cli/render-plan.ts';
import { usdPerHour } from '../../src/cli/text-format.ts';
import type { Plan } from '../../src/core/planner/plan-types.ts';
import { CATALOG, NODES, PLAN } from './plan-fixtures.ts';

describe('renderPlan', () => {
  it('prints every section and the summary', () => {
    expect(renderPlan(PLAN, { nodes: NODES, catalog: CATALOG })).toBe(
      [
        'Start now (2 jobs on 1 node)',
        '  seg-1            →  i-aaa  c7g.xlarge',
        '  seg-2-long-name  →  i-aaa  c7g.xlarge',
        '',
        'Bound to launching nodes (1 job on 1 node)',
        '  nuc-1  →  i-bbb  g5.xlarge',
        '',
        'Launch (3 instances, $0.7978/h)',
        '  2 × m7g.2xlarge  $0.3264/h each',
        '      #1 (3 jobs): seg-3, seg-4, seg-5',
        '      #2 (1 job): seg-6',
        '  1 × c7g.xlarge   $0.145/h each',
        '      #1 (1 job): thumb-1',
        '',
        'Waiting (5 jobs)',
        '  huge-1  No instance type in the catalog has 9 GPUs.',
        '  4 jobs: Launching more would exceed policy.maxInstances (40).',
        '      feat-1, feat-2, feat-3, feat-4',
        '',
        'Summary: 13 pending jobs — 2 start now, 1 bound to launching nodes, 5 on 3 new instances, 5 waiting; new hourly cost $0.7978/h',
        '',
      ].join('\n'),
    );
  });

  it('leaves out empty sections', () => {
    const plan: Plan = { ...PLAN, bindings: [], launches: [], waiting: [], launchHourlyCost: 0 };
    const text = renderPlan(plan, { nodes: NODES, catalog: CATALOG });
    expect(text).toContain('Start now');
    expect(text).not.toContain('Bound to launching nodes (');
    expect(text).not.toContain('Launch (');
    expect(text).not.toContain('Waiting');
    expect(text).toContain('Summary: 2 pending jobs — 2 start now, 0 bound to launching nodes, 0 on 0 new instances, 0 waiting; new hourly cost $0.00/h');
  });

  it('says so when there is nothing to do', () => {
    const empty: Plan = { starts: [], bindings: [], launches: [], waiting: [], launchHourlyCost: 0 };
    expect(renderPlan(empty, { nodes: [], catalog: CATALOG })).toBe(
      'Nothing to do: no pending jobs.\n\nSummary: 0 pending jobs — 0 start now, 0 bound to launching nodes, 0 on 0 new instances, 0 waiting; new hourly cost $0.00/h\n',
    );
  });

  it('wraps long job lists', () => {
    const jobIds = Array.from({ length: 30 }, (_, i) => `segment-plate07-well-${i}`);
    const plan: Plan = { starts: [], bindings: [], launches: [{ type: 'c7g.xlarge', jobIds }], waiting: [], launchHourlyCost: 0.145 };
    const lines = renderPlan(plan, { nodes: [], catalog: CATALOG }).split('\n');
    const listLines = lines.filter((line) => line.includes('segment-plate07'));
    expect(listLines.length).toBeGreaterThan(3);
    for (const line of listLines) expect(line.length).toBeLessThanOrEqual(100);
    expect(listLines.slice(1).every((line) => line.startsWith(' '.repeat('      #1 (30 jobs): '.length)))).toBe(true);
    expect(listLines.join(' ').match(/segment-plate07-well-\d+/g)).toHaveLength(30);
  });
});

describe('usdPerHour', () => {
  it('shows cents at least and the catalog precision at most', () => {
    expect(usdPerHour(0.9)).toBe('$0.90/h');
    expect(usdPerHour(0.8048)).toBe('$0.8048/h');
    expect(usdPerHour(12)).toBe('$12.00/h');
    expect(usdPerHour(21.957642)).toBe('$21.9576/h');
  });
});
