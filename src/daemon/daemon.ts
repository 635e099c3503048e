import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { MemoryJobSource } from '../adapters/memory-queue/memory-job-source.ts';
import { SimCloud } from '../adapters/sim/sim-cloud.ts';
import type { LoadmasterConfig } from '../config/config-schema.ts';
import { catalogFromConfig, policyFromConfig } from '../config/config-to-core.ts';
import { Controller } from '../controller/controller.ts';
import { createMetrics } from '../metrics/metrics.ts';
import type { Clock } from '../ports/clock.ts';
import { buildServer, type LoadmasterServer } from '../server/http-server.ts';
import { jobRulesFromConfig } from './job-rules.ts';
import { simTaskBehaviour } from './sim-task-behaviour.ts';

/** The running daemon: controller, its cloud and queue, and the HTTP edge. */
export interface Daemon {
  readonly controller: Controller;
  readonly cloud: SimCloud;
  readonly queue: MemoryJobSource;
  readonly server: LoadmasterServer;
  /** Applies a new, already validated config: policy, catalog, controller settings, job rules. */
  reload(config: LoadmasterConfig): void;
  /** Graceful stop: the controller hands held jobs back, the server closes. */
  stop(): Promise<void>;
}

/**
 * Wires the embedded default (`cloud: sim`, `queue: memory`) from a config. The AWS
 * adapters plug in here later; nothing else changes.
 */
export function createDaemon(config: LoadmasterConfig, clock: Clock, logger: Logger): Daemon {
  const catalog = catalogFromConfig(config);
  const registry = new Registry();
  const metrics = createMetrics(registry, { processMetrics: true });
  const cloud = new SimCloud({ clock, catalog, ...config.cloud.sim, taskBehaviour: simTaskBehaviour(config.cloud.sim) });
  const queue = new MemoryJobSource({ clock, ...config.queue.memory });
  const controller = new Controller({
    clock,
    cloud,
    queue,
    catalog,
    policy: policyFromConfig(config),
    settings: config.controller,
    rules: jobRulesFromConfig(config, catalog),
    logger,
    metrics,
  });
  const server = buildServer(controller, registry, logger);
  return {
    controller,
    cloud,
    queue,
    server,
    reload(next) {
      const nextCatalog = catalogFromConfig(next);
      controller.reconfigure({ catalog: nextCatalog, policy: policyFromConfig(next), settings: next.controller, rules: jobRulesFromConfig(next, nextCatalog) });
    },
    async stop() {
      await controller.stop();
      await server.close();
    },
  };
}
