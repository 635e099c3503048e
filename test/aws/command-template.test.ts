// The algorithm command filled in for a job: every placeholder, {inputs} as separate
// arguments or joined, and text that only looks like a placeholder left alone.
import { describe, expect, it } from 'vitest';
import { expandCommand, type CommandValues } from '../../src/adapters/aws/command-template.ts';
import { COMMAND_PLACEHOLDERS } from '../../src/config/config-schema.ts';

const JOB: CommandValues = { jobId: 'seg-1', attempt: 3, inputs: ['s3://in/a b.tif', 's3://in/c.tif'], outputPrefix: 's3://out/run-1/' };

describe('expandCommand', () => {
  it('fills in every placeholder the config accepts', () => {
    const template = Object.keys(COMMAND_PLACEHOLDERS).map((name) => `--${name}=<{${name}}>`);
    expect(expandCommand(template, JOB)).toEqual(['--input=<s3://in/a b.tif>', '--inputs=<s3://in/a b.tif s3://in/c.tif>', '--outputPrefix=<s3://out/run-1/>', '--jobId=<seg-1>', '--attempt=<3>']);
  });

  it('turns an argument that is exactly {inputs} into one argument per input, keeping spaces inside a key', () => {
    expect(expandCommand(['run', '{inputs}', '--out', '{outputPrefix}'], JOB)).toEqual(['run', 's3://in/a b.tif', 's3://in/c.tif', '--out', 's3://out/run-1/']);
    expect(expandCommand(['{inputs}'], { ...JOB, inputs: [] })).toEqual([]);
  });

  it('replaces every occurrence, and leaves other braces as written', () => {
    expect(expandCommand(['{jobId}-{jobId}', '{unknown}', '{}', 'awk {print $1}', '{ jobId }'], JOB)).toEqual(['seg-1-seg-1', '{unknown}', '{}', 'awk {print $1}', '{ jobId }']);
  });

  it('gives an empty {input} for a job without inputs, and does not read placeholders out of the values', () => {
    expect(expandCommand(['[{input}]'], { ...JOB, inputs: [] })).toEqual(['[]']);
    expect(expandCommand(['{jobId}'], { ...JOB, jobId: '{attempt}' })).toEqual(['{attempt}']);
  });
});
