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
  const giveUpAt = clock.now() + STOP_WITHIN_MS;
  let realWaitMs = 0;
  while (!stopped) {
    const next = clock.pendingTimers()[0];
    if (next !== undefined && next <= giveUpAt) {
      // Up to the next timer only: time moves as far as something in flight needs, no further.
      await clock.runUntil(() => stopped, next - clock.now());
      continue;
    }
    // Nothing due on the virtual clock: the stop waits on real I/O (a spool file), or on
    // nothing at all. Awaiting it bare could leave nothing to wake the process (Node exits 13).
    if (await Promise.race([stopping.then(() => true), realClock.sleep(REAL_WAIT_MS).then(() => false)])) break;
    realWaitMs += REAL_WAIT_MS;
    if (realWaitMs >= MAX_REAL_WAIT_MS) {
      throw new Error(
        `simulation: the controller did not stop: nothing due within ${STOP_WITHIN_MS / 86_400_000} days of virtual time, and ${MAX_REAL_WAIT_MS / 1000} s of real time brought no progress`,
      );
    }
  }
  await stopping;
}

/** How far virtual time may run on for a stopping controller's in-flight calls. */
const STOP_WITHIN_MS = 7 * 86_400_000;
/** Real time one look for I/O the virtual clock does not drive waits, and all of them together. */
const REAL_WAIT_MS = 50;
const MAX_REAL_WAIT_MS = 30_000;
