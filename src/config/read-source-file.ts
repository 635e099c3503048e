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
    throw new ErrorClass(path, [{ path: '', message: `cannot read: ${fileErrorReason(error, 'no such file')}` }]);
  }
}

/** A file system error in a few words; `missing` says what ENOENT means where the file was used. */
export function fileErrorReason(error: unknown, missing: string): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return missing;
  if (code === 'EISDIR') return 'is a directory, expected a file';
  if (code === 'ENOTDIR') return 'a folder on its path is a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
