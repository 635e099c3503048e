import { realpathSync, statSync, watch } from 'node:fs';
import { dirname } from 'node:path';

/** How long a burst of events must be quiet before the file is looked at: one save, one call. */
export const SETTLE_MS = 150;

/**
 * Calls `onChange` once per burst of events after which the file at `path` is not what it
 * was (another inode, size or modification time). The directories are watched, not the
 * file: editors and `sed -i` save by renaming a new file over the old one, and a watch on
 * the file itself would keep following the replaced one. Both the directory of `path` and
 * that of the file a symlink there points to are watched, so editing a linked file and
 * swapping the link (as Kubernetes updates a mounted ConfigMap) are both seen.
 */
export function watchFile(path: string, onChange: () => void, signal: AbortSignal, settleMs = SETTLE_MS): void {
  let seen = fingerprint(path);
  let timer: NodeJS.Timeout | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  const look = (): void => {
    const now = fingerprint(path);
    if (now === seen) return;
    seen = now;
    onChange();
  };
  const onEvent = (): void => {
    clearTimeout(timer);
    timer = setTimeout(look, settleMs);
  };
  for (const directory of new Set([dirname(path), dirname(realPath(path))])) {
    // A directory that vanishes ends its watch; SIGHUP still reloads.
    watch(directory, { signal }, onEvent).on('error', () => undefined);
  }
}

function fingerprint(path: string): string {
  try {
    const { ino, size, mtimeMs } = statSync(path);
    return `${ino}:${size}:${mtimeMs}`;
  } catch {
    // Missing between the rename steps of a save: the next event looks again.
    return 'missing';
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
