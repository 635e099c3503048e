// `loadmaster run --config FILE [--demo] [--time-scale N] [--exit-when-idle] [--watch]`:
// the daemon on the config's cloud and queue (the embedded simulation and memory queue,
// or ECS/EC2 and SQS), with the HTTP endpoints. SIGTERM/SIGINT stop it gracefully; SIGHUP
// (and --watch) reload the config, keeping the old one when the new one is invalid.
import type { LoadmasterConfig } from '../../config/config-schema.ts';
import { formatIssue, InputError } from '../../config/input-issues.ts';
import { loadConfigFile } from '../../config/load-config.ts';
import { realClock } from '../../clock/real-clock.ts';
import { scaledClock } from '../../clock/scaled-clock.ts';
import { createDaemon, type Daemon, type EmbeddedBackends } from '../../daemon/daemon.ts';
import { runDemoStream } from '../../daemon/demo-stream.ts';
import { createLogger } from '../../log/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { CliIo } from '../cli-io.ts';
import { watchFile } from '../watch-file.ts';
import { EXIT_INTERNAL, EXIT_USAGE, reportInputError } from '../report-input-error.ts';

export interface RunOptions {
  readonly config: string;
  readonly demo?: boolean;
  readonly timeScale?: string;
  readonly exitWhenIdle?: boolean;
  readonly watch?: boolean;
}

/** The process signals run listens to; tests pass their own emitter. */
export interface SignalSource {
  on(signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP', listener: () => void): unknown;
  off(signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP', listener: () => void): unknown;
}

/** The demo runs 60 times faster than real time unless told otherwise. */
const DEMO_TIME_SCALE = 60;

export async function runDaemon(options: RunOptions, io: CliIo, signals: SignalSource = process): Promise<number> {
  // SIGHUP's default action kills the process: while starting and stopping there is no config
  // to reload, so it is ignored then rather than ending the daemon with held jobs.
  const ignore = (): void => undefined;
  signals.on('SIGHUP', ignore);
  try {
    return await startAndServe(options, io, signals);
  } finally {
    signals.off('SIGHUP', ignore);
  }
}

async function startAndServe(options: RunOptions, io: CliIo, signals: SignalSource): Promise<number> {
  let config: LoadmasterConfig;
  try {
    config = await loadConfigFile(options.config);
  } catch (error) {
    if (error instanceof InputError) return reportInputError(io, error);
    throw error;
  }
  const scale = options.timeScale === undefined ? (options.demo ? DEMO_TIME_SCALE : 1) : Number(options.timeScale);
  if (!(scale > 0) || !Number.isFinite(scale)) {
    io.stderr.write(`--time-scale: expected a number > 0, got "${options.timeScale}"\n`);
    return EXIT_USAGE;
  }
  const embeddedOnly = embeddedOnlyProblem(options, config, scale);
  if (embeddedOnly !== undefined) {
    io.stderr.write(`${options.config}: ${embeddedOnly}\n`);
    return EXIT_USAGE;
  }
  const clock: Clock = scale === 1 ? realClock : scaledClock(scale);
  const logger = createLogger(config.log.level, { write: (line: string) => void io.stdout.write(line) });
  let daemon: Daemon;
  try {
    daemon = await createDaemon(config, clock, logger, { source: options.config });
  } catch (error) {
    if (error instanceof InputError) return reportInputError(io, error);
    // The cloud could not be reached or asked (credentials, region, permissions): say so, no stack.
    io.stderr.write(`${options.config}: cannot start: ${(error as Error).message}\n`);
    if (process.env['LOADMASTER_DEBUG'] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT_INTERNAL;
  }
  try {
    await daemon.server.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    io.stderr.write(`${options.config}: server: cannot listen on ${config.server.host}:${config.server.port} (${(error as Error).message}); expected a free port (set server.port, 0 picks one)\n`);
    return EXIT_USAGE;
  }
  logger.info({ address: daemon.server.addresses(), timeScale: scale }, `loadmaster running: metrics at http://${config.server.host}:${portOf(daemon)}/metrics, state at /v1/state`);
  daemon.controller.start();

  const stopped = new AbortController();
  const finished = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (why: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason: why }, 'stopping: handing held jobs back to the queue');
      stopped.abort();
      signals.off('SIGHUP', onReload);
      void daemon.stop().then(() => {
        for (const signal of ['SIGTERM', 'SIGINT'] as const) signals.off(signal, onStop);
        resolve(0);
      });
    };
    // A second SIGTERM or SIGINT while stopping is taken as the first: the stop finishes, handing jobs back.
    const onStop = (): void => (stopping ? logger.warn('already stopping: handing held jobs back first') : stop('signal'));
    const onReload = (): void => void reload(daemon, options.config, logger);
    signals.on('SIGTERM', onStop);
    signals.on('SIGINT', onStop);
    signals.on('SIGHUP', onReload);
    if (options.watch) watchFile(options.config, onReload, stopped.signal);
    const sim = daemon.sim;
    if (options.demo && sim !== undefined) {
      const stream = runDemoStream(daemon.controller, config, clock, stopped.signal);
      if (options.exitWhenIdle) {
        void stream.then(async () => {
          await waitUntilIdle(daemon, sim, config, stopped.signal);
          if (!stopped.signal.aborted) {
            printSummary(sim, clock, io);
            stop('demo finished and the fleet is idle');
          }
        });
      }
    }
  });
  return finished;
}

