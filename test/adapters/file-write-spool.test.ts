// The write spool file: what the queue refused, kept across a restart; replaced atomically.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileWriteSpool } from '../../src/adapters/file-spool/file-write-spool.ts';
import { InputError } from '../../src/config/input-issues.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import type { FinishWrite } from '../../src/ports/write-spool.ts';

const message = (jobId: string, attempt = 1): JobMessage => ({ version: 1, jobId, algorithm: 'segment', inputs: [`s3://lab/in/${jobId}.tif`], outputPrefix: `s3://lab/out/${jobId}/`, env: {}, priority: 0, attempt });
const WRITES: FinishWrite[] = [
  { kind: 'retry', message: message('a', 2) },
  { kind: 'dead-letter', message: message('b'), reason: 'attempt 1 failed (exit code 3); no retry left' },
];

async function spoolIn(): Promise<{ spool: FileWriteSpool; path: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'loadmaster-spool-'));
  const path = join(dir, 'unwritten.json');
  return { spool: new FileWriteSpool(path), path, dir };
}

async function loadError(text: string): Promise<InputError> {
  const { spool, path } = await spoolIn();
  await writeFile(path, text);
  const error = await spool.load().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('FileWriteSpool', () => {
  it('keeps what it is given, in order, and reads it back', async () => {
    const { spool, path } = await spoolIn();
    expect(await spool.load()).toEqual([]);
    await spool.save(WRITES);
    expect(await spool.load()).toEqual(WRITES);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1 });
    await spool.save(WRITES.slice(1));
    expect(await spool.load()).toEqual(WRITES.slice(1));
  });

  it('removes the file when nothing is left, and leaves no temporary file behind', async () => {
    const { spool, dir } = await spoolIn();
    await spool.save(WRITES);
    expect(await readdir(dir)).toEqual(['unwritten.json']);
    await spool.save([]);
    expect(await readdir(dir)).toEqual([]);
    await spool.save([]);
    expect(await spool.load()).toEqual([]);
  });

  it('refuses a file it cannot read back, naming the file, the entry and what was expected', async () => {
    expect((await loadError('{"version": 1, "writes": [')).message).toMatch(/unwritten\.json: not JSON \(.*\); expected \{"version": 1, "writes": \[\.\.\.\]\} as loadmaster writes it; move the file aside to start without it/);
    expect((await loadError('[]')).message).toMatch(/unwritten\.json: expected \{"version": 1, "writes": \[\.\.\.\]\}/);
    expect((await loadError('{"version": 2, "writes": []}')).message).toMatch(/unwritten\.json: version 2; expected \{"version": 1/);
    const bad = await loadError(
      JSON.stringify({ version: 1, writes: [WRITES[0], { kind: 'later', message: message('c') }, { kind: 'retry', message: { jobId: 'd' } }, { kind: 'dead-letter', message: message('e') }, { kind: 'dead-letter', message: {}, reason: 'r' }] }),
    );
    expect(bad.issues.map((i) => i.path)).toEqual(['writes[1].kind', 'writes[2].message', 'writes[3].reason', 'writes[4].message']);
    expect(bad.issues[0]!.message).toBe('expected "retry" or "dead-letter", got "later"');
    expect(bad.issues[2]!.message).toBe('expected the reason the job was dead-lettered (a string)');
  });

  it('keeps the dead letter of a task found after a restart, whose message is a stub a retry could not be', async () => {
    const { spool } = await spoolIn();
    const stub = { version: 1, jobId: 'adopted', algorithm: 'unknown', inputs: [], outputPrefix: '', env: {}, priority: 0, attempt: 1 } as unknown as JobMessage;
    const writes: FinishWrite[] = [{ kind: 'dead-letter', message: stub, reason: 'attempt 1 failed (exit code 137); no retry left' }];
    await spool.save(writes);
    expect(await spool.load()).toEqual(writes);
  });

  it('refuses a spool whose directory it cannot write to, at load rather than at the first save', async () => {
    const error = await new FileWriteSpool('/nonexistent-loadmaster-dir/unwritten.json').load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('/nonexistent-loadmaster-dir/unwritten.json: its directory /nonexistent-loadmaster-dir does not exist or is not writable; expected a directory loadmaster may write to');
  });
});
