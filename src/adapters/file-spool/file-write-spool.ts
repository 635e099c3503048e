// The write spool as one JSON file, replaced atomically (written beside it, then renamed),
// so a crash mid-save leaves the old content or the new, never half of either. No file:
// nothing kept. Put it on a volume that outlives the container.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { InputError, type InputIssue } from '../../config/input-issues.ts';
import { parseJobMessage } from '../../jobs/parse-job-message.ts';
import type { FinishWrite, WriteSpool } from '../../ports/write-spool.ts';

const FORMAT_VERSION = 1;

export class FileWriteSpool implements WriteSpool {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async load(): Promise<FinishWrite[]> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return parseSpool(text, this.#path);
  }

  async save(writes: readonly FinishWrite[]): Promise<void> {
    if (writes.length === 0) {
      await rm(this.#path, { force: true });
      return;
    }
    const next = `${this.#path}.next`;
    await writeFile(next, `${JSON.stringify({ version: FORMAT_VERSION, writes }, null, 1)}\n`, 'utf8');
    await rename(next, this.#path);
  }
}

const EXPECTED = `expected {"version": ${FORMAT_VERSION}, "writes": [...]} as loadmaster writes it; move the file aside to start without it`;

/** The spool's writes; an InputError naming every entry that is not a retry or dead letter with a valid job message. */
export function parseSpool(text: string, source: string): FinishWrite[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(source, [{ path: '', message: `not JSON (${(error as Error).message}); ${EXPECTED}` }]);
  }
  if (typeof document !== 'object' || document === null || !('writes' in document) || !Array.isArray(document.writes) || !('version' in document) || document.version !== FORMAT_VERSION) {
    throw new InputError(source, [{ path: '', message: EXPECTED }]);
  }
  const issues: InputIssue[] = [];
  const writes: FinishWrite[] = [];
  (document.writes as unknown[]).forEach((entry, i) => {
    const path = `writes[${i}]`;
    if (typeof entry !== 'object' || entry === null) {
      issues.push({ path, message: 'expected an object with kind and message' });
      return;
    }
    const { kind, message, reason } = entry as { kind?: unknown; message?: unknown; reason?: unknown };
    const parsed = parseJobMessage(message);
    if (!parsed.ok) {
      issues.push({ path: `${path}.message`, message: parsed.reason });
      return;
    }
    if (kind === 'retry') writes.push({ kind, message: parsed.message });
    else if (kind === 'dead-letter' && typeof reason === 'string') writes.push({ kind, message: parsed.message, reason });
    else issues.push({ path: `${path}.kind`, message: `expected "retry", or "dead-letter" with a reason, got ${JSON.stringify(kind)}` });
  });
  if (issues.length > 0) throw new InputError(source, issues);
  return writes;
}
