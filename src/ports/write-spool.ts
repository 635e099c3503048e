// Where retries and dead letters the queue refused wait until it takes them. In memory they
// die with the process; a spool keeps them across a restart.
import type { JobMessage } from '../jobs/job-message.ts';

/** A retry (the next attempt's message) or a dead letter the controller has to write to the queue. */
export type FinishWrite = { readonly kind: 'retry'; readonly message: JobMessage } | { readonly kind: 'dead-letter'; readonly message: JobMessage; readonly reason: string };

export interface WriteSpool {
  /** What it keeps, oldest first. Throws InputError when that cannot be read back. */
  load(): Promise<FinishWrite[]>;
  /** Keeps exactly `writes` from now on (none: nothing kept), replacing what it kept. */
  save(writes: readonly FinishWrite[]): Promise<void>;
}
