import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** How long a burst of events must be quiet before the change counts: one save, one call. */
export const SETTLE_MS = 150;

/**
 * Calls `onChange` once per burst of changes to the file at `path`. The directory is
 * watched, not the file: editors and `sed -i` save by writing a new file and renaming it
 * over the old one, and a watch on the file itself would keep following the replaced one.
 */
export function watchFile(path: string, onChange: () => void, signal: AbortSignal, settleMs = SETTLE_MS): void {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  const watcher = watch(dirname(path), { signal }, (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
  });
  // The directory vanishing ends the watch; SIGHUP still reloads.
  watcher.on('error', () => undefined);
}
