import { mkdtemp, rename, symlink, writeFile } from 'node:fs/promises';
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

async function until(condition: () => boolean): Promise<void> {
  for (const started = Date.now(); !condition(); await quiet(20)) {
    if (Date.now() - started > 5000) throw new Error('not seen within 5 s');
  }
}

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

  it('follows a config that is a symlink: edits of the linked file, and the link swapped to another', async () => {
    const linkDir = await mkdtemp(join(tmpdir(), 'loadmaster-watch-link-'));
    const realDir = await mkdtemp(join(tmpdir(), 'loadmaster-watch-real-'));
    await writeFile(join(realDir, 'config.yaml'), 'a: 1\n');
    await writeFile(join(realDir, 'next.yaml'), 'a: 2\n');
    const link = join(linkDir, 'config.yaml');
    await symlink(join(realDir, 'config.yaml'), link);
    let calls = 0;
    const stop = new AbortController();
    stops.push(stop);
    watchFile(link, () => calls++, stop.signal, SETTLE_MS);

    await quiet(SETTLE_MS);
    await writeFile(join(realDir, 'config.yaml'), 'a: 3, b: 4\n');
    await until(() => calls === 1);
    // As Kubernetes swaps a ConfigMap: a new link renamed over the old one.
    await symlink(join(realDir, 'next.yaml'), `${link}.new`);
    await rename(`${link}.new`, link);
    await until(() => calls === 2);
  });

  it('stops when aborted', async () => {
    const w = await watched();
    stops.forEach((s) => s.abort());
    await writeFile(w.file, 'a: 6\n');
    await quiet(SETTLE_MS * 4);
    expect(w.calls()).toBe(0);
  });
});
