// Problems found in what a user handed us (config file, state snapshot): each one says
// where (a path such as `policy.maxInstances` or `pending[3].resources.cpu`), what was
// there, and what was expected. Shared by the config and snapshot loaders and the CLI.

import { formatPath, type PathSegment } from '../core/user-text.ts';

// The wording helpers live in the core so that core errors read the same; re-exported for the edges.
export { closestMatch, describeValue, formatPath, listAlternatives, type PathSegment } from '../core/user-text.ts';

export interface InputIssue {
  /** `policy.typeLimits["p4d.*"]`, `pending[3].resources.cpu`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the source text, when known. */
  readonly line?: number;
}

/** A user-caused error: the CLI prints every issue and exits with code 2, never a stack trace. */
export class InputError extends Error {
  readonly source: string;
  readonly issues: readonly InputIssue[];

  constructor(source: string, issues: readonly InputIssue[]) {
    super(issues.map((issue) => formatIssue(source, issue)).join('\n'));
    this.name = 'InputError';
    this.source = source;
    this.issues = issues;
  }
}

/** `FILE: path: message (line N)` — the one-line form the CLI prints. */
export function formatIssue(source: string, issue: InputIssue): string {
  const where = issue.path === '' ? '' : `${issue.path}: `;
  const line = issue.line === undefined || issue.path.startsWith('line ') ? '' : ` (line ${issue.line})`;
  return `${source}: ${where}${issue.message}${line}`;
}

/** A `report(path, message)` that adds the source line when `locate` knows it. */
export function issueCollector(issues: InputIssue[], locate?: (path: readonly PathSegment[]) => number | undefined): (path: readonly PathSegment[], message: string) => void {
  return (path, message) => {
    const line = locate?.(path);
    issues.push(line === undefined ? { path: formatPath(path), message } : { path: formatPath(path), message, line });
  };
}
