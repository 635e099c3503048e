// A small config and trace shared by the tests of runSimulation with a policy, of
// comparePolicies and of `loadmaster simulate`: a few CPU jobs and a GPU job, with
// recorded run times and one first attempt that fails and is worth a retry. The tests of
// runSimulation itself use the same config (`simConfig`) and job messages (`message`).
import { catalogFromConfig } from '../../src/config/config-to-core.ts';
import type { LoadmasterConfig } from '../../src/config/config-schema.ts';
import { chooseFixedTypes } from '../../src/core/policies/fixed-types.ts';
import type { PolicyContext } from '../../src/core/policies/policies.ts';
import { jobRulesFromConfig } from '../../src/daemon/job-rules.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import type { Trace, TraceJob } from '../../src/simulation/traces/trace.ts';

/**
 * The YAML config of the simulation tests: "segment" (CPU) and "infer" (GPU) jobs on c7g, m7g
 * and g5 types, with fixed simulated run times and no failures; `segment` and `infer` each add
 * a line to that algorithm.
 */
export function simConfig(extra: { readonly segment?: string; readonly infer?: string } = {}): string {
  const more = (line: string | undefined) => (line === undefined ? '' : `\n    ${line}`);
  return `
catalog:
  include: ["c7g.*", "m7g.*", "g5.*"]
policy: { maxInstances: 20, maxHourlyCost: 50 }
algorithms:
  segment:
    image: seg:1
    resources: { cpu: 1024, memoryMiB: 2048 }${more(extra.segment)}
  infer:
    image: infer:1
    resources: { cpu: 2048, memoryMiB: 8192, gpu: 1 }${more(extra.infer)}
cloud:
  sim:
    durationSeconds: { segment: 120, infer: 300 }
    failureRate: 0
`;
}

export const POLICY_SIM_CONFIG = simConfig({ segment: 'retry: { attempts: 2 }' });

export function message(jobId: string, algorithm: string, extra: Partial<JobMessage> = {}): JobMessage {
  return {
    version: 1,
    jobId,
    algorithm,
    inputs: [`s3://bucket/in/${jobId}.tif`],
    outputPrefix: `s3://bucket/out/${jobId}/`,
    env: {},
    priority: 0,
    attempt: 1,
    ...extra,
  };
}

/** Six segment jobs and a GPU job at once, four more segment jobs five minutes later; seg-1 fails its first attempt. */
export const POLICY_SIM_JOBS: readonly TraceJob[] = [
  ...Array.from({ length: 6 }, (_, i) => ({ at: 0, message: message(`seg-${i}`, 'segment'), durationSeconds: 60 + 30 * i, exitCode: i === 1 ? 1 : 0 })),
  { at: 0, message: message('inf-0', 'infer'), durationSeconds: 240, exitCode: 0 },
  ...Array.from({ length: 4 }, (_, i) => ({ at: 300 + 5 * i, message: message(`late-${i}`, 'segment'), durationSeconds: 90, exitCode: 0 })),
];

export const POLICY_SIM_TRACE: Trace = { source: 'policy-sim-fixtures', jobs: POLICY_SIM_JOBS, notes: [] };

/** What fleetPolicy needs, built from the config and the trace as comparePolicies does. */
export function policyContext(config: LoadmasterConfig, jobs: readonly TraceJob[]): PolicyContext {
  const catalog = catalogFromConfig(config);
  const rules = jobRulesFromConfig(config, catalog);
  return {
    loadmaster: {
      batch: { idleSeconds: config.controller.batchIdleSeconds, maxSeconds: config.controller.batchMaxSeconds },
      idle: { idleSeconds: config.controller.idleSeconds, evaluationSeconds: 0 },
      consolidation: config.controller.consolidation.enabled,
    },
    fixedTypes: chooseFixedTypes(
      jobs.map(({ message: m }) => ({ algorithm: m.algorithm, ...rules.demandAndConstraints(m) })),
      catalog,
    ),
  };
}
