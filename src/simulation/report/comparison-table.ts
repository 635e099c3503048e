// The policies of a report side by side, as text cells: one definition of the columns for
// the CLI's table and the benchmark's (text and Markdown).
import type { SimulateReport } from './simulate-report.ts';

export interface ComparisonTable {
  readonly headers: readonly string[];
  /** Per column: right-aligned numbers (true) or left-aligned text. */
  readonly numeric: readonly boolean[];
  readonly rows: readonly (readonly string[])[];
}

export function comparisonTable(report: SimulateReport): ComparisonTable {
  const ratio = (value: number | null): string => (value === null ? '–' : value.toFixed(3));
  const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
  return {
    headers: ['policy', 'cost USD', '× clairvoyant', '× any schedule', 'wait p50 s', 'wait p95 s', 'wait max s', 'util cpu', 'util mem', 'util gpu', 'nodes', 'API calls/job', 'succeeded', 'wall s'],
    numeric: [false, ...Array<boolean>(13).fill(true)],
    rows: report.runs.map((run) => [
      run.completed ? run.policy : `${run.policy} (unfinished)`,
      run.totalCostUsd.toFixed(2),
      ratio(run.costOverClairvoyant),
      ratio(run.costOverAnySchedule),
      run.waitSeconds.p50.toFixed(0),
      run.waitSeconds.p95.toFixed(0),
      run.waitSeconds.max.toFixed(0),
      percent(run.utilization.cpu),
      percent(run.utilization.memoryMiB),
      percent(run.utilization.gpu),
      String(run.nodesLaunched.total),
      run.apiCallsPerJob.toFixed(2),
      `${run.succeeded}/${run.jobs}`,
      run.wallSeconds.toFixed(1),
    ]),
  };
}
