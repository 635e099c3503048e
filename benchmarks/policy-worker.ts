// A worker thread of bench:policies: replays one trace under one policy and posts the run
// back. Runs share nothing, so two cores replay two policies at once.
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import type { LoadmasterConfig } from '../src/config/config-schema.ts';
import type { PolicyName } from '../src/core/policies/fleet-policy.ts';
import { simulatePolicy } from '../src/simulation/compare-policies.ts';
import type { Trace } from '../src/simulation/traces/trace.ts';

export interface PolicyTask {
  readonly config: LoadmasterConfig;
  readonly configName: string;
  readonly trace: Trace;
  readonly policy: PolicyName;
}

parentPort?.on('message', (task: PolicyTask) => {
  simulatePolicy(task.config, task.trace, task.policy, { configName: task.configName, wallClock: () => performance.now() / 1000 }).then(
    // The per-task list is large and the report leaves it out: do not copy it across.
    (run) => parentPort?.postMessage({ ok: true, run: { ...run, report: { ...run.report, tasks: [] } } }),
    (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
