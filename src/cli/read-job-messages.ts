// What `loadmaster submit` sends: the job messages in a file or on standard input,
// written as one JSON object, a JSON array, or JSON lines (one object per line). Each
// message keeps where it came from, so a rejection can point at `[3]` or `line 4`.
// Whether a message is a valid job is the daemon's call, not this file's.
import { InputError } from '../config/input-issues.ts';
import { readSourceFile } from '../config/read-source-file.ts';
import type { CliIo } from './cli-io.ts';

/** The name `-` gets in messages. */
export const STDIN_SOURCE = 'stdin';

export interface SourcedMessages {
  /** The file name, or `stdin`. */
  readonly source: string;
  readonly messages: readonly unknown[];
  /** Per message, where it is in the source: `[2]`, `line 5`, or `` for a lone object. */
  readonly locations: readonly string[];
}

const EXPECTED = 'expected one job message (a JSON object), a JSON array of them, or one message per line (JSON lines)';

export async function readJobMessages(file: string, io: CliIo): Promise<SourcedMessages> {
  if (file === '-') return parseJobMessages(await readStdin(io), STDIN_SOURCE);
  return parseJobMessages(await readSourceFile(file, InputError), file);
}

export function parseJobMessages(text: string, source: string): SourcedMessages {
  const fail = (path: string, message: string): never => {
    throw new InputError(source, [{ path, message }]);
  };
  if (text.trim() === '') fail('', `no job messages (the input is empty); ${EXPECTED}`);

  let whole: unknown;
  let wholeError: string | undefined;
  try {
    whole = JSON.parse(text);
  } catch (error) {
    wholeError = errorText(error);
  }
  if (wholeError === undefined) {
    if (Array.isArray(whole)) {
      if (whole.length === 0) fail('', `no job messages (an empty array); ${EXPECTED}`);
      return { source, messages: whole, locations: whole.map((_, index) => `[${index}]`) };
    }
    if (isObject(whole)) return { source, messages: [whole], locations: [''] };
    return fail('', `got ${JSON.stringify(whole)}; ${EXPECTED}`);
  }

  const lines = text.split('\n').map((line, index) => ({ text: line.trim(), number: index + 1 })).filter((line) => line.text !== '');
  // One line that is not JSON is a broken document, not JSON lines: report the parser's words.
  if (lines.length <= 1) return fail('', `not valid JSON (${wholeError}); ${EXPECTED}`);
  const messages: unknown[] = [];
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      return fail(`line ${line.number}`, `not valid JSON (${errorText(error)}); ${EXPECTED}`);
    }
    if (!isObject(value)) return fail(`line ${line.number}`, `got ${JSON.stringify(value)}; ${EXPECTED}`);
    messages.push(value);
  }
  return { source, messages, locations: lines.map((line) => `line ${line.number}`) };
}

async function readStdin(io: CliIo): Promise<string> {
  if (!io.stdin) throw new InputError(STDIN_SOURCE, [{ path: '', message: 'there is no standard input to read; expected a file name instead of -' }]);
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
