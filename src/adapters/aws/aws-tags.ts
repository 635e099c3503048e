// The tags that mark what loadmaster owns. A restart rebuilds state from these, and
// terminate refuses any instance that lacks them, so they are the line between
// loadmaster's fleet and everything else in the account.

export const MANAGED_BY_TAG = 'loadmaster:managed-by';
export const MANAGED_BY_VALUE = 'loadmaster';
export const CLUSTER_TAG = 'loadmaster:cluster';
export const JOB_ID_TAG = 'loadmaster:job-id';
export const ATTEMPT_TAG = 'loadmaster:attempt';
/** ECS `startedBy` of every task loadmaster starts (ListTasks filters on it). */
export const STARTED_BY = 'loadmaster';

/** The tags on every instance, volume and task: the caller's extras, then ownership (which always wins). */
export function ownershipTags(clusterName: string, extraTags: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...extraTags, [MANAGED_BY_TAG]: MANAGED_BY_VALUE, [CLUSTER_TAG]: clusterName };
}

/** Whether EC2 tags (`Key`/`Value`) mark the instance as loadmaster's, in this cluster. */
export function isOwnedBy(tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined, clusterName: string): boolean {
  const value = (key: string): string | undefined => tags?.find((t) => t.Key === key)?.Value;
  return value(MANAGED_BY_TAG) === MANAGED_BY_VALUE && value(CLUSTER_TAG) === clusterName;
}

/** `cluster` may be a name or an ARN (`arn:aws:ecs:…:cluster/NAME`); tags and events compare names. */
export function clusterNameOf(cluster: string): string {
  return cluster.slice(cluster.lastIndexOf('/') + 1);
}
