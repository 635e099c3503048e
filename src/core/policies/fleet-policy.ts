// A fleet policy: how placement and scaling decide, as one pure planner plus the timing
// rules around it. loadmaster's own policy is one; the peers we compare against
// (Karpenter, AWS Batch, ECS managed scaling, the original Lambda) are others, run by the
// same controller on the same simulated cloud so that only the decisions differ.
import type { Plan, PlannerInput } from '../planner/plan-types.ts';

export const POLICY_NAMES = ['loadmaster', 'karpenter', 'batch-best-fit-progressive', 'ecs-managed-scaling', 'seed-lambda'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/**
 * When an empty node is retired. `idleSeconds` of idleness, counted from the end of the
 * evaluation period in which it emptied when `evaluationSeconds` > 0: that is how a
 * CloudWatch alarm over whole periods sees idleness (0 = measured continuously).
 */
export interface IdleRule {
  readonly idleSeconds: number;
  readonly evaluationSeconds: number;
  /** idleSeconds is the longest: per type, the controller learns how long keeping an empty node pays (idle-gaps.ts). */
  readonly learned?: boolean;
}

/** The seconds after which a node empty since `emptySince` (seconds) is retired under `rule`. */
export function retireAt(emptySince: number, rule: IdleRule): number {
  if (rule.evaluationSeconds <= 0) return emptySince + rule.idleSeconds;
  return Math.ceil(emptySince / rule.evaluationSeconds) * rule.evaluationSeconds + rule.idleSeconds;
}

export interface FleetPolicy {
  readonly name: PolicyName;
  /** Pure and deterministic: every job of the input ends in exactly one of starts, bindings, launches, waiting. */
  plan(input: PlannerInput): Plan;
  /** Launch batching: launch once no new unplaceable job arrived for `idleSeconds`, or `maxSeconds` after the first. */
  readonly batch: { readonly idleSeconds: number; readonly maxSeconds: number };
  readonly idle: IdleRule;
  /** Whether lightly used busy nodes stop taking new jobs so they empty (loadmaster's batch consolidation). */
  readonly consolidation: boolean;
}
