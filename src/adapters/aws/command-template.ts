// An algorithm's `command` (config `algorithms.<name>.command`) filled in for one job: the
// argv ECS runs instead of the image's CMD. The config accepts exactly the placeholders of
// COMMAND_PLACEHOLDERS, so any other `{name}` cannot reach here; it is left as written.
// Pure: the same template and job give the same command.
import type { COMMAND_PLACEHOLDERS } from '../../config/config-schema.ts';

/** What the placeholders stand for in one job. */
export interface CommandValues {
  readonly jobId: string;
  readonly attempt: number;
  readonly inputs: readonly string[];
  readonly outputPrefix: string;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/**
 * Each argument with its placeholders replaced. An argument that is exactly `{inputs}`
 * becomes one argument per input (exec form has no shell to split a space-separated list,
 * and an S3 key may itself contain a space); inside a longer argument, `{inputs}` is the
 * inputs joined by single spaces. `{input}` is the first input ('' when there is none).
 */
export function expandCommand(template: readonly string[], values: CommandValues): string[] {
  const text: { readonly [Name in keyof typeof COMMAND_PLACEHOLDERS]: string } = {
    input: values.inputs[0] ?? '',
    inputs: values.inputs.join(' '),
    outputPrefix: values.outputPrefix,
    jobId: values.jobId,
    attempt: String(values.attempt),
  };
  return template.flatMap((argument) => {
    if (argument === '{inputs}') return [...values.inputs];
    return [argument.replace(PLACEHOLDER, (written, name: string) => (Object.hasOwn(text, name) ? text[name as keyof typeof text] : written))];
  });
}
