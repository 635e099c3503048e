// Reading a state snapshot file: JSON syntax, then the schema. Agreement with the
// config (known algorithms and types) is checked when converting it to planner input.
import { InputError } from '../config/input-issues.ts';
import { readSourceFile } from '../config/read-source-file.ts';
import { locatorForText, type LineLocator } from '../config/source-locations.ts';
import { validateWithSchema } from '../config/zod-issues.ts';
import { SnapshotError } from './snapshot-error.ts';
import { snapshotSchema, type StateSnapshot } from './snapshot-schema.ts';

export interface LoadedSnapshot {
  readonly snapshot: StateSnapshot;
  /** Names the snapshot in messages (usually the file path). */
  readonly source: string;
  /** Finds the line of a path, so later issues can point into the file. */
  readonly locate: LineLocator;
}

export function parseSnapshot(text: string, source: string): LoadedSnapshot {
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(source, [jsonSyntaxIssue(error)]);
  }
  const locate = locatorForText(text);
  const validated = validateWithSchema(snapshotSchema, content, locate);
  if (!validated.ok) throw new SnapshotError(source, validated.issues);
  return { snapshot: validated.value, source, locate };
}

export async function loadSnapshotFile(path: string): Promise<LoadedSnapshot> {
  return parseSnapshot(await readSourceFile(path, SnapshotError), path);
}

function jsonSyntaxIssue(error: unknown): InputError['issues'][number] {
  const raw = error instanceof Error ? error.message : String(error);
  // V8 says "… in JSON at position 18 (line 3 column 2)" or quotes the whole text back.
  const position = /\(line (\d+) column (\d+)\)/.exec(raw);
  const message = `invalid JSON: ${raw.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '')}`;
  if (!position) return { path: '', message };
  return { path: `line ${position[1]}, column ${position[2]}`, message, line: Number(position[1]) };
}
