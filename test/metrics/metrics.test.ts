import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.ts';

const EXPECTED_NAMES = [
  'loadmaster_jobs_received_total',
  'loadmaster_jobs_started_total',
  'loadmaster_jobs_finished_total',
  'loadmaster_jobs_rejected_total',
  'loadmaster_jobs_pending',
  'loadmaster_job_wait_seconds',
  'loadmaster_nodes',
  'loadmaster_nodes_launched_total',
  'loadmaster_nodes_terminated_total',
  'loadmaster_allocatable_resources',
  'loadmaster_requested_resources',
  'loadmaster_hourly_cost_dollars',
  'loadmaster_plan_duration_seconds',
  'loadmaster_cloud_api_calls_total',
  'loadmaster_cloud_throttles_total',
];

describe('createMetrics', () => {
  it('registers every loadmaster metric, and only those unless asked', () => {
    const metrics = createMetrics();
    const names = metrics.registry.getMetricsAsArray().map((metric) => metric.name);
    expect(names.sort()).toEqual([...EXPECTED_NAMES].sort());
  });

  it('exposes the text format with the documented names and labels', async () => {
    const metrics = createMetrics();
    metrics.jobsReceived.inc(3);
    metrics.jobsFinished.inc({ outcome: 'retried' });
    metrics.jobsPending.set({ reason: 'max-hourly-cost' }, 4);
    metrics.jobWaitSeconds.observe(42);
    metrics.nodes.set({ type: 'c7g.large', state: 'registered' }, 2);
    metrics.nodesLaunched.inc({ type: 'c7g.large' });
    metrics.nodesTerminated.inc({ reason: 'idle' });
    metrics.allocatableResources.set({ dimension: 'cpu' }, 4096);
    metrics.hourlyCostDollars.set(0.1632);
    metrics.planDurationSeconds.observe(0.004);
    metrics.cloudApiCalls.inc({ operation: 'launch', outcome: 'throttled' });
    metrics.cloudThrottles.inc({ operation: 'launch' });
    const text = await metrics.registry.metrics();
    for (const name of EXPECTED_NAMES) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('loadmaster_jobs_received_total 3');
    expect(text).toContain('loadmaster_jobs_finished_total{outcome="retried"} 1');
    expect(text).toContain('loadmaster_jobs_pending{reason="max-hourly-cost"} 4');
    expect(text).toContain('loadmaster_job_wait_seconds_bucket{le="60"} 1');
    expect(text).toContain('loadmaster_nodes{type="c7g.large",state="registered"} 2');
    expect(text).toContain('loadmaster_cloud_api_calls_total{operation="launch",outcome="throttled"} 1');
    expect(text).toContain('loadmaster_hourly_cost_dollars 0.1632');
  });

  it('starts the fixed label sets at zero so they show before the first event', async () => {
    const text = await createMetrics().registry.metrics();
    for (const outcome of ['succeeded', 'failed', 'retried', 'dead_lettered']) expect(text).toContain(`loadmaster_jobs_finished_total{outcome="${outcome}"} 0`);
    for (const dimension of ['cpu', 'memoryMiB', 'gpu']) {
      expect(text).toContain(`loadmaster_allocatable_resources{dimension="${dimension}"} 0`);
      expect(text).toContain(`loadmaster_requested_resources{dimension="${dimension}"} 0`);
    }
  });

  it('adds the process metrics when asked, into the given registry', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { processMetrics: true });
    expect(metrics.registry).toBe(registry);
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_total_bytes');
  });

  it('keeps separate registries apart (two daemons in one test process)', () => {
    expect(() => {
      createMetrics();
      createMetrics();
    }).not.toThrow();
  });
});
