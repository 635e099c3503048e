import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/loadmaster.js', import.meta.url));

/** Runs the binary and closes its standard output after the first chunk, as `| head -1` does. */
function runClosingStdout(...argv: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the binary when its output goes away', () => {
  it('ends quietly with exit 0 when the reader closes the pipe (| head)', async () => {
    const { code, stderr } = await runClosingStdout('trace', 'synth', '--uploads', '100');
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
    expect(code).toBe(0);
  }, 60_000);
});
