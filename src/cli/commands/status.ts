// `loadmaster status [--url URL] [--json]`: what a running daemon is doing — why jobs
// wait, the fleet, running jobs, recent decisions and the hourly cost.
import type { ControllerView } from '../../controller/controller-view.ts';
import type { CliIo } from '../cli-io.ts';
import { callDaemon, checkDaemonUrl, DaemonError, reportDaemonError } from '../daemon-client.ts';
import { EXIT_USAGE } from '../report-input-error.ts';
import { renderStatus } from '../render-status.ts';

export interface StatusOptions {
  readonly url: string;
  readonly json?: boolean;
}

export async function runStatus(options: StatusOptions, io: CliIo): Promise<number> {
  let view: ControllerView;
  try {
    checkDaemonUrl(options.url);
    const response = await callDaemon(options.url, 'GET', '/v1/state');
    if (response.status !== 200 || !looksLikeView(response.body)) {
      throw new DaemonError(`GET /v1/state at ${options.url} answered ${response.status} with no controller state; expected a loadmaster daemon there`, EXIT_USAGE);
    }
    view = response.body;
  } catch (error) {
    if (error instanceof DaemonError) return reportDaemonError(io, error);
    throw error;
  }
  io.stdout.write(options.json ? `${JSON.stringify(view, null, 2)}\n` : renderStatus(view, options.url));
  return 0;
}

/** Enough of a ControllerView to render; the daemon is ours, so a deep check would only repeat its types. */
function looksLikeView(body: unknown): body is ControllerView {
  if (typeof body !== 'object' || body === null) return false;
  const view = body as Record<string, unknown>;
  return typeof view['now'] === 'number' && typeof view['hourlyCost'] === 'number' && ['pending', 'nodes', 'running', 'recentDecisions'].every((key) => Array.isArray(view[key]));
}
