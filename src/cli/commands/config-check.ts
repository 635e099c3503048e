// `loadmaster config check FILE...`: validates config files offline, exactly as the
// daemon does at start.
import { catalogFromConfig } from '../../config/config-to-core.ts';
import { InputError } from '../../config/input-issues.ts';
import { loadConfigFile } from '../../config/load-config.ts';
import type { CliIo } from '../cli-io.ts';
import { EXIT_USAGE, reportInputError } from '../report-input-error.ts';

export async function runConfigCheck(files: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  for (const file of files) {
    try {
      const config = await loadConfigFile(file);
      const algorithms = Object.keys(config.algorithms).length;
      const types = catalogFromConfig(config).length;
      io.stdout.write(`${file}: ok — ${plural(algorithms, 'algorithm')}, ${plural(types, 'instance type')}\n`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      exitCode = reportInputError(io, error);
    }
  }
  return exitCode === 0 ? 0 : EXIT_USAGE;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
