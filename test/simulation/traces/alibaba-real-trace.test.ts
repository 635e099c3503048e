// The real Alibaba GPU trace, when the shared data is there: it parses, every job fits a
// type of examples/alibaba-config.yaml, and the notes hold the mapping's counts.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { algorithmConstraints, catalogFromConfig } from '../../../src/config/config-to-core.ts';
import { loadConfigFile } from '../../../src/config/load-config.ts';
import { canHold } from '../../../src/core/planner/compatibility.ts';
import { narrowConstraints } from '../../../src/jobs/job-constraints.ts';
import { jobDemand } from '../../../src/jobs/job-demand.ts';
import { checkAgainstConfig } from '../../../src/jobs/validate-job-message.ts';
import { parseAlibabaTrace } from '../../../src/simulation/traces/alibaba-trace.ts';
import type { Trace } from '../../../src/simulation/traces/trace.ts';

const DATA = fileURLToPath(new URL('../../../../shared/data/traces/alibaba-gpu-2023/', import.meta.url));
const FILES = ['openb_pod_list_default.csv', 'openb_pod_list_gpuspec33.csv'];
const present = FILES.every((file) => existsSync(`${DATA}${file}`));
const config = await loadConfigFile(fileURLToPath(new URL('../../../examples/alibaba-config.yaml', import.meta.url)));
const catalog = catalogFromConfig(config);

function read(file: string): Trace {
  return parseAlibabaTrace(readFileSync(`${DATA}${file}`, 'utf8'), file);
}

function expectEveryJobFits(trace: Trace): void {
  const misfits: string[] = [];
  for (const { message } of trace.jobs) {
    const algorithm = config.algorithms[message.algorithm]!;
    const narrowing = narrowConstraints(algorithmConstraints(algorithm), message.instanceTypes, catalog);
    const demand = jobDemand(algorithm, message.resources);
    if (!narrowing.ok || !catalog.some((type) => canHold(type, demand, narrowing.constraints))) misfits.push(message.jobId);
    const problem = checkAgainstConfig(message, config, catalog);
    if (problem !== undefined) misfits.push(`${message.jobId}: ${problem}`);
  }
  expect(misfits).toEqual([]);
}

describe.skipIf(!present)(`the Alibaba GPU trace${present ? '' : ` (skipped: no ${FILES.join(' and ')} under ${DATA})`}`, () => {
  it('openb_pod_list_default.csv: parses, every job fits a type of examples/alibaba-config.yaml, the notes hold the counts', () => {
    const trace = read('openb_pod_list_default.csv');
    expect(trace.jobs).toHaveLength(7255);
    expect(trace.jobs[0]!.at).toBe(0);
    expectEveryJobFits(trace);
    expect(trace.notes).toEqual(
      expect.arrayContaining([
        '8,152 pods read, 7,255 jobs in the trace: 1,052 alibaba-cpu, 6,129 alibaba-gpu, 74 alibaba-multi-gpu',
        '897 pods skipped: never scheduled (phase Pending, no scheduled_time)',
        '0 pods skipped: run time under 1 ms',
        '5,193 pods still Running when the trace was cut: run time up to the cut (deletion_time)',
        '1,870 pods Failed: the first attempt exits 1 (the others exit 0)',
        '2,573 pods with a share of a GPU (gpu_milli < 1000): a whole GPU each, as ECS assigns whole GPUs to tasks',
        '6,203 GPU pods naming no GPU model: any GPU type',
      ]),
    );
    expect(trace.jobs.filter((j) => j.exitCode === 1)).toHaveLength(1870);
  });

  it('openb_pod_list_gpuspec33.csv: GPU models narrow about a third of the GPU pods; every job still fits', () => {
    const trace = read('openb_pod_list_gpuspec33.csv');
    expect(trace.jobs).toHaveLength(7255);
    expectEveryJobFits(trace);
    expect(trace.notes).toEqual(
      expect.arrayContaining([
        '4,111 GPU pods naming no GPU model: any GPU type',
        '1,477 GPU pods narrowed to the instance types of their GPU models (T4 → g4dn.*, A10 → g5.*, V100M16 → p3.*), 336 of them after dropping models with no AWS counterpart',
        '615 GPU pods naming only GPU models with no AWS counterpart: any GPU type',
        'GPU model V100M32 dropped from the lists of 347 pods: its AWS counterpart, p3dn.24xlarge, is not in the built-in catalog',
      ]),
    );
  });
});
