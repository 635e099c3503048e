// What every benchmark command does the same way: write its Markdown table, and run
// main only when executed as a script (tests import the module instead).

import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
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

/**
 * A benchmark's `--name VALUE` options (and -h/--help): the values given, or the exit code
 * to return after printing the usage (0 for help, 2 for a bad flag).
 */
export function stringOptions<Name extends string>(argv: readonly string[], names: readonly Name[], usage: string): { readonly values: Partial<Record<Name, string>> } | { readonly exit: number } {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])), help: { type: 'boolean', short: 'h' } },
    });
    if (values.help === true) {
      console.log(usage);
      return { exit: 0 };
    }
    const given: Partial<Record<Name, string>> = {};
    const read: Record<string, unknown> = values;
    for (const name of names) {
      const value = read[name];
      if (typeof value === 'string') given[name] = value;
    }
    return { values: given };
  } catch (error) {
    console.error(`${errorMessage(error)}\n${usage}`);
    return { exit: 2 };
  }
}
