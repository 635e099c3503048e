import { EventEmitter } from 'node:events';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runDaemon, type SignalSource } from '../../src/cli/commands/run.ts';
import { runCli, writeTempFiles } from './cli-test-helpers.ts';

async function exampleConfigOnFreePort(): Promise<string> {
  const example = await readFile(new URL('../../examples/config.yaml', import.meta.url), 'utf8');
  const text = example.replace(/^server:.*$/m, 'server: { host: 127.0.0.1, port: 0 }');
  expect(text).toContain('port: 0');
  return (await writeTempFiles({ 'config.yaml': text }))['config.yaml']!;
}

describe('loadmaster run', () => {
  it('--demo --exit-when-idle runs the example workload to the end on the simulated cloud and exits 0', async () => {
    const config = await exampleConfigOnFreePort();
    const run = await runCli('run', '--config', config, '--demo', '--time-scale', '3000', '--exit-when-idle');
    expect(run.stderr).toMatch(/demo finished: \d+ jobs succeeded/);
    expect(run.code).toBe(0);
    const decisions = run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { decision?: string; msg: string });
    expect(decisions.some((d) => d.decision === 'launch')).toBe(true);
    expect(decisions.some((d) => d.decision === 'start')).toBe(true);
    expect(decisions.some((d) => d.decision === 'drain')).toBe(true);
  }, 60_000);

  it('refuses an invalid config with the reasons and exit code 2', async () => {
    const { 'bad.yaml': bad } = await writeTempFiles({ 'bad.yaml': 'algorithms: {}\npolicy: { maxInstances: -1 }\n' });
    const run = await runCli('run', '--config', bad!);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/policy\.maxInstances/);
  });

  it('keeps the old config when SIGHUP brings an invalid one, applies a valid one, and stops on SIGTERM with exit 0', async () => {
    const config = await exampleConfigOnFreePort();
    const { signals, output, running } = startDaemon({ config, timeScale: '100' });
    await waitFor(() => output().includes('loadmaster running'));

    const original = await readFile(config, 'utf8');
    await writeFile(config, original.replace(/maxInstances: \d+/, 'maxInstances: -5'));
    signals.emit('SIGHUP');
    await waitFor(() => output().includes('new configuration refused'));

    await writeFile(config, original.replace(/maxInstances: \d+/, 'maxInstances: 7'));
    signals.emit('SIGHUP');
    await waitFor(() => output().includes('configuration reloaded'));

    signals.emit('SIGTERM');
    expect(await running).toBe(0);
  }, 30_000);

  it('never leaves SIGHUP, or a second SIGTERM, to their default action (killing the daemon) while it starts or stops', async () => {
    const config = await exampleConfigOnFreePort();
    const { signals, output, running } = startDaemon({ config, timeScale: '100' });
    // Starting: a listener is there before the config is even read.
    expect(signals.listenerCount('SIGHUP')).toBe(1);
    await waitFor(() => output().includes('loadmaster running'));

    signals.emit('SIGTERM');
    // Stopping: SIGHUP and SIGTERM still have listeners, and a second SIGTERM only says so.
    expect(signals.listenerCount('SIGHUP')).toBeGreaterThan(0);
    expect(signals.listenerCount('SIGTERM')).toBeGreaterThan(0);
    signals.emit('SIGHUP');
    signals.emit('SIGTERM');
    expect(await running).toBe(0);
    expect(output()).toContain('already stopping');
    expect(output()).not.toContain('configuration reloaded');
    for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT']) expect(signals.listenerCount(signal)).toBe(0);
  }, 30_000);

  it('--watch reloads once per save, also when a save replaces the file', async () => {
    const config = await exampleConfigOnFreePort();
    const { signals, output, running } = startDaemon({ config, timeScale: '100', watch: true });
    await waitFor(() => output().includes('loadmaster running'));
    const reloads = (): number => output().split('\n').filter((line) => line.includes('configuration reloaded')).length;

    const original = await readFile(config, 'utf8');
    for (const [n, limit] of [7, 8, 9].entries()) {
      // As editors and `sed -i` save: a new file renamed over the old one.
      await writeFile(`${config}.new`, original.replace(/maxInstances: \d+/, `maxInstances: ${limit}`));
      await rename(`${config}.new`, config);
      await waitFor(() => reloads() === n + 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reloads()).toBe(3);

    signals.emit('SIGTERM');
    expect(await running).toBe(0);
  }, 30_000);
});

/** The daemon started in-process on `signals` of its own, its stdout collected. */
function startDaemon(options: Parameters<typeof runDaemon>[0]): { signals: EventEmitter & SignalSource; output: () => string; running: Promise<number> } {
  const signals = new EventEmitter() as EventEmitter & SignalSource;
  let stdout = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => undefined } };
  return { signals, output: () => stdout, running: runDaemon(options, io, signals) };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
