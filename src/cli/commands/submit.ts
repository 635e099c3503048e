// `loadmaster submit FILE|- [--url URL]`: sends job messages to a running daemon's
// POST /v1/jobs and says which were accepted and why others were not.
import { formatIssue, InputError } from '../../config/input-issues.ts';
import type { CliIo } from '../cli-io.ts';
import { callDaemon, checkDaemonUrl, DaemonError, reasonOf, reportDaemonError } from '../daemon-client.ts';
import { readJobMessages, type SourcedMessages } from '../read-job-messages.ts';
import { EXIT_USAGE, reportInputError } from '../report-input-error.ts';
import { count } from '../text-format.ts';

export interface SubmitOptions {
  readonly url: string;
}

/** Beyond this many, accepted job ids are counted rather than listed. */
const LIST_ACCEPTED_UP_TO = 10;

export async function runSubmit(file: string, options: SubmitOptions, io: CliIo): Promise<number> {
  let input: SourcedMessages;
  try {
    checkDaemonUrl(options.url);
    input = await readJobMessages(file, io);
  } catch (error) {
    if (error instanceof InputError) return reportInputError(io, error);
    if (error instanceof DaemonError) return reportDaemonError(io, error);
    throw error;
  }

  let response;
  try {
    response = await callDaemon(options.url, 'POST', '/v1/jobs', input.messages);
  } catch (error) {
    if (error instanceof DaemonError) return reportDaemonError(io, error);
    throw error;
  }

  const outcome = submitOutcome(response.body);
  if (!outcome) {
    // The whole request was refused (too large, not JSON): no message was taken.
    const reason = reasonOf(response.body) ?? JSON.stringify(response.body);
    io.stderr.write(`${input.source}: the daemon refused the request (${response.status}): ${reason}\n`);
    return EXIT_USAGE;
  }

  const total = input.messages.length;
  const accepted = outcome.accepted.length;
  const listed = accepted > 0 && accepted <= LIST_ACCEPTED_UP_TO ? `: ${outcome.accepted.join(', ')}` : '';
  io.stdout.write(`accepted ${accepted === total ? count(total, 'job') : `${accepted} of ${count(total, 'job')}`}${listed}\n`);
  for (const { index, reason } of outcome.rejected) {
    io.stderr.write(`${formatIssue(input.source, { path: input.locations[index] ?? `[${index}]`, message: `rejected: ${reason}` })}\n`);
  }
  return outcome.rejected.length === 0 ? 0 : EXIT_USAGE;
}

interface SubmitOutcome {
  readonly accepted: readonly string[];
  readonly rejected: readonly { readonly index: number; readonly reason: string }[];
}

/** The {accepted, rejected} body of 202 and of a 400 that rejected messages; undefined for other answers. */
function submitOutcome(body: unknown): SubmitOutcome | undefined {
  if (typeof body !== 'object' || body === null || !('accepted' in body) || !Array.isArray(body.accepted)) return undefined;
  const accepted = body.accepted.filter((jobId): jobId is string => typeof jobId === 'string');
  const rejectedList: unknown[] = 'rejected' in body && Array.isArray(body.rejected) ? body.rejected : [];
  const rejected = rejectedList.flatMap((entry) =>
    typeof entry === 'object' && entry !== null && 'index' in entry && typeof entry.index === 'number' && 'reason' in entry && typeof entry.reason === 'string'
      ? [{ index: entry.index, reason: entry.reason }]
      : [],
  );
  return { accepted, rejected };
}
