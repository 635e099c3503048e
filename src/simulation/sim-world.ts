// The parts of one simulated daemon, wired from a config: the simulated cloud, the
// in-memory queue, and controllers on them. runSimulation and the tests' harness both
// build on this, so the composition exists once. No I/O: all time comes from the clock.
import { MemoryJobSource } from '../adapters/memory-queue/memory-job-source.ts';
import { SimCloud, type SimCloudOptions } from '../adapters/sim/sim-cloud.ts';
import type { LoadmasterConfig } from '../config/config-schema.ts';
import { catalogFromConfig, policyFromConfig } from '../config/config-to-core.ts';
import { Controller, type ControllerDeps, type JobRules } from '../controller/controller.ts';
import type { ControllerSettings } from '../controller/controller-settings.ts';
import type { InstanceType } from '../core/catalog/instance-type.ts';
import { jobRulesFromConfig } from '../daemon/job-rules.ts';
import { simTaskBehaviour } from '../daemon/sim-task-behaviour.ts';
import type { Logger } from '../log/logger.ts';
import { createMetrics, type LoadmasterMetrics } from '../metrics/metrics.ts';
import type { Clock } from '../ports/clock.ts';
import type { Cloud } from '../ports/cloud.ts';
import { realClock } from '../clock/real-clock.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';

export interface SimWorldOptions {
  readonly config: LoadmasterConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Laid over the config's `controller` section. */
  readonly settings?: Partial<ControllerSettings>;
  /** Laid over the config's `cloud.sim` section; `taskBehaviour` replaces the config's durations and failure rate. */
  readonly sim?: Partial<Omit<SimCloudOptions, 'clock' | 'catalog'>>;
}

export interface SimWorld {
  readonly catalog: readonly InstanceType[];
  readonly cloud: SimCloud;
  readonly queue: MemoryJobSource;
  readonly rules: JobRules;
  readonly settings: ControllerSettings;
  /**
   * A controller on this cloud and queue. A second one is how a restart looks; each gets
   * metrics of its own unless some are given. `cloud` puts a wrapper of this world's cloud
   * between the controller and it (one that watches the calls, say); `plan` replaces loadmaster's planner (a peer policy).
   */
  newController(options?: { readonly metrics?: LoadmasterMetrics; readonly cloud?: Cloud; readonly plan?: ControllerDeps['plan'] }): Controller;
}

export function buildSimWorld(options: SimWorldOptions): SimWorld {
  const { config, clock, logger } = options;
  const catalog = catalogFromConfig(config);
  const cloud = new SimCloud({ clock, catalog, ...config.cloud.sim, taskBehaviour: simTaskBehaviour(config.cloud.sim), ...options.sim });
  const queue = new MemoryJobSource({ clock, ...config.queue.memory });
  const rules = jobRulesFromConfig(config, catalog);
  const settings: ControllerSettings = { ...config.controller, ...options.settings };
  const policy = policyFromConfig(config);
  return {
    catalog,
    cloud,
    queue,
    rules,
    settings,
    newController: ({ metrics = createMetrics(), cloud: seen = cloud, plan } = {}) =>
      new Controller({ clock, cloud: seen, queue, catalog, policy, settings, rules, logger, metrics, ...(plan ? { plan } : {}) }),
  };
}

/** Stops a controller while driving the virtual clock: its in-flight calls need time to pass. */
export async function stopOnVirtualClock(clock: VirtualClock, controller: Controller, options: { readonly handBack?: boolean } = {}): Promise<void> {
  let stopped = false;
  const stopping = controller.stop(options).then(() => void (stopped = true));
  for (let rounds = 0; !(await clock.runUntil(() => stopped, STOP_ROUND_MS)); rounds++) {
    // No timer left to fire within the round, or too many: the stop may still wait on real I/O
    // (a spool file). Awaiting it bare could leave nothing to wake the process (Node exits 13).
    const settled = await Promise.race([stopping.then(() => true), realClock.sleep(REAL_WAIT_MS).then(() => false)]);
    if (settled) break;
    if (rounds + 1 >= STOP_ROUNDS) {
      throw new Error(`simulation: the controller did not stop within ${(STOP_ROUNDS * STOP_ROUND_MS) / 86_400_000} simulated days of the end (a cloud call still in flight?)`);
    }
  }
  await stopping;
}

/** How much virtual time a stopping controller gets per round to finish its in-flight calls, and how many rounds. */
const STOP_ROUND_MS = 600_000;
const STOP_ROUNDS = 1008;
/** Real time a round waits for I/O the virtual clock does not drive. */
const REAL_WAIT_MS = 50;
