// A well-formed job message checked against the config: known algorithm, env that
// matches what the algorithm declares, and resources and instance types that leave
// at least one catalog type able to run it. A message that fails is dead-lettered
// with the reason, so the reason names every problem.
import type { AlgorithmConfig, LoadmasterConfig } from '../config/config-schema.ts';
import { algorithmConstraints } from '../config/config-to-core.ts';
import { closestMatch, describeValue, formatPath, listAlternatives } from '../config/input-issues.ts';
import type { InstanceType } from '../core/catalog/instance-type.ts';
import { describeConstraints, explainNoCompatibleType } from '../core/planner/compatibility.ts';
import type { JobConstraints } from '../core/planner/plan-types.ts';
import type { Resources } from '../core/resources.ts';
import { narrowConstraints } from './job-constraints.ts';
import { jobDemand } from './job-demand.ts';
import type { JobMessage } from './job-message.ts';

/** Every way the message disagrees with the config, joined with "; "; undefined when it agrees. */
export function checkAgainstConfig(message: JobMessage, config: LoadmasterConfig, catalog: readonly InstanceType[]): string | undefined {
  const algorithm = findAlgorithm(config, message.algorithm);
  // Nothing else can be checked without the algorithm.
  if (!algorithm) return unknownAlgorithm(message.algorithm, Object.keys(config.algorithms));

  const problems = [...envProblems(message, algorithm), ...placementProblems(message, algorithm, catalog)];
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/**
 * What the planner needs for this job: the algorithm's demand with the message's override
 * merged over it, and the algorithm's constraints narrowed by the message's instanceTypes.
 * Call it on messages that passed checkAgainstConfig with the same catalog; throws otherwise.
 */
export function jobDemandAndConstraints(
  message: JobMessage,
  algorithm: AlgorithmConfig,
  catalog: readonly InstanceType[],
): { readonly demand: Resources; readonly constraints: JobConstraints } {
  const narrowing = narrowConstraints(algorithmConstraints(algorithm), message.instanceTypes, catalog);
  if (!narrowing.ok) {
    throw new Error(`job ${message.jobId}: instanceTypes ${describeValue(message.instanceTypes)} leave no catalog type; checkAgainstConfig should have rejected it`);
  }
  return { demand: jobDemand(algorithm, message.resources), constraints: narrowing.constraints };
}

function findAlgorithm(config: LoadmasterConfig, name: string): AlgorithmConfig | undefined {
  return Object.hasOwn(config.algorithms, name) ? config.algorithms[name] : undefined;
}

function unknownAlgorithm(name: string, known: readonly string[]): string {
  const suggestion = closestMatch(name, known);
  return (
    `algorithm: unknown algorithm ${describeValue(name)}; expected one of the config's algorithms: ${known.join(', ')}` +
    (suggestion ? `; did you mean "${suggestion}"?` : '')
  );
}

function envProblems(message: JobMessage, algorithm: AlgorithmConfig): string[] {
  const { required, optional } = algorithm.env;
  const problems: string[] = [];

  const missing = required.filter((name) => !Object.hasOwn(message.env, name));
  if (missing.length > 0) {
    problems.push(`env: missing ${listAlternatives(missing, 'and')}; expected every variable algorithm ${message.algorithm} requires (${required.join(', ')})`);
  }

  // An undeclared variable is most likely a typo that would silently leave the real one unset.
  const declared = [...required, ...optional];
  for (const name of Object.keys(message.env)) {
    if (declared.includes(name)) continue;
    const where = formatPath(['env', name]);
    if (declared.length === 0) {
      problems.push(`${where}: not declared by algorithm ${message.algorithm}; expected no env, as it declares no variables`);
      continue;
    }
    const suggestion = closestMatch(name, declared);
    problems.push(
      `${where}: not declared by algorithm ${message.algorithm}; expected one of its variables: ${declared.join(', ')}` +
        (suggestion ? `; did you mean "${suggestion}"?` : ''),
    );
  }
  return problems;
}

/** Whether the message's instanceTypes and resources still leave a catalog type that can run it. */
function placementProblems(message: JobMessage, algorithm: AlgorithmConfig, catalog: readonly InstanceType[]): string[] {
  const fromAlgorithm = algorithmConstraints(algorithm);
  const narrowing = narrowConstraints(fromAlgorithm, message.instanceTypes, catalog);
  if (!narrowing.ok) {
    if (narrowing.problem === 'unmatched-patterns') {
      return narrowing.unmatched.map(
        ({ index, pattern }) => `${formatPath(['instanceTypes', index])}: ${describeValue(pattern)} matches no type in the catalog; expected a pattern matching at least one`,
      );
    }
    return [
      `instanceTypes: ${describeValue(message.instanceTypes)} shares no catalog type with what algorithm ${message.algorithm} allows ` +
        `(${describeConstraints(fromAlgorithm)}); expected a narrowing of it`,
    ];
  }

  const demand = jobDemand(algorithm, message.resources);
  const noType = explainNoCompatibleType(demand, narrowing.constraints, catalog);
  if (!noType) return [];
  // The narrowing above leaves some allowed type, so only the algorithm's own constraints can allow none.
  if (noType.cause === 'constraints') return [`algorithm: ${message.algorithm} can run nowhere: ${noType.message}; expected the config to allow a catalog type`];
  // Say which of the message's own fields made the job too large; the config check vouches for the algorithm alone.
  const culprits = [
    ...(message.resources ? [`resources ${describeValue(message.resources)}`] : []),
    ...(message.instanceTypes ? [`instanceTypes ${describeValue(message.instanceTypes)}`] : []),
  ];
  const where = message.resources ? 'resources' : message.instanceTypes ? 'instanceTypes' : 'algorithm';
  const subject = culprits.length > 0 ? `with ${listAlternatives(culprits, 'and')}, the job` : `algorithm ${message.algorithm}`;
  return [`${where}: ${subject} ${noType.message}`];
}
