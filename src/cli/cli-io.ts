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
 * What the binary does when its standard output fails: a reader that went away (`| head`)
 * ends the run quietly with exit 0, as Unix tools do; any other failure (a full disk) is one
 * line on stderr and exit 1, never an unhandled 'error' event with a stack.
 */
export function endOnOutputErrors(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`loadmaster: cannot write the output: ${error.code ?? error.message}\n`);
    process.exit(1);
  });
}