async function reload(daemon: Daemon, file: string, logger: ReturnType<typeof createLogger>): Promise<void> {
  try {
    // The controller logs the reload as a decision; one event, one line.
    daemon.reload(await loadConfigFile(file));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // The old configuration stays; every issue is logged.
    logger.error({ file, issues: error.issues.map((i) => formatIssue(error.source, i)) }, 'new configuration refused; keeping the old one');
  }
}

/** No job held or running, and no node beyond the warm minimum. */
async function waitUntilIdle(daemon: Daemon, sim: EmbeddedBackends, config: LoadmasterConfig, signal: AbortSignal): Promise<void> {
  const warm = Object.values(config.controller.warmNodes).reduce((a, b) => a + b, 0);
  while (!signal.aborted) {
    const view = daemon.controller.view();
    if (view.pending.length === 0 && view.running.length === 0 && view.nodes.length <= warm && sim.queue.depth() === 0) return;
    await realClock.sleep(500, signal).catch(() => undefined);
  }
}

function printSummary(sim: EmbeddedBackends, clock: Clock, io: CliIo): void {
  const tasks = sim.cloud.tasks();
  const succeeded = tasks.filter((t) => t.state === 'STOPPED' && t.exitCode === 0).length;
  const instances = sim.cloud.instances();
  const types = [...new Set(instances.map((i) => i.type))].sort();
  const simulatedMinutes = (clock.now() - Math.min(...instances.map((i) => i.launchedAt), clock.now())) / 60_000;
  io.stderr.write(
    `\ndemo finished: ${succeeded} jobs succeeded, ${tasks.length - succeeded} failed or retried; ` +
      `${instances.length} instances launched (${types.join(', ')}), all idle ones terminated; ` +
      `cost $${(sim.cloud.costSoFar() ?? 0).toFixed(2)} over ${simulatedMinutes.toFixed(0)} simulated minutes; ` +
      `${sim.queue.deadLetters().length} dead-lettered\n`,
  );
}

/**
 * The demo feeds the embedded queue and summarises the simulated bill; a time scale other
 * than 1 only makes sense where the cloud runs on the same clock. AWS runs in real time.
 */
function embeddedOnlyProblem(options: RunOptions, config: LoadmasterConfig, scale: number): string | undefined {
  if (options.demo && (config.cloud.kind !== 'sim' || config.queue.kind !== 'memory')) {
    return `--demo runs only on the embedded backends (cloud.kind: sim, queue.kind: memory); this config has cloud.kind: ${config.cloud.kind}, queue.kind: ${config.queue.kind}. Submit real jobs with \`loadmaster submit\` or to the SQS queue instead`;
  }
  if (scale !== 1 && config.cloud.kind !== 'sim') {
    return `--time-scale ${scale}: expected 1 with cloud.kind: ${config.cloud.kind} (AWS runs in real time); only the simulated cloud can run faster`;
  }
  return undefined;
}

function portOf(daemon: Daemon): number | string {
  const address = daemon.server.addresses()[0];
  return typeof address === 'object' ? address.port : '?';
}
