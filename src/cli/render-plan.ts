// The human-readable form of a Plan, as `loadmaster plan` prints it: what starts now,
// what waits for launching nodes, what gets launched, what keeps waiting and why.
import type { Plan, PlannerInput } from '../core/planner/plan-types.ts';
import { count, usdPerHour } from './text-format.ts';

/** A reason shared by at least this many jobs is printed once, with a count. */
const GROUP_REASONS_FROM = 3;
const LINE_WIDTH = 100;

export function renderPlan(plan: Plan, input: Pick<PlannerInput, 'nodes' | 'catalog'>): string {
  const sections = [
    renderAssignments('Start now', plan.starts, input),
    renderAssignments('Bound to launching nodes', plan.bindings, input),
    renderLaunches(plan, input),
    renderWaiting(plan),
  ].filter((section) => section !== '');
  if (sections.length === 0) sections.push('Nothing to do: no pending jobs.\n');
  return `${sections.join('\n')}\n${renderSummary(plan)}\n`;
}

function renderAssignments(title: string, assignments: Plan['starts'], input: Pick<PlannerInput, 'nodes'>): string {
  if (assignments.length === 0) return '';
  const typeOfNode = new Map(input.nodes.map((node) => [node.id, node.type]));
  const nodeCount = new Set(assignments.map((a) => a.nodeId)).size;
  const jobWidth = Math.max(...assignments.map((a) => a.jobId.length));
  const lines = assignments.map((a) => {
    const type = typeOfNode.get(a.nodeId);
    return `  ${a.jobId.padEnd(jobWidth)}  →  ${a.nodeId}${type ? `  ${type}` : ''}`;
  });
  return `${title} (${count(assignments.length, 'job')} on ${count(nodeCount, 'node')})\n${lines.join('\n')}\n`;
}

function renderLaunches(plan: Plan, input: Pick<PlannerInput, 'catalog'>): string {
  if (plan.launches.length === 0) return '';
  const priceOf = new Map(input.catalog.map((type) => [type.name, type.pricePerHour]));
  const byType = new Map<string, (readonly string[])[]>();
  for (const launch of plan.launches) {
    const instances = byType.get(launch.type) ?? [];
    instances.push(launch.jobIds);
    byType.set(launch.type, instances);
  }
  const typeWidth = Math.max(...[...byType.keys()].map((type) => type.length));
  const countWidth = Math.max(...[...byType.values()].map((instances) => String(instances.length).length));
  const lines: string[] = [];
  for (const [type, instances] of byType) {
    const price = priceOf.get(type);
    lines.push(`  ${String(instances.length).padStart(countWidth)} × ${type.padEnd(typeWidth)}  ${price === undefined ? 'price unknown' : `${usdPerHour(price)} each`}`);
    instances.forEach((jobIds, index) => {
      const label = `      #${index + 1} (${count(jobIds.length, 'job')}): `;
      lines.push(...wrapList(jobIds, label));
    });
  }
  const header = `Launch (${count(plan.launches.length, 'instance')}, ${usdPerHour(plan.launchHourlyCost)})`;
  return `${header}\n${lines.join('\n')}\n`;
}

function renderWaiting(plan: Plan): string {
  if (plan.waiting.length === 0) return '';
  const byMessage = new Map<string, string[]>();
  for (const { jobId, reason } of plan.waiting) {
    const jobs = byMessage.get(reason.message) ?? [];
    jobs.push(jobId);
    byMessage.set(reason.message, jobs);
  }
  const single = [...byMessage.values()].filter((jobs) => jobs.length < GROUP_REASONS_FROM).flat();
  const jobWidth = Math.max(0, ...single.map((jobId) => jobId.length));
  const lines: string[] = [];
  for (const [message, jobs] of byMessage) {
    if (jobs.length >= GROUP_REASONS_FROM) {
      lines.push(`  ${jobs.length} jobs: ${message}`);
      lines.push(...wrapList(jobs, '      '));
    } else {
      for (const jobId of jobs) lines.push(`  ${jobId.padEnd(jobWidth)}  ${message}`);
    }
  }
  return `Waiting (${count(plan.waiting.length, 'job')})\n${lines.join('\n')}\n`;
}

function renderSummary(plan: Plan): string {
  const launched = plan.launches.reduce((sum, launch) => sum + launch.jobIds.length, 0);
  const total = plan.starts.length + plan.bindings.length + launched + plan.waiting.length;
  return (
    `Summary: ${count(total, 'pending job')} — ${plan.starts.length} start now, ` +
    `${plan.bindings.length} bound to launching nodes, ${launched} on ${count(plan.launches.length, 'new instance')}, ` +
    `${plan.waiting.length} waiting; new hourly cost ${usdPerHour(plan.launchHourlyCost)}`
  );
}

/** Items joined by ", ", wrapped under `label` so long job lists stay readable. */
function wrapList(items: readonly string[], label: string): string[] {
  const indent = ' '.repeat(label.length);
  const lines: string[] = [];
  let line = label;
  items.forEach((item, index) => {
    const text = index < items.length - 1 ? `${item},` : item;
    const atLineStart = line === label || line === indent;
    if (!atLineStart && line.length + 1 + text.length > LINE_WIDTH) {
      lines.push(line);
      line = indent + text;
    } else {
      line += atLineStart ? text : ` ${text}`;
    }
  });
  lines.push(line);
  return lines;
}
