// Where the CLI writes. main() takes these so tests can capture output; the binary
// passes the process streams.

export interface TextSink {
  write(text: string): unknown;
}

export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };
