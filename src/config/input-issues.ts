// Problems found in what a user handed us (config file, state snapshot): each one says
// where (a path such as `policy.maxInstances` or `pending[3].resources.cpu`), what was
// there, and what was expected. Shared by the config and snapshot loaders and the CLI.

export type PathSegment = string | number;

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

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** ["policy", "typeLimits", "p4d.*"] → `policy.typeLimits["p4d.*"]`; [] → "". */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

const MAX_VALUE_LENGTH = 60;

/** A short, unambiguous rendering of a value for "got …" messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value); // cycles cannot come from YAML or JSON, but stay total
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** "a", "a or b", "a, b or c" — for listing allowed values. */
export function listAlternatives(values: readonly string[], conjunction = 'or'): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} ${conjunction} ${values[values.length - 1]}`;
}

/** The allowed word closest to a misspelt one, if it is close enough to be a likely typo. */
export function closestMatch(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
