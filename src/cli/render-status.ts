// The human-readable form of the daemon's state, as `loadmaster status` prints it:
// why jobs wait (identical reasons grouped), the fleet, running jobs, recent decisions
// and what it all costs.
import type { ControllerView, NodeLifecycle, NodeView, PendingJobView } from '../controller/controller-view.ts';
import { DIMENSIONS, type Dimension } from '../core/resources.ts';
import { renderTable } from './render-table.ts';
import { count, formatDuration, usdPerHour } from './text-format.ts';

/** How many recent decisions the status shows. */
export const RECENT_DECISIONS_SHOWN = 10;
/** Job ids named per pending group; the rest are counted. */
const EXAMPLE_JOBS = 3;

const STATE_ORDER: readonly NodeLifecycle[] = ['registered', 'launching', 'draining', 'terminating', 'failed'];
const DIMENSION_HEADERS: { readonly [D in Dimension]: string } = { cpu: 'CPU', memoryMiB: 'MEMORY', gpu: 'GPU' };

export function renderStatus(view: ControllerView, url: string): string {
  const sections = [renderHeader(view, url), renderPending(view.pending), renderNodes(view.nodes), renderRunning(view), renderDecisions(view)];
  return `${sections.join('\n\n')}\n`;
}

function renderHeader(view: ControllerView, url: string): string {
  const readiness = view.ready ? 'ready' : 'not ready (first sync with the cloud not done)';
  const spent = view.costSoFar === undefined ? '' : `; spent so far $${view.costSoFar.toFixed(2)}`;
  const alive = view.nodes.filter((node) => node.state !== 'failed').length;
  return `loadmaster at ${url}: ${readiness}, ${clockTime(view.now)} UTC\nHourly cost: ${usdPerHour(view.hourlyCost)} for ${count(alive, 'node')}${spent}`;
}

interface PendingGroup {
  readonly reason: string;
  readonly jobs: PendingJobView[];
}

function renderPending(pending: readonly PendingJobView[]): string {
  if (pending.length === 0) return 'Pending jobs: none';
  const groups = new Map<string, PendingGroup>();
  for (const job of pending) {
    const reason = pendingReason(job);
    const group = groups.get(reason) ?? { reason, jobs: [] };
    group.jobs.push(job);
    groups.set(reason, group);
  }
  const longestWait = (group: PendingGroup): number => Math.max(...group.jobs.map((job) => job.waitingSeconds));
  const sorted = [...groups.values()].sort((a, b) => b.jobs.length - a.jobs.length || longestWait(b) - longestWait(a));
  const rows = sorted.map((group) => [String(group.jobs.length), formatDuration(longestWait(group)), `${group.reason} (${examples(group.jobs)})`]);
  const table = renderTable([{ header: 'JOBS', align: 'right' }, { header: 'LONGEST WAIT' }, { header: 'REASON' }], rows);
  return [`Pending jobs (${pending.length})`, ...table].join('\n');
}

/** One line per distinct reason: jobs bound to the same node, or with the same wait code and message, share it. */
function pendingReason(job: PendingJobView): string {
  if (job.boundTo !== undefined) return `bound to ${job.boundTo}, waiting for it to start the job`;
  if (job.reason) return `[${job.reason.code}] ${job.reason.message}`;
  return 'not planned yet';
}

function examples(jobs: readonly PendingJobView[]): string {
  const longestFirst = [...jobs].sort((a, b) => b.waitingSeconds - a.waitingSeconds).map((job) => job.jobId);
  const named = longestFirst.slice(0, EXAMPLE_JOBS).join(', ');
  return longestFirst.length > EXAMPLE_JOBS ? `${named} and ${longestFirst.length - EXAMPLE_JOBS} more` : named;
}

function renderNodes(nodes: readonly NodeView[]): string {
  if (nodes.length === 0) return 'Nodes: none';
  const sorted = [...nodes].sort(
    (a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || a.type.localeCompare(b.type) || a.id.localeCompare(b.id),
  );
  const rows = sorted.map((node) => [
    node.id,
    node.type,
    node.state,
    ...DIMENSIONS.map((dimension) => allocationPercent(node, dimension)),
    String(node.tasks),
    String(node.boundJobs),
    node.idleSeconds === undefined ? '-' : formatDuration(node.idleSeconds),
    usdPerHour(node.pricePerHour),
  ]);
  const table = renderTable(
    [
      { header: 'ID' },
      { header: 'TYPE' },
      { header: 'STATE' },
      ...DIMENSIONS.map((dimension) => ({ header: DIMENSION_HEADERS[dimension], align: 'right' as const })),
      { header: 'TASKS', align: 'right' },
      { header: 'BOUND', align: 'right' },
      { header: 'IDLE', align: 'right' },
      { header: 'PRICE', align: 'right' },
    ],
    rows,
  );
  return [`Nodes (${nodes.length}; allocation in % of allocatable)`, ...table].join('\n');
}

/** "75%", or "-" for a dimension the node does not have (GPU on a CPU type). */
function allocationPercent(node: NodeView, dimension: Dimension): string {
  const allocatable = node.allocatable[dimension];
  if (allocatable <= 0) return '-';
  return `${Math.round((node.allocated[dimension] / allocatable) * 100)}%`;
}

function renderRunning(view: ControllerView): string {
  if (view.running.length === 0) return 'Running jobs: none';
  const byAlgorithm = new Map<string, number>();
  for (const job of view.running) byAlgorithm.set(job.algorithm, (byAlgorithm.get(job.algorithm) ?? 0) + 1);
  const breakdown = [...byAlgorithm].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([algorithm, jobs]) => `${algorithm} ${jobs}`);
  return `Running jobs: ${view.running.length} (${breakdown.join(', ')})`;
}

function renderDecisions(view: ControllerView): string {
  const shown = view.recentDecisions.slice(-RECENT_DECISIONS_SHOWN);
  if (shown.length === 0) return 'Recent decisions: none';
  const rows = shown.map((decision) => [clockTime(decision.at), decision.kind, decision.message]);
  const title = shown.length < view.recentDecisions.length ? `Recent decisions (last ${shown.length} of ${view.recentDecisions.length})` : `Recent decisions (${shown.length})`;
  return [title, ...renderTable([{ header: 'TIME' }, { header: 'KIND' }, { header: 'MESSAGE' }], rows)].join('\n');
}

/** "10:04:48" in UTC: decisions are recent, so the time of day is enough. */
function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
