// `loadmaster trace synth [--seed N] [--uploads N] [--config FILE] [--out FILE]` and
// `loadmaster trace convert --alibaba CSV [--out FILE]`: write a job trace as JSON lines
// (src/simulation/traces/json-lines-trace.ts) for `loadmaster simulate` to replay. The
// trace goes to standard output unless --out names a file; the trace's notes (what the
// mapping skipped, rounded or dropped) go to stderr as `note: …` lines, and into the
// trace's `#` header too.
import { writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../config/input-issues.ts';
import { loadConfigFile } from '../../config/load-config.ts';
import { fileErrorReason, readSourceFile } from '../../config/read-source-file.ts';
import { parseAlibabaTrace } from '../../simulation/traces/alibaba-trace.ts';
import { serializeJsonLinesTrace } from '../../simulation/traces/json-lines-trace.ts';
import { DEFAULT_UPLOADS, generateImageProcessingTrace } from '../../simulation/traces/synthetic-image-processing.ts';
import { TraceError, type Trace } from '../../simulation/traces/trace.ts';
import type { CliIo } from '../cli-io.ts';
import { EXIT_USAGE, reportInputError } from '../report-input-error.ts';
import { wholeNumberFlag } from '../whole-number-flag.ts';

/** About 400,000 jobs, 150 MB of JSON lines: more is no longer one lab's day, and soon no longer fits one output string. */
const MAX_UPLOADS = 2000;

/** The config `trace synth` draws its algorithms and durations from unless --config names another. */
export const DEFAULT_SYNTH_CONFIG = fileURLToPath(new URL('../../../examples/config.yaml', import.meta.url));

export interface TraceSynthOptions {
  readonly seed?: string;
  readonly uploads?: string;
  readonly config?: string;
  readonly out?: string;
}

export interface TraceConvertOptions {
  readonly alibaba: string;
  readonly out?: string;
}

export async function runTraceSynth(options: TraceSynthOptions, io: CliIo): Promise<number> {
  const seed = wholeNumberFlag('--seed', options.seed, 1, -Infinity);
  const uploads = wholeNumberFlag('--uploads', options.uploads, DEFAULT_UPLOADS, 1, MAX_UPLOADS);
  if (!seed.ok || !uploads.ok) {
    for (const flag of [seed, uploads]) if (!flag.ok) io.stderr.write(`${flag.problem}\n`);
    return EXIT_USAGE;
  }
  let trace: Trace;
  try {
    const config = await loadConfigFile(options.config ?? DEFAULT_SYNTH_CONFIG);
    trace = generateImageProcessingTrace({ config, seed: seed.value, uploads: uploads.value });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return reportInputError(io, error);
  }
  return writeTrace(trace, options.out, io, options.config ?? DEFAULT_SYNTH_CONFIG);
}

export async function runTraceConvert(options: TraceConvertOptions, io: CliIo): Promise<number> {
  let trace: Trace;
  try {
    trace = parseAlibabaTrace(await readSourceFile(options.alibaba, TraceError), options.alibaba);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return reportInputError(io, error);
  }
  return writeTrace(trace, options.out, io, options.alibaba);
}

/** The same file, through links too; a path that does not exist yet is no file at all. */
function sameFile(a: string, b: string): boolean {
  const [one, other] = [statSync(a, { throwIfNoEntry: false }), statSync(b, { throwIfNoEntry: false })];
  return one !== undefined && other !== undefined && one.dev === other.dev && one.ino === other.ino;
}

/** Writes the trace to `out` (stdout when undefined); `input`, the file read, is never overwritten. */
async function writeTrace(trace: Trace, out: string | undefined, io: CliIo, input: string): Promise<number> {
  if (out !== undefined && sameFile(out, input)) {
    io.stderr.write(`--out ${JSON.stringify(out)}: is the input file; expected another file for the trace\n`);
    return EXIT_USAGE;
  }
  const text = serializeJsonLinesTrace(trace);
  if (out === undefined) {
    io.stdout.write(text);
  } else {
    try {
      await writeFile(out, text);
    } catch (error) {
      io.stderr.write(`--out ${JSON.stringify(out)}: cannot write: ${fileErrorReason(error, 'no such directory')}\n`);
      return EXIT_USAGE;
    }
    io.stdout.write(`${out}: ${trace.jobs.length.toLocaleString('en-US')} job${trace.jobs.length === 1 ? '' : 's'} from ${trace.source}\n`);
  }
  for (const note of trace.notes) io.stderr.write(`note: ${note}\n`);
  return 0;
}
