// Which algorithm a task runs, from its task definition: for tasks that carry no
// LOADMASTER_ALGORITHM (started by a version of loadmaster before it set one), so that a
// restart still knows their algorithm, hence their timeout.

/** A task definition reference: family, family:revision, or an ARN ending in task-definition/family[:revision]. */
interface TaskDefinitionRef {
  readonly family: string;
  readonly revision?: string;
}

function parseRef(ref: string): TaskDefinitionRef {
  const marker = 'task-definition/';
  const at = ref.indexOf(marker);
  const name = ref.startsWith('arn:') && at >= 0 ? ref.slice(at + marker.length) : ref;
  const colon = name.lastIndexOf(':');
  return colon < 0 ? { family: name } : { family: name.slice(0, colon), revision: name.slice(colon + 1) };
}

/**
 * The algorithm whose configured task definition (`taskDefinitionOf`) a task's
 * `taskDefinitionArn` is: one configured with that revision, else one configured with the
 * family alone (any revision). Undefined when none is, or when two algorithms share the
 * best match (their tasks cannot be told apart).
 */
export function algorithmByTaskDefinition(algorithms: readonly string[], taskDefinitionOf: (algorithm: string) => string): (taskDefinitionArn: string) => string | undefined {
  const refs = algorithms.map((algorithm) => ({ algorithm, ref: parseRef(taskDefinitionOf(algorithm)) }));
  return (taskDefinitionArn) => {
    const task = parseRef(taskDefinitionArn);
    const sameFamily = refs.filter((r) => r.ref.family === task.family);
    const exact = sameFamily.filter((r) => r.ref.revision !== undefined && r.ref.revision === task.revision);
    const best = exact.length > 0 ? exact : sameFamily.filter((r) => r.ref.revision === undefined);
    return best.length === 1 ? best[0]!.algorithm : undefined;
  };
}
