import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchFile } from '../../src/cli/watch-file.ts';

const SETTLE_MS = 50;
const stops: AbortController[] = [];
afterEach(() => stops.splice(0).forEach((s) => s.abort()));

async function watched(): Promise<{ file: string; dir: string; calls: () => number; next: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'loadmaster-watch-'));
  const file = join(dir, 'config.yaml');
  await writeFile(file, 'a: 1\n');
  let count = 0;
  let wake: (() => void) | undefined;
  const stop = new AbortController();
  stops.push(stop);
  watchFile(file, () => {
    count++;
    wake?.();
  }, stop.signal, SETTLE_MS);
  return {
    file,
    dir,
    calls: () => count,
    next: () => new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error('no change reported within 5 s')), 5000);
      wake = () => {
        clearTimeout(timeout);
        resolve();
      };
    }),
  };
}

/** What `sed -i` and most editors do: write a new file, rename it over the old one. */
async function replaceByRename(dir: string, file: string, text: string, n: number): Promise<void> {
  const temporary = join(dir, `.config.yaml.${n}`);
  await writeFile(temporary, text);
  await rename(temporary, file);
}

const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchFile', () => {
  it('keeps reporting a file replaced by rename, once per save', async () => {
    const w = await watched();
    for (let n = 1; n <= 3; n++) {
      const changed = w.next();
      await replaceByRename(w.dir, w.file, `a: ${n + 1}\n`, n);
      await changed;
      await quiet(SETTLE_MS * 3);
      expect(w.calls()).toBe(n);
    }
  });

  it('reports writes in place, and ignores other files in the directory', async () => {
    const w = await watched();
    await writeFile(join(w.dir, 'other.yaml'), 'b: 1\n');
    await quiet(SETTLE_MS * 4);
    expect(w.calls()).toBe(0);
    const changed = w.next();
    await writeFile(w.file, 'a: 5\n');
    await changed;
    expect(w.calls()).toBe(1);
  });

  it('stops when aborted', async () => {
    const w = await watched();
    stops.forEach((s) => s.abort());
    await writeFile(w.file, 'a: 6\n');
    await quiet(SETTLE_MS * 4);
    expect(w.calls()).toBe(0);
  });
});
