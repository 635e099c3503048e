// Counts of the sim's API calls by operation and outcome, for tests and benchmarks
// (how many calls a controller needs, how it copes with throttling and capacity errors).
import type { CloudError } from '../../ports/cloud.ts';

export const SIM_OPERATIONS = ['launch', 'startTasks', 'stopTask', 'drain', 'terminate', 'describe', 'pollEvents'] as const;
export type SimOperation = (typeof SIM_OPERATIONS)[number];

type ErrorCode = Exclude<CloudError['code'], 'throttled'>;

/**
 * `ok`, `throttled` and `error` (every other failure) add up to all calls; the counts
 * named after CloudError codes break `error` down.
 */
export type CallOutcome = 'ok' | 'throttled' | 'error' | ErrorCode;

export type ApiCallCounts = { readonly [O in SimOperation]: { readonly [C in CallOutcome]: number } };

export class ApiCallLog {
  readonly #counts = new Map<SimOperation, Record<CallOutcome, number>>(SIM_OPERATIONS.map((operation) => [operation, zeroCounts()]));

  record(operation: SimOperation, outcome: 'ok' | 'throttled'): void {
    this.#counts.get(operation)![outcome]++;
  }

  recordError(operation: SimOperation, code: CloudError['code']): void {
    if (code === 'throttled') return this.record(operation, 'throttled');
    const counts = this.#counts.get(operation)!;
    counts.error++;
    counts[code]++;
  }

  /** A copy: later calls do not change it. */
  counts(): ApiCallCounts {
    const copy: Partial<Record<SimOperation, Record<CallOutcome, number>>> = {};
    for (const [operation, counts] of this.#counts) copy[operation] = { ...counts };
    return copy as ApiCallCounts;
  }
}

function zeroCounts(): Record<CallOutcome, number> {
  // Spelled out, so that a new CloudError code fails to compile here instead of counting NaN.
  return { ok: 0, throttled: 0, error: 0, 'insufficient-capacity': 0, 'unsupported-type': 0, 'not-found': 0, other: 0 };
}
