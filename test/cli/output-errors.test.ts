import { spawn } from 'node:child_process';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serializeJsonLinesTrace } from '../../src/simulation/traces/json-lines-trace.ts';
import { POLICY_SIM_CONFIG, POLICY_SIM_TRACE } from '../simulation/policy-sim-fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/loadmaster.js', import.meta.url));

/**
 * Runs the binary with its standard output closed by the reader: after the first chunk, as
 * `| head -1` does, or (`at: 'start'`) before anything is written, as `| true` does.
 */
function runClosingStdout(at: 'first-chunk' | 'start', ...argv: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    if (at === 'start') child.stdout.destroy();
    else child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the binary when its output goes away', () => {
  it('ends quietly with exit 0 when the reader closes the pipe (| head)', async () => {
    const { code, stderr } = await runClosingStdout('first-chunk', 'trace', 'synth', '--uploads', '100');
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
    expect(code).toBe(0);
  }, 60_000);

  it('finishes its work when the reader has gone before it prints: simulate still writes its report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loadmaster-epipe-'));
    const trace = join(dir, 'trace.jsonl');
    await writeFile(trace, serializeJsonLinesTrace(POLICY_SIM_TRACE));
    const config = join(dir, 'config.yaml');
    await writeFile(config, POLICY_SIM_CONFIG);
    const { code, stderr } = await runClosingStdout('start', 'simulate', '--trace', trace, '--config', config, '--report', join(dir, 'report'));
    expect(stderr).toContain('report written to');
    expect(code).toBe(0);
    expect((await stat(join(dir, 'report', 'report.html'))).size).toBeGreaterThan(1000);
  }, 60_000);
});
