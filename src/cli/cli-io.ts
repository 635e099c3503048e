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
