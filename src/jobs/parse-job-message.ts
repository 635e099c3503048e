// Reading a job message body (DESIGN.md, version 1): JSON syntax, then the shape.
// Agreement with the config (known algorithm, declared env) is validate-job-message.ts.
// A message that fails here is dead-lettered with the reason, so the reason names
// every problem: where, what was there, what was expected.
import { z } from 'zod';
import { typePattern } from '../config/config-schema.ts';
import { describeValue } from '../config/input-issues.ts';
import { validateWithSchema } from '../config/zod-issues.ts';
import type { JobMessage } from './job-message.ts';

export type JobMessageParse = { readonly ok: true; readonly message: JobMessage } | { readonly ok: false; readonly reason: string };

const MAX_JOB_ID_LENGTH = 128;

// Job ids end up in ECS task tags and started-by fields, hence the small alphabet.
const jobId = z.string().refine((id) => id.length >= 1 && id.length <= MAX_JOB_ID_LENGTH && /^[A-Za-z0-9._:-]+$/.test(id), {
  error: (issue) =>
    `expected a job id of 1 to ${MAX_JOB_ID_LENGTH} letters, digits, ".", "_", ":" and "-", got ` +
    (typeof issue.input === 'string' && issue.input.length > MAX_JOB_ID_LENGTH ? `${issue.input.length} characters` : describeValue(issue.input)),
});

// S3 bucket names: 3 to 63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit.
const BUCKET = '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]';

/** Why an s3:// URI's bucket is not a bucket name; empty when it is one, or the value is no s3:// URI. */
function bucketProblem(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('s3://')) return '';
  const bucket = value.slice('s3://'.length).split('/')[0]!;
  return new RegExp(`^${BUCKET}$`).test(bucket)
    ? ''
    : ` (the bucket name ${describeValue(bucket)} is not one: 3 to 63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit)`;
}

const s3ObjectUri = z.string().refine((uri) => new RegExp(`^s3://${BUCKET}/.+$`).test(uri), {
  error: (issue) => `expected an S3 object URI such as "s3://bucket/path/file.tif", got ${describeValue(issue.input)}${bucketProblem(issue.input)}`,
});

const s3PrefixUri = z.string().refine((uri) => new RegExp(`^s3://${BUCKET}(/.*)?$`).test(uri), {
  error: (issue) => `expected an S3 URI such as "s3://bucket/results/" to write under, got ${describeValue(issue.input)}${bucketProblem(issue.input)}`,
});

/** Any subset of the algorithm's resources; what is left out comes from the algorithm. */
const resourcesOverride = z.strictObject({
  /** ECS cpu units, 1024 = 1 vCPU. */
  cpu: z.int().min(1).optional(),
  /** Replaces the algorithm's minimum memory. */
  memoryMiB: z.int().min(1).optional(),
  gpu: z.int().min(0).optional(),
});

const workflowContext = z.strictObject({
  name: z.string().min(1),
  runId: z.string().min(1),
  step: z.string().min(1),
});

export const jobMessageSchema = z.strictObject({
  version: z.literal(1).default(1),
  jobId,
  algorithm: z.string().min(1),
  inputs: z.array(s3ObjectUri).min(1),
  outputPrefix: s3PrefixUri,
  // Names are checked against the algorithm's declared variables, not here.
  env: z.record(z.string(), z.string()).default({}),
  resources: resourcesOverride.optional(),
  /** Narrows the algorithm's instance types; must leave at least one. */
  instanceTypes: z.array(typePattern).min(1).optional(),
  /** Higher first. */
  priority: z.int().default(0),
  attempt: z.int().min(1).default(1),
  workflow: workflowContext.optional(),
}) satisfies z.ZodType<JobMessage, unknown>;

/** Checks an already-decoded body against the v1 shape; unknown fields are rejected. */
export function parseJobMessage(input: unknown): JobMessageParse {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reason: `expected a JSON object (a job message), got ${describeValue(input)}` };
  }
  const validated = validateWithSchema(jobMessageSchema, input, () => undefined);
  if (validated.ok) return { ok: true, message: validated.value };
  return { ok: false, reason: validated.issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ') };
}

/** Parses a queue message body: JSON syntax first, then the shape. */
export function parseJobMessageText(body: string): JobMessageParse {
  if (body.trim() === '') return { ok: false, reason: 'empty body; expected a JSON job message' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${jsonErrorText(error)}; expected a JSON job message` };
  }
  return parseJobMessage(decoded);
}

/** V8's message without the echo of the whole body it sometimes appends. */
function jsonErrorText(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  return raw.replace(/, ".*" is not valid JSON$/s, '');
}
