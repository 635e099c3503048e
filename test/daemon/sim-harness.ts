// A whole daemon on the simulated cloud and the in-memory queue, in virtual time: the
// real controller, planner, sim and queue, nothing mocked.
import pino, { type Logger } from 'pino';
import type { LoadmasterConfig } from '../../src/config/config-schema.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import type { SimCloud } from '../../src/adapters/sim/sim-cloud.ts';
import type { SimCloudOptions } from '../../src/adapters/sim/sim-options.ts';
import type { MemoryJobSource } from '../../src/adapters/memory-queue/memory-job-source.ts';
import { VirtualClock } from '../../src/clock/virtual-clock.ts';
import type { Controller } from '../../src/controller/controller.ts';
import type { ControllerSettings } from '../../src/controller/controller-settings.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import { buildSimWorld, stopOnVirtualClock, type SimWorld } from '../../src/simulation/sim-world.ts';

export const TEST_CONFIG = `
catalog:
  include: ["c7g.*", "m7g.*", "r7g.*", "c7i.*", "g5.*", "g6.*"]
policy:
  maxInstances: 50
  maxHourlyCost: 100
algorithms:
  segment:
    image: seg:1
    resources: { cpu: 1024, memoryMiB: 2048 }
    retry: { attempts: 2 }
  stitch:
    image: stitch:1
    resources: { cpu: 4096, memoryMiB: 60000 }
  infer:
    image: infer:1
    resources: { cpu: 4096, memoryMiB: 12000, gpu: 1 }
`;

export const DURATIONS: Record<string, number> = { segment: 120, stitch: 600, infer: 300 };


export interface Harness {
  readonly clock: VirtualClock;
  readonly cloud: SimCloud;
  readonly queue: MemoryJobSource;
  readonly newController: () => Controller;
  readonly logLines: string[];
  /** The parsed config, the logger writing `logLines` and the world: for a test that builds its own controller. */
  readonly config: LoadmasterConfig;
  readonly logger: Logger;
  readonly world: SimWorld;
}

export interface HarnessOptions {
  /** The YAML config (default TEST_CONFIG). */
  readonly config?: string;
  readonly settings?: Partial<ControllerSettings>;
  readonly sim?: Partial<SimCloudOptions>;
  /** Run time of every task, or per job (default: by its algorithm, DURATIONS, else 60 s). */
  readonly taskSeconds?: number | ((jobId: string) => number);
  /** How each attempt exits (default 0). */
  readonly exitCode?: (jobId: string, attempt: number) => number;
}

export function buildHarness(options: HarnessOptions = {}): Harness {
  const clock = new VirtualClock();
  const logLines: string[] = [];
  const config = parseConfig(options.config ?? TEST_CONFIG, 'test.yaml');
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const world = buildSimWorld({
    config,
    clock,
    logger,
    // The config's own defaults (controller section absent), with the test's overrides.
    ...(options.settings ? { settings: options.settings } : {}),
    sim: {
      bootSeconds: 40,
      bootJitterSeconds: 10,
      taskBehaviour: (spec) => ({ durationSeconds: (typeof options.taskSeconds === 'function' ? options.taskSeconds(spec.jobId) : options.taskSeconds) ?? DURATIONS[spec.algorithm] ?? 60, exitCode: options.exitCode?.(spec.jobId, spec.attempt) ?? 0 }),
      ...options.sim,
    },
  });
  return { clock, cloud: world.cloud, queue: world.queue, newController: () => world.newController(), logLines, config, logger, world };
}

/** Stops a controller while driving the virtual clock (its in-flight calls need time to pass). */
export async function stopDriving(h: Harness, controller: Controller, options: { handBack?: boolean } = {}): Promise<void> {
  await stopOnVirtualClock(h.clock, controller, options);
}

export function job(jobId: string, algorithm: string, extra: Partial<JobMessage> = {}): JobMessage {
  return { version: 1, jobId, algorithm, inputs: [`s3://bucket/in/${jobId}.tif`], outputPrefix: `s3://bucket/out/${jobId}/`, env: {}, priority: 0, attempt: 1, ...extra };
}

/** Jobs of the burst whose last attempt finished successfully in the sim. */
export function succeeded(cloud: SimCloud, jobIds: readonly string[]): string[] {
  const ok = new Set(cloud.tasks().filter((t) => t.state === 'STOPPED' && t.exitCode === 0).map((t) => t.jobId));
  return jobIds.filter((id) => ok.has(id));
}
