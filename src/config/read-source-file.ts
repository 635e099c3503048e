// Reading a file the user named. A missing or unreadable file is the user's error
// (exit code 2 with a one-line reason), not a crash.
import { readFile } from 'node:fs/promises';
import type { InputError, InputIssue } from './input-issues.ts';

export type InputErrorClass = new (source: string, issues: readonly InputIssue[]) => InputError;

export async function readSourceFile(path: string, ErrorClass: InputErrorClass): Promise<string> {
  try {
    // A byte-order mark (editors on Windows write one) is not content; JSON.parse would choke on it.
    return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a file' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new ErrorClass(path, [{ path: '', message: `cannot read: ${reason}` }]);
  }
}
