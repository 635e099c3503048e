import { formatIssue, type InputError } from '../config/input-issues.ts';
import type { CliIo } from './cli-io.ts';

/** Exit code for a user's mistake: bad flags, config or snapshot. */
export const EXIT_USAGE = 2;
/** Exit code for loadmaster's own failure. */
export const EXIT_INTERNAL = 1;

/** Prints every issue, one per line (`FILE: path: message`), on stderr. */
export function reportInputError(io: CliIo, error: InputError): number {
  for (const issue of error.issues) io.stderr.write(`${formatIssue(error.source, issue)}\n`);
  return EXIT_USAGE;
}
