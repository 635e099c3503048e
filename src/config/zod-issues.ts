// Turns zod's issues into InputIssues that read well to someone editing a YAML or JSON
// file: "expected an integer >= 1, got -3" rather than "Too small: expected number to be >=1".
import { z } from 'zod';
import { closestMatch, describeValue, formatPath, listAlternatives, type InputIssue, type PathSegment } from './input-issues.ts';
import type { LineLocator } from './source-locations.ts';

type ZodIssue = z.core.$ZodIssue;

/** Parses with zod and, on failure, returns the issues in our words (one per unknown key). */
export function validateWithSchema<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  locate: LineLocator,
): { ok: true; value: z.output<Schema> } | { ok: false; issues: InputIssue[] } {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.flatMap((issue) => describeZodIssue(issue, schema, locate)) };
}

function describeZodIssue(issue: ZodIssue, schema: z.ZodType, locate: LineLocator): InputIssue[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const allowed = objectKeysAt(schema, path);
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const suggestion = closestMatch(key, allowed);
      const expected = allowed.length > 0 ? ` (expected one of: ${allowed.join(', ')})` : '';
      const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
      return withLine({ path: formatPath(keyPath), message: `unknown key${expected}${hint}` }, keyPath, locate);
    });
  }
  return [withLine({ path: formatPath(path), message: messageFor(issue, isIntegerSchema(schemaAt(schema, path))) }, path, locate)];
}

function withLine(issue: InputIssue, path: readonly PathSegment[], locate: LineLocator): InputIssue {
  const line = locate(path);
  return line === undefined ? issue : { ...issue, line };
}

function messageFor(issue: ZodIssue, integer = false): string {
  const got = `got ${describeValue(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = nameOfType(integer && issue.expected === 'number' ? 'int' : issue.expected);
      return issue.input === undefined ? `missing: expected ${expected}` : `expected ${expected}, ${got}`;
    }
    case 'too_small':
      return `expected ${boundText(issue.origin, '>', issue.minimum, issue.inclusive, issue.exact, integer)}, ${sizeOf(issue.origin, issue.input) ?? got}`;
    case 'too_big':
      return `expected ${boundText(issue.origin, '<', issue.maximum, issue.inclusive, issue.exact, integer)}, ${sizeOf(issue.origin, issue.input) ?? got}`;
    case 'invalid_value':
      return `expected ${listAlternatives(issue.values.map((v) => JSON.stringify(v)))}, ${got}`;
    case 'invalid_format':
      return `expected ${nameOfFormat(issue.format)}, ${got}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}, ${got}`;
    case 'invalid_key':
      // A mapping key (algorithm name, type pattern) failed its own check.
      return `invalid key: ${issue.issues.map((keyIssue) => messageFor(keyIssue)).join('; ')}`;
    case 'custom':
      // Our refinements write complete sentences (value and expectation included).
      return issue.message;
    default:
      return `${issue.message}, ${got}`;
  }
}

function nameOfType(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    boolean: 'true or false',
    object: 'a mapping (key: value)',
    record: 'a mapping (key: value)',
    array: 'a list',
  };
  return names[expected] ?? expected;
}

function nameOfFormat(format: string): string {
  if (format === 'datetime') return 'an ISO 8601 date-time with a time zone, e.g. "2026-11-25T10:00:00Z"';
  return `a valid ${format}`;
}

function boundText(origin: string, direction: '>' | '<', bound: number | bigint, inclusive = true, exact = false, integer = false): string {
  const limit = Number(bound);
  if (origin === 'string') {
    if (direction === '>' && limit === 1) return 'a non-empty string';
    return `a string of ${exact ? 'exactly' : direction === '>' ? 'at least' : 'at most'} ${limit} characters`;
  }
  if (origin === 'array' || origin === 'set') {
    if (direction === '>' && limit === 1) return 'a non-empty list';
    return `a list of ${exact ? 'exactly' : direction === '>' ? 'at least' : 'at most'} ${limit} entries`;
  }
  const what = integer || origin === 'int' ? 'an integer' : 'a number';
  return `${what} ${direction}${inclusive ? '=' : ''} ${limit}`;
}

/** For lists and strings the size is what matters, not the whole value. */
function sizeOf(origin: string, input: unknown): string | undefined {
  if (origin === 'array' && Array.isArray(input)) return input.length === 0 ? 'got an empty list' : `got ${input.length} entries`;
  if (origin === 'string' && typeof input === 'string') return input === '' ? 'got an empty string' : `got ${describeValue(input)}`;
  return undefined;
}

/** The keys an object schema accepts at `path`, for "unknown key" messages. */
function objectKeysAt(schema: unknown, path: readonly PathSegment[]): string[] {
  const atPath = schemaAt(schema, path);
  return atPath instanceof z.ZodObject ? Object.keys(atPath.shape) : [];
}

/** z.int() reports bounds with origin "number"; the schema itself knows better. */
function isIntegerSchema(schema: unknown): boolean {
  return schema instanceof z.ZodNumber && schema.format === 'safeint';
}

/** The schema that validates the value at `path`, or undefined when it cannot be told. */
function schemaAt(schema: unknown, path: readonly PathSegment[]): unknown {
  let current = unwrap(schema);
  for (const segment of path) {
    if (current instanceof z.ZodObject && typeof segment === 'string') current = unwrap(current.shape[segment]);
    else if (current instanceof z.ZodRecord) current = unwrap(current.valueType);
    else if (current instanceof z.ZodArray) current = unwrap(current.element);
    else return undefined;
  }
  return current;
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault
    ) {
      current = current.unwrap();
    } else if (current instanceof z.ZodPipe) {
      // z.preprocess(fn, schema) is a pipe whose output side is the real schema.
      current = current.out instanceof z.ZodTransform ? current.in : current.out;
    } else {
      return current;
    }
  }
}
