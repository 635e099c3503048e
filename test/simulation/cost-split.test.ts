import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { costSplit, type CostSplit, type InstanceLife, type TaskStretch } from '../../src/simulation/cost-split.ts';
import { runSimulation } from '../../src/simulation/run-simulation.ts';
import { POLICY_SIM_CONFIG, POLICY_SIM_JOBS } from './policy-sim-fixtures.ts';

// At $3.60 an hour a second costs a tenth of a cent, so each part below reads as seconds / 1000.
const PRICES = new Map([
  ['small', 3.6],
  ['big', 36],
]);
const priceOf = (type: string): number => PRICES.get(type)!;

/** The split with every USD figure given as seconds of a $3.60-an-hour instance. */
function seconds(split: { booting?: number; running?: number; empty?: number; minimum?: number }): CostSplit {
  return { bootingUsd: (split.booting ?? 0) / 1000, runningUsd: (split.running ?? 0) / 1000, emptyUsd: (split.empty ?? 0) / 1000, minimumUsd: (split.minimum ?? 0) / 1000 };
}

function expectSplit(actual: CostSplit, expected: CostSplit): void {
  for (const key of ['bootingUsd', 'runningUsd', 'emptyUsd', 'minimumUsd'] as const) expect(actual[key], key).toBeCloseTo(expected[key], 12);
}

const total = (split: CostSplit): number => split.bootingUsd + split.runningUsd + split.emptyUsd + split.minimumUsd;

function instance(fields: Partial<InstanceLife> & { readonly launchedAt: number }): InstanceLife {
  return { instanceId: 'i-1', type: 'small', ...fields };
}

function task(startedAt: number, stoppedAt?: number, instanceId = 'i-1'): TaskStretch {
  return { instanceId, startedAt, ...(stoppedAt !== undefined && { stoppedAt }) };
}

describe('costSplit', () => {
  it('is all zero without instances', () => {
    expect(costSplit([], [], priceOf, 1_000_000)).toEqual(seconds({}));
  });

  it('bills an instance that never registered as booting, until its termination or the end', () => {
    // 45.5 s of life: 46 started seconds, all booting, and 14 s more for the minimum.
    expectSplit(costSplit([instance({ launchedAt: 0, terminatedAt: 45_500 })], [], priceOf, 1_000_000), seconds({ booting: 46, minimum: 14 }));
    // Still up at the end: booting from launch to the end.
    expectSplit(costSplit([instance({ launchedAt: 10_000 })], [], priceOf, 200_000), seconds({ booting: 190 }));
  });

  it('adds the 60 s minimum for an instance shorter than 60 s, and nothing for a longer one', () => {
    // Boots 30 s, runs a task 5 s, sits empty 15 s, goes at 50 s: billed 60 s.
    const short = instance({ launchedAt: 0, registeredAt: 30_000, terminatedAt: 50_000 });
    const split = costSplit([short], [task(35_000, 40_000)], priceOf, 1_000_000);
    expectSplit(split, seconds({ booting: 30, running: 5, empty: 15, minimum: 10 }));
    expect(total(split)).toBeCloseTo(0.06, 12);

    const long = instance({ launchedAt: 0, registeredAt: 30_000, terminatedAt: 90_000 });
    expectSplit(costSplit([long], [task(35_000, 40_000)], priceOf, 1_000_000), seconds({ booting: 30, running: 5, empty: 55 }));
  });

  it('counts overlapping tasks once: running is the union of their stretches', () => {
    const node = instance({ launchedAt: 0, registeredAt: 40_000, terminatedAt: 560_000 });
    // [50, 110) and [80, 140) overlap into 90 s, [200, 260) adds 60 s, and a task inside another adds nothing.
    const tasks = [task(80_000, 140_000), task(50_000, 110_000), task(90_000, 100_000), task(200_000, 260_000)];
    expectSplit(costSplit([node], tasks, priceOf, 1_000_000), seconds({ booting: 40, running: 150, empty: 370 }));
  });

  it('runs a task still running at the end until the end, on an instance still up', () => {
    const node = instance({ launchedAt: 0, registeredAt: 40_000 });
    expectSplit(costSplit([node], [task(100_000)], priceOf, 1_000_000), seconds({ booting: 40, empty: 60, running: 900 }));
  });

  it('bills the rest of a started second as what the instance was doing at its end', () => {
    const node = instance({ launchedAt: 0, registeredAt: 40_000 });
    // Ends 1000.3 s in with a task running: 1001 s billed, the last 0.7 s as running.
    expectSplit(costSplit([node], [task(100_000)], priceOf, 1_000_300), seconds({ booting: 40, empty: 60, running: 901 }));
    // Ends 300.4 s in, empty since its task stopped: the last 0.6 s as empty.
    const emptied = instance({ launchedAt: 0, registeredAt: 40_000, terminatedAt: 300_400 });
    expectSplit(costSplit([emptied], [task(50_000, 250_000)], priceOf, 1_000_000), seconds({ booting: 40, running: 200, empty: 61 }));
  });

  it("keeps tasks to their own instance's registered life, and prices each instance by its type", () => {
    const small = instance({ launchedAt: 0, registeredAt: 40_000, terminatedAt: 100_000 });
    const big = instance({ instanceId: 'i-2', type: 'big', launchedAt: 0, registeredAt: 30_000, terminatedAt: 90_000 });
    // The small one's task claims to outlive it; the big one's to start before it registered.
    const tasks = [task(60_000, 200_000), task(10_000, 50_000, 'i-2')];
    const split = costSplit([small, big], tasks, priceOf, 1_000_000);
    // small: booting 40, running 40, empty 20; big (ten times the price): booting 30, running 20, empty 40.
    expectSplit(split, seconds({ booting: 40 + 300, running: 40 + 200, empty: 20 + 400 }));
  });
});

describe('costSplit of a simulation run', () => {
  const config = parseConfig(POLICY_SIM_CONFIG, 'test.yaml');
  const arrivals = POLICY_SIM_JOBS.map(({ at, message }) => ({ at, message }));

  it('adds up to the total cost of a completed run, with booting, running and empty all paid', async () => {
    const report = await runSimulation({ config, arrivals });
    expect(report.completed).toBe(true);
    expect(total(report.costSplit)).toBeCloseTo(report.totalCost, 9);
    expect(report.costSplit.bootingUsd).toBeGreaterThan(0);
    expect(report.costSplit.runningUsd).toBeGreaterThan(0);
    // The idle tail before an empty node is retired.
    expect(report.costSplit.emptyUsd).toBeGreaterThan(0);
    expect(report.costSplit.minimumUsd).toBeGreaterThanOrEqual(0);
  });

  it('adds up to the total cost of a run cut short with tasks still running, and of one ending on a warm node', async () => {
    const cut = await runSimulation({ config, arrivals, limitSeconds: 90 });
    expect(cut.completed).toBe(false);
    expect(cut.tasks.some((t) => t.stoppedAt === undefined)).toBe(true);
    expect(total(cut.costSplit)).toBeCloseTo(cut.totalCost, 9);

    const warm = await runSimulation({ config, arrivals: arrivals.slice(0, 3), settings: { warmNodes: { 'c7g.*': 1 } } });
    expect(Object.values(warm.nodesAtEnd)).toEqual([1]);
    expect(total(warm.costSplit)).toBeCloseTo(warm.totalCost, 9);
  });
});
