// The write spool as one JSON file, replaced atomically (written beside it, then renamed),
// so a crash mid-save leaves the old content or the new, never half of either. No file:
// nothing kept. Put it on a volume that outlives the container.
import { constants } from 'node:fs';
import { access, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError, type InputIssue } from '../../config/input-issues.ts';
import type { JobMessage } from '../../jobs/job-message.ts';
import { parseJobMessage } from '../../jobs/parse-job-message.ts';
import type { FinishWrite, WriteSpool } from '../../ports/write-spool.ts';

const FORMAT_VERSION = 1;

export class FileWriteSpool implements WriteSpool {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async load(): Promise<FinishWrite[]> {
    // Checked now, not at the first save: that comes when the queue is already refusing writes.
    try {
      await access(dirname(this.#path), constants.W_OK);
    } catch {
      throw new InputError(this.#path, [{ path: '', message: `its directory ${dirname(this.#path)} does not exist or is not writable; expected a directory loadmaster may write to` }]);
    }
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
    const file = await open(next, 'w');
    try {
      await file.writeFile(`${JSON.stringify({ version: FORMAT_VERSION, writes }, null, 1)}\n`, 'utf8');
      // On disk before it replaces the old content: a power cut leaves one or the other whole.
      await file.sync();
    } finally {
      await file.close();
    }
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
    const version = typeof document === 'object' && document !== null && 'version' in document ? `version ${JSON.stringify(document.version)}; ` : '';
    throw new InputError(source, [{ path: '', message: `${version}${EXPECTED}` }]);
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
    if (kind === 'retry') {
      // A retry goes back on the jobs queue: it must be a job message the queue would take.
      const parsed = parseJobMessage(message);
      if (parsed.ok) writes.push({ kind, message: parsed.message });
      else issues.push({ path: `${path}.message`, message: parsed.reason });
    } else if (kind === 'dead-letter') {
      // A dead letter is only kept for people: it may be the stub of a task found after a restart.
      if (typeof reason !== 'string') issues.push({ path: `${path}.reason`, message: 'expected the reason the job was dead-lettered (a string)' });
      else if (typeof message !== 'object' || message === null || typeof (message as { jobId?: unknown }).jobId !== 'string') {
        issues.push({ path: `${path}.message`, message: 'expected a job message with a jobId' });
      } else writes.push({ kind, message: message as JobMessage, reason });
    } else {
      issues.push({ path: `${path}.kind`, message: `expected "retry" or "dead-letter", got ${JSON.stringify(kind)}` });
    }
  });
  if (issues.length > 0) throw new InputError(source, issues);
  return writes;
}
