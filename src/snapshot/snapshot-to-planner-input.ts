// From a state snapshot plus the config to the planner's input: each job's demand and
// constraints come from its algorithm (narrowed by the job), each node's free capacity
// is what the catalog says it can hold minus what is in use.
import { algorithmConstraints, catalogFromConfig, policyFromConfig } from '../config/config-to-core.ts';
import type { LoadmasterConfig } from '../config/config-schema.ts';
import { closestMatch, describeValue, issueCollector, type InputIssue, type PathSegment } from '../config/input-issues.ts';
import type { LineLocator } from '../config/source-locations.ts';
import type { InstanceType } from '../core/catalog/instance-type.ts';
import { describeConstraints } from '../core/planner/compatibility.ts';
import { shareRuleJobs } from '../core/planner/share-rule.ts';
import type { FleetNode, JobConstraints, PendingJob, PlannerInput } from '../core/planner/plan-types.ts';
import { DIMENSIONS, subtract, type Resources } from '../core/resources.ts';
import { jobDemand } from '../jobs/job-demand.ts';
import { narrowConstraints } from '../jobs/job-constraints.ts';
import { SnapshotError } from './snapshot-error.ts';
import type { SnapshotJob, SnapshotNode, StateSnapshot } from './snapshot-schema.ts';

export interface SnapshotContext {
  /** Names the snapshot in messages; default "snapshot". */
  readonly source?: string;
  readonly locate?: LineLocator;
  /** The catalog built from `config`, when the caller already has it. */
  readonly catalog?: readonly InstanceType[];
}

/** Throws SnapshotError listing every job and node that does not agree with the config. */
export function snapshotToPlannerInput(snapshot: StateSnapshot, config: LoadmasterConfig, context: SnapshotContext = {}): PlannerInput {
  const catalog = context.catalog ?? catalogFromConfig(config);
  const issues: InputIssue[] = [];
  const report = issueCollector(issues, context.locate);

  reportDuplicates(snapshot.pending.map((job) => job.jobId), 'pending', 'jobId', 'job ids', report);
  reportDuplicates(snapshot.nodes.map((node) => node.id), 'nodes', 'id', 'node ids', report);

  const jobs = snapshot.pending.flatMap((job, index) => {
    const converted = toPendingJob(job, ['pending', index], config, catalog, report);
    return converted ? [converted] : [];
  });
  const typesByName = new Map(catalog.map((type) => [type.name, type]));
  const nodes = snapshot.nodes.flatMap((node, index) => {
    const converted = toFleetNode(node, ['nodes', index], typesByName, report, Object.keys(config.controller.warmNodes));
    return converted ? [converted] : [];
  });

  for (const algorithm of Object.keys(snapshot.runTimes)) {
    if (!Object.hasOwn(config.algorithms, algorithm)) {
      report(['runTimes', algorithm], `unknown algorithm ${describeValue(algorithm)}; expected one of the config's algorithms: ${Object.keys(config.algorithms).join(', ')}`);
    }
  }

  if (issues.length > 0) throw new SnapshotError(context.source ?? 'snapshot', issues);
  const algorithmOf = new Map(snapshot.pending.map((job) => [job.jobId, job.algorithm]));
  const withRunTimes = jobs.map((job) => {
    const algorithm = algorithmOf.get(job.id)!;
    return Object.hasOwn(snapshot.runTimes, algorithm) ? { ...job, expectedRunSeconds: snapshot.runTimes[algorithm]! } : job;
  });
  return { jobs: withRunTimes, nodes, catalog, policy: policyFromConfig(config), ...(snapshot.bootSeconds !== undefined ? { expectedBootSeconds: snapshot.bootSeconds } : {}) };
}

type Report = (path: readonly PathSegment[], message: string) => void;

function reportDuplicates(ids: readonly string[], list: string, key: string, what: string, report: Report): void {
  const firstIndex = new Map<string, number>();
  ids.forEach((id, index) => {
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, index);
    else report([list, index, key], `${describeValue(id)} is also ${list}[${first}].${key}; expected unique ${what}`);
  });
}

function toPendingJob(
  job: SnapshotJob,
  path: readonly PathSegment[],
  config: LoadmasterConfig,
  catalog: readonly InstanceType[],
  report: Report,
): PendingJob | undefined {
  const algorithm = Object.hasOwn(config.algorithms, job.algorithm) ? config.algorithms[job.algorithm] : undefined;
  if (!algorithm) {
    const names = Object.keys(config.algorithms);
    const suggestion = closestMatch(job.algorithm, names);
    report(
      [...path, 'algorithm'],
      `unknown algorithm ${describeValue(job.algorithm)} (job ${job.jobId}); expected one of the config's algorithms: ${names.join(', ')}` +
        (suggestion ? `; did you mean "${suggestion}"?` : ''),
    );
    return undefined;
  }

  const demand = jobDemand(algorithm, job.resources);
  const constraints = narrowedConstraints(job, path, algorithmConstraints(algorithm), catalog, report);
  if (!constraints) return undefined;
  return {
    id: job.jobId,
    demand,
    constraints,
    priority: job.priority,
    enqueuedAt: Date.parse(job.enqueuedAt) / 1000,
  };
}

/** The algorithm's constraints, narrowed by the job's instanceTypes; undefined (and reported) when that leaves nothing. */
function narrowedConstraints(
  job: SnapshotJob,
  path: readonly PathSegment[],
  fromAlgorithm: JobConstraints,
  catalog: readonly InstanceType[],
  report: Report,
): JobConstraints | undefined {
  const narrowing = narrowConstraints(fromAlgorithm, job.instanceTypes, catalog);
  if (narrowing.ok) return narrowing.constraints;
  if (narrowing.problem === 'unmatched-patterns') {
    for (const { index, pattern } of narrowing.unmatched) {
      report([...path, 'instanceTypes', index], `${describeValue(pattern)} (job ${job.jobId}) matches no type in the catalog; expected a pattern matching at least one`);
    }
  } else {
    report(
      [...path, 'instanceTypes'],
      `${describeValue(job.instanceTypes)} (job ${job.jobId}) shares no catalog type with what algorithm ${job.algorithm} allows ` +
        `(${describeConstraints(fromAlgorithm)}); expected a narrowing of it`,
    );
  }
  return undefined;
}

function toFleetNode(
  node: SnapshotNode,
  path: readonly PathSegment[],
  typesByName: ReadonlyMap<string, InstanceType>,
  report: Report,
  warmPatterns: readonly string[],
): FleetNode | undefined {
  const type = typesByName.get(node.type);
  if (!type) {
    const suggestion = closestMatch(node.type, [...typesByName.keys()]);
    report(
      [...path, 'type'],
      `${describeValue(node.type)} (node ${node.id}) is not in the catalog; expected a type the config's catalog includes` +
        (suggestion ? `; did you mean "${suggestion}"?` : ''),
    );
    return undefined;
  }
  const used: Resources = node.used;
  let overCommitted = false;
  for (const d of DIMENSIONS) {
    if (used[d] > type.allocatable[d]) {
      report(
        [...path, 'used', d],
        `${used[d]} exceeds the ${type.allocatable[d]} allocatable on ${type.name} (node ${node.id}); expected at most ${type.allocatable[d]}`,
      );
      overCommitted = true;
    }
  }
  if (overCommitted) return undefined;
  // As the daemon gives them: a warm node's count is left out.
  return { id: node.id, type: node.type, state: node.state, free: subtract(type.allocatable, used), ...(node.jobs !== undefined ? shareRuleJobs(node.type, node.jobs, warmPatterns) : {}) };
}
