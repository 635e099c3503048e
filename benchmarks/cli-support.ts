// What every benchmark command does the same way: write its Markdown table, and run
// main only when executed as a script (tests import the module instead).

import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorMessage } from './table.ts';

/** Writes the Markdown report; false (with the reason on stderr) when the file cannot be written. */
export function writeMarkdown(path: string, text: string): boolean {
  try {
    writeFileSync(path, text);
  } catch (error) {
    console.error(`--markdown: ${errorMessage(error)}`);
    return false;
  }
  console.log(`# table written to ${path}`);
  return true;
}

/** Whether the module at `moduleUrl` is the script node was started with. */
export function invokedDirectly(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
