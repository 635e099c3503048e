// Hand-made simulation reports for the report tests: small ones whose numbers can be
// checked by eye, and a large synthetic one to measure what the report weighs.
import { resources, ZERO, type Resources } from '../../../src/core/resources.ts';
import type { CostSplit } from '../../../src/simulation/cost-split.ts';
import type { SimulationReport, SimulationSample } from '../../../src/simulation/run-simulation.ts';
import type { PolicyRun } from '../../../src/simulation/report/simulate-report.ts';

export function sample(fields: Partial<SimulationSample> & { readonly t: number }): SimulationSample {
  return {
    nodesByType: {},
    queueDepth: 0,
    runningJobs: 0,
    allocated: ZERO,
    allocatable: ZERO,
    utilization: ZERO,
    cost: 0,
    ...fields,
  };
}

/** The total split 60 % running tasks, 20 % booting, 15 % empty, 5 % minimum: parts that add up, easy to check by eye. */
export function splitOf(totalCost: number): CostSplit {
  return { runningUsd: totalCost * 0.6, bootingUsd: totalCost * 0.2, emptyUsd: totalCost * 0.15, minimumUsd: totalCost * 0.05 };
}

export function simulationReport(fields: Partial<SimulationReport> = {}): SimulationReport {
  return {
    jobs: 10,
    succeeded: 10,
    deadLettered: 0,
    completed: true,
    totalCost: 1,
    costSplit: splitOf(fields.totalCost ?? 1),
    simulatedSeconds: 60,
    waitSeconds: { p50: 5, p95: 20, max: 40 },
    nodesLaunched: { 'c7g.large': 2 },
    nodesAtEnd: {},
    apiCalls: 40,
    apiCallsPerJob: 4,
    utilization: resources(() => 0.5),
    samples: [sample({ t: 0 }), sample({ t: 30, nodesByType: { 'c7g.large': 1 }, cost: 0.5 }), sample({ t: 60, cost: 1 })],
    tasks: [],
    ...fields,
  };
}

export function policyRun(policy: string, fields: Partial<SimulationReport> = {}, wallSeconds = 1): PolicyRun {
  return { policy, report: simulationReport(fields), wallSeconds };
}

const DAY = 86_400;

/**
 * `count` samples evenly over `days`, with a fleet drawn from `types` instance types that
 * changes over time, a queue that rises and falls, and a cost that grows. The nested
 * objects come from small pools so that millions of samples fit in a test's memory.
 */
export function syntheticSamples(count: number, days: number, types: number): SimulationSample[] {
  const typeNames = Array.from({ length: types }, (_, i) => `type-${String(i).padStart(2, '0')}.${['large', 'xlarge', '4xlarge'][i % 3]}`);
  const fleets = Array.from({ length: 64 }, (_, f) => Object.fromEntries(typeNames.filter((_, i) => (f + i) % 3 !== 0).map((name, i) => [name, 1 + ((f * 7 + i * 3) % 11)])));
  const capacity: Resources = { cpu: 400 * 1024, memoryMiB: 1_600_000, gpu: 8 };
  const allocations = Array.from({ length: 16 }, (_, k): Resources => resources((d) => (capacity[d] * (k + 1)) / 17));
  const utilizations = allocations.map((allocated) => resources((d) => allocated[d] / capacity[d]));
  const step = (days * DAY) / count;
  const samples: SimulationSample[] = new Array(count);
  for (let i = 0; i < count; i++) {
    samples[i] = {
      t: Math.round(i * step * 1000) / 1000,
      nodesByType: fleets[Math.floor(i / 997) % fleets.length]!,
      queueDepth: (i * 31) % 5_000,
      runningJobs: (i * 17) % 2_000,
      allocated: allocations[i % allocations.length]!,
      allocatable: capacity,
      utilization: utilizations[i % utilizations.length]!,
      cost: i * 0.0137,
    };
  }
  return samples;
}
