// The job message contract (DESIGN.md, version 1): the JSON body on the jobs queue.
// Unknown fields are rejected with a clear reason; validation against the config
// (known algorithm, required env) is in validate-job-message.ts.

export interface JobMessage {
  readonly version: 1;
  /** Idempotency key: one job id, at most one running task. */
  readonly jobId: string;
  readonly algorithm: string;
  /** S3 URIs. */
  readonly inputs: readonly string[];
  readonly outputPrefix: string;
  readonly env: Readonly<Record<string, string>>;
  readonly resources?: { readonly cpu?: number; readonly memoryMiB?: number; readonly gpu?: number };
  /** Exact names or patterns narrowing the algorithm's types. */
  readonly instanceTypes?: readonly string[];
  readonly priority: number;
  /** 1 for the first run; retries carry attempt + 1. */
  readonly attempt: number;
  readonly workflow?: { readonly name: string; readonly runId: string; readonly step: string };
}
