import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { FileWriteSpool } from '../adapters/file-spool/file-write-spool.ts';
import type { LoadmasterConfig } from '../config/config-schema.ts';
import { catalogFromConfig, policyFromConfig } from '../config/config-to-core.ts';
import { InputError } from '../config/input-issues.ts';
import { Controller } from '../controller/controller.ts';
import { createMetrics } from '../metrics/metrics.ts';
import type { Clock } from '../ports/clock.ts';
import type { Cloud } from '../ports/cloud.ts';
import type { JobSource } from '../ports/job-source.ts';
import { buildServer, type LoadmasterServer } from '../server/http-server.ts';
import { buildBackends, type EmbeddedBackends } from './backends.ts';
import { jobRulesFromConfig } from './job-rules.ts';

export type { EmbeddedBackends } from './backends.ts';

/** The running daemon: controller, its cloud and queue, and the HTTP edge. */
export interface Daemon {
  readonly controller: Controller;
  readonly cloud: Cloud;
  readonly queue: JobSource;
  /** The simulated cloud and memory queue, when the config runs on them (`cloud: sim`, `queue: memory`). */
  readonly sim?: EmbeddedBackends;
  readonly server: LoadmasterServer;
  /**
   * Applies a new, already validated config: policy, catalog, controller settings, job
   * rules. Throws InputError, changing nothing, when the running cloud cannot follow it
   * (on AWS: a catalog the AMI chosen at start cannot boot).
   */
  reload(config: LoadmasterConfig): void;
  /** Graceful stop: the controller hands held jobs back, the server closes, connections are released. */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** Names the config in errors (its file path); default "config". */
  readonly source?: string;
}

/**
 * Wires a daemon from a config: the cloud and queue by kind (the embedded simulation and
 * memory queue, or ECS/EC2 and SQS), the controller on them, the HTTP server. On AWS
 * without an AMI or launch template it reads the ECS-optimized AMI from SSM first.
 * Throws InputError when the config cannot run on the chosen cloud.
 */
export async function createDaemon(config: LoadmasterConfig, clock: Clock, logger: Logger, options: DaemonOptions = {}): Promise<Daemon> {
  const source = options.source ?? 'config';
  const catalog = catalogFromConfig(config);
  const backends = await buildBackends(config, catalog, { clock, logger, source });
  const registry = new Registry();
  const metrics = createMetrics(registry, { processMetrics: true });
  const spool = config.controller.spoolFile === undefined ? undefined : new FileWriteSpool(config.controller.spoolFile);
  // Read before anything starts: a spool that cannot be read back stops the start with what is wrong in it.
  const keptWrites = spool === undefined ? [] : await spool.load();
  if (keptWrites.length > 0) logger.info({ spoolFile: config.controller.spoolFile, writes: keptWrites.length }, `${keptWrites.length} retry/dead-letter write(s) kept in the spool from before: writing them first`);
  const controller = new Controller({
    ...(spool !== undefined ? { spool, keptWrites } : {}),
    clock,
    cloud: backends.cloud,
    queue: backends.queue,
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
    cloud: backends.cloud,
    queue: backends.queue,
    ...(backends.sim !== undefined && { sim: backends.sim }),
    server,
    reload(next) {
      const nextCatalog = catalogFromConfig(next);
      const issues = backends.reloadIssues(next, nextCatalog);
      if (issues.length > 0) throw new InputError(source, issues);
      if (next.controller.spoolFile !== config.controller.spoolFile) logger.warn({ spoolFile: next.controller.spoolFile ?? null }, 'controller.spoolFile changed: it takes effect when loadmaster restarts');
      controller.reconfigure({ catalog: nextCatalog, policy: policyFromConfig(next), settings: next.controller, rules: jobRulesFromConfig(next, nextCatalog) });
    },
    async stop() {
      await controller.stop();
      await server.close();
      // The embedded queue (backends.sim) is in memory: what is left in it goes with the process.
      const left = backends.sim?.queue.depth() ?? 0;
      if (left > 0) {
        logger.error({ jobs: left }, `${left} job(s) still in the in-memory queue are lost with this process (queue.kind: memory keeps nothing across a stop; use sqs to keep them)`);
      }
      backends.close();
    },
  };
}
