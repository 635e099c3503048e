import { InputError, type InputIssue } from '../config/input-issues.ts';

/** A state snapshot that is malformed or does not agree with the config. */
export class SnapshotError extends InputError {
  constructor(source: string, issues: readonly InputIssue[]) {
    super(source, issues);
    this.name = 'SnapshotError';
  }
}
