/** How the controller behaves; the `controller` section of the config, in seconds unless named otherwise. */
export interface ControllerSettings {
  readonly reconcileSeconds: number;
  readonly resyncSeconds: number;
  readonly batchIdleSeconds: number;
  readonly batchMaxSeconds: number;
  readonly registrationTimeoutSeconds: number;
  readonly unavailableTypeSeconds: number;
  readonly idleSeconds: number;
  /** Per type, keep empty nodes only as long as has paid by the gaps seen (IdleGaps), at most idleSeconds. Absent: false. */
  readonly learnIdleSeconds?: boolean;
  /**
   * Idleness counted in whole periods of this many seconds from the end of the period a
   * node emptied in, as a CloudWatch alarm sees it; absent or 0: continuously. Not a config
   * key: simulations set it to replay peer policies whose scale-in is alarm-driven.
   */
  readonly idleEvaluationSeconds?: number;
  /** Type name or pattern → nodes kept even when idle. */
  readonly warmNodes: Readonly<Record<string, number>>;
  readonly maxHeldJobs: number;
  readonly visibilitySeconds: number;
  /** No new jobs on a busy node using less than `utilizationBelow` of its most used resource, while the rest can absorb its share. */
  readonly consolidation: { readonly enabled: boolean; readonly utilizationBelow: number };
  readonly api: Readonly<Record<ApiOperation, { readonly concurrency: number; readonly perSecond: number }>>;
}

export type ApiOperation = 'launch' | 'startTasks' | 'terminate' | 'describe';
