// What the tests of the whole daemon on moto_server share: polling for an outcome in real
// time, and the daemon's log captured so a time-out can show what the daemon was doing.
import { pino, type Logger } from 'pino';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` answers; on time-out the error carries `explain()` (the daemon's log, say). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, explain: () => string = () => '', timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${explain()}`);
    await sleep(100);
  }
}

export interface DaemonLog {
  readonly logger: Logger;
  /** Every JSON line written, in order (clear it with `lines.length = 0`). */
  readonly lines: string[];
  /** The lines of decisions of one kind ("launch", "adopt", …). */
  decisions(kind: string): string[];
  /** The last 40 lines, for a time-out's message. */
  recent(): string;
}

export function captureDaemonLog(): DaemonLog {
  const lines: string[] = [];
  return {
    logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
    lines,
    decisions: (kind) => lines.filter((line) => line.includes(`"decision":"${kind}"`)),
    recent: () => `the daemon's last log lines:\n${lines.slice(-40).join('')}`,
  };
}
