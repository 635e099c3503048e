import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process, capturing what it writes. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  return runCliWithStdin(undefined, ...argv);
}

/** Runs the CLI in-process with `stdin` as its standard input (undefined: none). */
export async function runCliWithStdin(stdin: string | undefined, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    ...(stdin === undefined ? {} : { stdin: chunks(stdin) }),
  });
  return { code, stdout, stderr };
}

/** Standard input as a stream delivers it: bytes, in pieces (a split may fall inside a character). */
async function* chunks(text: string): AsyncIterable<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let start = 0; start < bytes.length; start += 7) yield bytes.slice(start, start + 7);
}

/** Writes `files` into a fresh temporary directory and returns their paths by name. */
export async function writeTempFiles(files: Record<string, string>): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'loadmaster-cli-'));
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(dir, name);
    await writeFile(paths[name], text);
  }
  return paths;
}
