// Where the CLI reads and writes. main() takes these so tests can feed input and
// capture output; the binary passes the process streams.

export interface TextSink {
  write(text: string): unknown;
}

export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** What `-` reads (loadmaster submit -); absent means there is no standard input to read. */
  readonly stdin?: AsyncIterable<string | Uint8Array>;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };

/**
 * Standard output failing must not crash the binary with an unhandled 'error' event. A
 * reader that went away (`| head`) is normal: the command goes on (a daemon keeps running,
 * a report still gets written) and what it prints is dropped. Any other failure (a full
 * disk) is said once on stderr; outputFailed() then makes the exit status 1.
 */
let failedOutput: string | undefined;

export function watchOutputErrors(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || failedOutput !== undefined) return;
    failedOutput = error.code ?? error.message;
    process.stderr.write(`loadmaster: cannot write the output: ${failedOutput}\n`);
    // For a failure seen after main() returned; before, main() returns 1 itself.
    process.exitCode = 1;
  });
}

export function outputFailed(): boolean {
  return failedOutput !== undefined;
}
