// The Prometheus metrics the controller keeps up to date and GET /metrics exposes.
// Names follow Prometheus conventions (DESIGN.md): `loadmaster_` prefix, base units,
// `_total` counters, `_seconds` histograms, and labels with a small, fixed set of
// values — never a job id or an instance id.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DIMENSIONS } from '../core/resources.ts';
import type { CloudError } from '../ports/cloud.ts';

/** How a job's attempt ended, as counted by jobs_finished_total. */
export const JOB_OUTCOMES = ['succeeded', 'failed', 'retried', 'dead_lettered'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** A cloud call either succeeded or failed with one of the Cloud port's error codes. */
export type CloudCallOutcome = 'ok' | CloudError['code'];

/** Label values are typed here only; prom-client checks label names, not values. */
export interface LoadmasterMetrics {
  readonly registry: Registry;
  /** Valid job messages taken from the queue or submitted. */
  readonly jobsReceived: Counter;
  /** Tasks ECS confirmed as started. */
  readonly jobsStarted: Counter;
  /** Attempts that ended; label outcome: JobOutcome. */
  readonly jobsFinished: Counter<'outcome'>;
  /** Invalid messages (sent to the dead-letter queue or refused at submit). */
  readonly jobsRejected: Counter;
  /** Jobs held and not yet started; label reason: a wait code, "batching", "starting", "bound" or "new" (not planned yet). */
  readonly jobsPending: Gauge<'reason'>;
  /** From first enqueue to task start, in seconds. */
  readonly jobWaitSeconds: Histogram;
  /** Nodes by instance type and lifecycle state. */
  readonly nodes: Gauge<'type' | 'state'>;
  readonly nodesLaunched: Counter<'type'>;
  /** Label reason: why the node went, e.g. "idle", "registration-timeout", "failed". */
  readonly nodesTerminated: Counter<'reason'>;
  /** Sum over registered nodes; label dimension: cpu (units), memoryMiB, gpu. */
  readonly allocatableResources: Gauge<'dimension'>;
  /** Sum over running and bound jobs; label dimension as allocatableResources. */
  readonly requestedResources: Gauge<'dimension'>;
  /** USD per hour of the instances alive now. */
  readonly hourlyCostDollars: Gauge;
  /** Time of one planner run. */
  readonly planDurationSeconds: Histogram;
  /** Labels operation (launch, startTasks, drain, terminate, describe, pollEvents) and outcome: CloudCallOutcome. */
  readonly cloudApiCalls: Counter<'operation' | 'outcome'>;
  readonly cloudThrottles: Counter<'operation'>;
}

export interface MetricsOptions {
  /** Also export Node's process metrics (process_*, nodejs_*, unprefixed as every exporter has them). */
  readonly processMetrics?: boolean;
}

// Jobs wait from seconds (a free slot) to hours (budget or quota); buckets span both.
const JOB_WAIT_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400];
// A plan takes milliseconds for a small queue and may approach seconds for a huge one.
const PLAN_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Registers every loadmaster metric in `registry` (a fresh one by default, so tests never collide). */
export function createMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}): LoadmasterMetrics {
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const metrics: LoadmasterMetrics = {
    registry,
    jobsReceived: new Counter({ name: 'loadmaster_jobs_received_total', help: 'Valid job messages received from the queue.', registers }),
    jobsStarted: new Counter({ name: 'loadmaster_jobs_started_total', help: 'Jobs whose ECS task was confirmed started.', registers }),
    jobsFinished: new Counter({
      name: 'loadmaster_jobs_finished_total',
      help: 'Job attempts that ended, by outcome (succeeded, failed, retried, dead_lettered).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    jobsRejected: new Counter({ name: 'loadmaster_jobs_rejected_total', help: 'Invalid job messages, dead-lettered or refused.', registers }),
    jobsPending: new Gauge({
      name: 'loadmaster_jobs_pending',
      help: 'Jobs held by loadmaster and not yet started, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    jobWaitSeconds: new Histogram({
      name: 'loadmaster_job_wait_seconds',
      help: 'Time from enqueue to task start.',
      buckets: JOB_WAIT_BUCKETS,
      registers,
    }),
    nodes: new Gauge({ name: 'loadmaster_nodes', help: 'Nodes by instance type and lifecycle state.', labelNames: ['type', 'state'] as const, registers }),
    nodesLaunched: new Counter({ name: 'loadmaster_nodes_launched_total', help: 'Instances launched, by type.', labelNames: ['type'] as const, registers }),
    nodesTerminated: new Counter({ name: 'loadmaster_nodes_terminated_total', help: 'Instances terminated, by reason.', labelNames: ['reason'] as const, registers }),
    allocatableResources: new Gauge({
      name: 'loadmaster_allocatable_resources',
      help: 'Allocatable capacity of registered nodes, by dimension (cpu in ECS units, memoryMiB, gpu).',
      labelNames: ['dimension'] as const,
      registers,
    }),
    requestedResources: new Gauge({
      name: 'loadmaster_requested_resources',
      help: 'Resources reserved by running and bound jobs, by dimension (cpu in ECS units, memoryMiB, gpu).',
      labelNames: ['dimension'] as const,
      registers,
    }),
    hourlyCostDollars: new Gauge({ name: 'loadmaster_hourly_cost_dollars', help: 'USD per hour of the instances alive now.', registers }),
    planDurationSeconds: new Histogram({
      name: 'loadmaster_plan_duration_seconds',
      help: 'Time of one planner run.',
      buckets: PLAN_DURATION_BUCKETS,
      registers,
    }),
    cloudApiCalls: new Counter({
      name: 'loadmaster_cloud_api_calls_total',
      help: 'Cloud API calls, by operation and outcome (ok or the error code).',
      labelNames: ['operation', 'outcome'] as const,
      registers,
    }),
    cloudThrottles: new Counter({
      name: 'loadmaster_cloud_throttles_total',
      help: 'Cloud API calls refused by throttling, by operation.',
      labelNames: ['operation'] as const,
      registers,
    }),
  };

  // Series that always exist start at zero, so rate() and dashboards see them before the first event.
  for (const outcome of JOB_OUTCOMES) metrics.jobsFinished.inc({ outcome }, 0);
  for (const dimension of DIMENSIONS) {
    metrics.allocatableResources.set({ dimension }, 0);
    metrics.requestedResources.set({ dimension }, 0);
  }
  return metrics;
}
