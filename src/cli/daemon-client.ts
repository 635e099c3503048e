// HTTP calls from the CLI to a running loadmaster daemon (`submit`, `status`). Every
// failure becomes a DaemonError with a sentence the user can act on and an exit code:
// 2 when the user can fix it (wrong URL, daemon not running, request refused), 1 when
// the daemon itself failed.
import type { CliIo } from './cli-io.ts';
import { SUBMIT_BODY_LIMIT_BYTES } from '../server/http-server.ts';
import { EXIT_INTERNAL, EXIT_USAGE } from './report-input-error.ts';

export const DEFAULT_DAEMON_URL = 'http://127.0.0.1:9464';

/** Long enough for a large submit on a busy daemon, short enough not to hang a script. */
const REQUEST_TIMEOUT_MS = 30_000;

export class DaemonError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'DaemonError';
    this.exitCode = exitCode;
  }
}

export interface DaemonResponse {
  readonly status: number;
  /** The parsed JSON body. */
  readonly body: unknown;
}

/** `base` must be an http(s) URL; `path` is appended to its path (so a proxy prefix is kept). */
export async function callDaemon(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<DaemonResponse> {
  const url = endpoint(base, path);
  const payload = body === undefined ? undefined : requestBody(body);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      ...(payload === undefined ? {} : { body: payload, headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new DaemonError(`cannot reach loadmaster at ${base} (${networkReason(error)}); expected a running daemon there (is it started? pass --url to reach another)`, EXIT_USAGE);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DaemonError(`${method} ${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}; expected a loadmaster daemon at ${base}`, EXIT_USAGE);
  }
  if (response.status >= 500) throw new DaemonError(`${method} ${url} failed with ${response.status}: ${reasonOf(parsed) ?? text.slice(0, 200)}`, EXIT_INTERNAL);
  return { status: response.status, body: parsed };
}

/** The body as JSON text, refused here when the daemon would refuse it (too large) or it cannot be written. */
function requestBody(body: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (error) {
    throw new DaemonError(`cannot send the jobs: ${error instanceof Error ? error.message : String(error)}; expected job messages (JSON objects)`, EXIT_USAGE);
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > SUBMIT_BODY_LIMIT_BYTES) {
    throw new DaemonError(`the jobs are ${(bytes / 1024 / 1024).toFixed(1)} MiB as one request; expected at most ${SUBMIT_BODY_LIMIT_BYTES / 1024 / 1024} MiB (split the file and submit the parts)`, EXIT_USAGE);
  }
  return text;
}

/** One line on stderr; returns the exit code. */
export function reportDaemonError(io: CliIo, error: DaemonError): number {
  io.stderr.write(`loadmaster: ${error.message}\n`);
  return error.exitCode;
}

/** The `reason` a loadmaster error body carries, if any. */
export function reasonOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && 'reason' in body && typeof body.reason === 'string' ? body.reason : undefined;
}

/** Checks --url before any request, so a typo reads as a typo rather than a network error. */
export function checkDaemonUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DaemonError(`--url: expected an http:// or https:// URL such as ${DEFAULT_DAEMON_URL}, got ${JSON.stringify(url)}`, EXIT_USAGE);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DaemonError(`--url: expected an http:// or https:// URL such as ${DEFAULT_DAEMON_URL}, got ${JSON.stringify(url)}`, EXIT_USAGE);
  }
}

function endpoint(base: string, path: string): string {
  return new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`).href;
}

/** fetch() says only "fetch failed"; the cause has the useful code. */
function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'unknown host';
  if (code !== undefined) return code;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
