// Where a job may run: its algorithm's constraints, narrowed by the job's own
// instanceTypes. Shared by job messages and state snapshots, so both narrow alike.
import type { InstanceType } from '../core/catalog/instance-type.ts';
import { matchesAnyTypePattern, matchesTypePattern } from '../core/catalog/type-pattern.ts';
import { allowsType } from '../core/planner/compatibility.ts';
import type { JobConstraints } from '../core/planner/plan-types.ts';

export type ConstraintsNarrowing =
  | { readonly ok: true; readonly constraints: JobConstraints }
  /** Some of the job's patterns match no catalog type at all (likely typos), with their index in the job's list. */
  | { readonly ok: false; readonly problem: 'unmatched-patterns'; readonly unmatched: readonly { readonly index: number; readonly pattern: string }[] }
  /** Every pattern matches something, but nothing the algorithm allows. */
  | { readonly ok: false; readonly problem: 'disjoint' };

/** The algorithm's constraints narrowed by `jobPatterns` (names or patterns); unchanged when there are none. */
export function narrowConstraints(
  fromAlgorithm: JobConstraints,
  jobPatterns: readonly string[] | undefined,
  catalog: readonly InstanceType[],
): ConstraintsNarrowing {
  if (!jobPatterns) return { ok: true, constraints: fromAlgorithm };

  const unmatched = jobPatterns.flatMap((pattern, index) => (catalog.some((type) => matchesTypePattern(type.name, pattern)) ? [] : [{ index, pattern }]));
  if (unmatched.length > 0) return { ok: false, problem: 'unmatched-patterns', unmatched };

  const allowed = catalog.filter((type) => matchesAnyTypePattern(type.name, jobPatterns) && allowsType(fromAlgorithm, type));
  if (allowed.length === 0) return { ok: false, problem: 'disjoint' };

  // Two pattern lists do not combine into one, but their common catalog types do.
  const instanceTypes = fromAlgorithm.instanceTypes ? allowed.map((type) => type.name) : jobPatterns;
  return { ok: true, constraints: { ...fromAlgorithm, instanceTypes } };
}
