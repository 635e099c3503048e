// SQS batch actions (SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch)
// take at most 10 entries, and a request that succeeds can still fail entry by entry
// (`Failed` in the response). This runs one action over any number of entries: chunks of
// 10, the failed entries retried once, and whatever still fails reported, never dropped.

/** SQS's limit on entries per batch request (and messages per receive). */
export const SQS_BATCH_LIMIT = 10;

/** Batch requests in flight at once for one call; the SDK's adaptive retry paces the rest. */
const CONCURRENT_BATCH_REQUESTS = 4;

/** Most failures named in an error message; the rest are counted. */
const FAILURES_NAMED = 10;

export interface BatchEntryFailure {
  /** The entry as the caller names it (a job id, a shortened receipt handle). */
  readonly entry: string;
  readonly code: string;
  readonly message: string;
}

/** The part of every SQS batch response this needs. */
export interface BatchResponse {
  readonly Failed?: readonly { readonly Id?: string | undefined; readonly Code?: string | undefined; readonly Message?: string | undefined }[] | undefined;
}

export interface BatchAction<Entry> {
  /** The SQS action, for error messages, e.g. "DeleteMessageBatch". */
  readonly action: string;
  readonly entries: readonly Entry[];
  /** Names an entry in errors. */
  readonly describe: (entry: Entry) => string;
  /** Sends one request; `Id`s are unique within it. */
  readonly send: (entries: readonly (Entry & { readonly Id: string })[]) => Promise<BatchResponse>;
  /** Failures that retrying cannot fix and that are not errors for the caller (stale receipts). */
  readonly isIgnorable?: (failure: { readonly code: string; readonly message: string }) => boolean;
}

/** Entries that still failed after one retry, or whose request failed as a whole. */
export class SqsBatchError extends Error {
  readonly failures: readonly BatchEntryFailure[];

  constructor(action: string, total: number, failures: readonly BatchEntryFailure[], options?: ErrorOptions) {
    const named = failures
      .slice(0, FAILURES_NAMED)
      .map((f) => `${f.entry} (${f.code}: ${f.message})`)
      .join(', ');
    const more = failures.length > FAILURES_NAMED ? ` and ${failures.length - FAILURES_NAMED} more` : '';
    super(`${action}: ${failures.length} of ${total} entries failed (failed entries are retried once): ${named}${more}`, options);
    this.name = 'SqsBatchError';
    this.failures = failures;
  }
}

/**
 * Runs the action over all entries, every chunk even when one fails, then throws an
 * SqsBatchError for what failed. Resolves to the ignorable failures, for the caller to report.
 */
export async function runInBatches<Entry>(batch: BatchAction<Entry>): Promise<readonly BatchEntryFailure[]> {
  const chunks: Entry[][] = [];
  for (let start = 0; start < batch.entries.length; start += SQS_BATCH_LIMIT) chunks.push(batch.entries.slice(start, start + SQS_BATCH_LIMIT));

  const failed: BatchEntryFailure[] = [];
  const ignored: BatchEntryFailure[] = [];
  let firstRequestError: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const outcome = await runChunk(batch, chunks[next++]!);
      failed.push(...outcome.failed);
      ignored.push(...outcome.ignored);
      firstRequestError ??= outcome.requestError;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_BATCH_REQUESTS, chunks.length) }, worker));

  if (failed.length > 0) {
    throw new SqsBatchError(batch.action, batch.entries.length, failed, firstRequestError === undefined ? undefined : { cause: firstRequestError });
  }
  return ignored;
}

async function runChunk<Entry>(
  batch: BatchAction<Entry>,
  chunk: readonly Entry[],
): Promise<{ failed: BatchEntryFailure[]; ignored: BatchEntryFailure[]; requestError: unknown }> {
  const byId = new Map(chunk.map((entry, index) => [`entry-${index}`, entry]));
  const failed: BatchEntryFailure[] = [];
  const ignored: BatchEntryFailure[] = [];
  let pending = [...byId.keys()];
  for (let attempt = 1; pending.length > 0; attempt++) {
    let response: BatchResponse;
    try {
      response = await batch.send(pending.map((id) => ({ ...byId.get(id)!, Id: id })));
    } catch (error) {
      // The request failed as a whole (after the SDK's own retries): every entry in it failed.
      const { code, message } = describeError(error);
      failed.push(...pending.map((id) => ({ entry: batch.describe(byId.get(id)!), code, message })));
      return { failed, ignored, requestError: error };
    }
    pending = [];
    for (const entry of response.Failed ?? []) {
      const id = entry.Id ?? '(no id)';
      const failure = { entry: byId.has(id) ? batch.describe(byId.get(id)!) : `entry ${id}`, code: entry.Code ?? 'UnknownError', message: entry.Message ?? 'no message' };
      if (batch.isIgnorable?.(failure)) ignored.push(failure);
      else if (attempt === 1 && byId.has(id)) pending.push(id);
      else failed.push(failure);
    }
  }
  return { failed, ignored, requestError: undefined };
}

function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'Error', message: String(error) };
}
