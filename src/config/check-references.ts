// The checks that need the instance type catalog: every pattern a config names must
// match a type loadmaster may launch, and every algorithm must fit at least one type
// its constraints allow — otherwise its jobs would wait forever. Also the checks that
// need the algorithms: simulated durations and task definitions name real algorithms.
import { CatalogError } from '../core/catalog/build-catalog.ts';
import { BUILTIN_INSTANCE_TYPES } from '../core/catalog/builtin-types.ts';
import type { InstanceType } from '../core/catalog/instance-type.ts';
import { explainNoCompatibleType } from '../core/planner/compatibility.ts';
import { matchesTypePattern } from '../core/catalog/type-pattern.ts';
import type { AlgorithmConfig, LoadmasterConfig } from './config-schema.ts';
import { algorithmConstraints, algorithmDemand, catalogFromConfig } from './config-to-core.ts';
import { closestMatch, describeValue, issueCollector, listAlternatives, type InputIssue, type PathSegment } from './input-issues.ts';
import type { LineLocator } from './source-locations.ts';

/** Every cross-reference problem in an already schema-valid config; empty when it is sound. */
export function checkReferences(config: LoadmasterConfig, locate: LineLocator): InputIssue[] {
  const issues: InputIssue[] = [];
  const report = issueCollector(issues, locate);

  let catalog: InstanceType[];
  try {
    catalog = catalogFromConfig(config);
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    for (const issue of error.issues) report(['catalog', ...issue.path], issue.message);
    return issues;
  }

  const knownNames = knownTypeNames(config);
  const patternMaps: readonly (readonly [readonly PathSegment[], Readonly<Record<string, unknown>>])[] = [
    [['policy', 'typeLimits'], config.policy.typeLimits],
    [['controller', 'warmNodes'], config.controller.warmNodes],
    [['cloud', 'sim', 'capacityErrors'], config.cloud.sim.capacityErrors],
    [['cloud', 'sim', 'neverRegister'], config.cloud.sim.neverRegister],
  ];
  for (const [path, byPattern] of patternMaps) {
    for (const pattern of Object.keys(byPattern)) {
      const problem = patternProblem(pattern, catalog, knownNames);
      if (problem) report([...path, pattern], problem);
    }
  }
  checkAlgorithmKeys(config, report);
  for (const [name, algorithm] of Object.entries(config.algorithms)) {
    checkAlgorithm(['algorithms', name], algorithm, catalog, knownNames, report);
  }
  return issues;
}

type Report = (path: readonly PathSegment[], message: string) => void;

/**
 * A simulated duration or a task definition for an algorithm that does not exist is a typo
 * that would silently fall back to the default.
 */
function checkAlgorithmKeys(config: LoadmasterConfig, report: Report): void {
  const algorithms = Object.keys(config.algorithms);
  const byAlgorithm: readonly (readonly [readonly PathSegment[], Readonly<Record<string, unknown>>])[] = [
    [['cloud', 'sim', 'durationSeconds'], config.cloud.sim.durationSeconds],
    [['cloud', 'aws', 'taskDefinitions'], config.cloud.aws?.taskDefinitions ?? {}],
  ];
  for (const [path, map] of byAlgorithm) {
    for (const name of Object.keys(map)) {
      if (algorithms.includes(name)) continue;
      const suggestion = closestMatch(name, algorithms);
      report(
        [...path, name],
        `unknown algorithm ${describeValue(name)}; expected one of the config's algorithms: ${algorithms.join(', ')}${suggestion ? `; did you mean ${describeValue(suggestion)}?` : ''}`,
      );
    }
  }
}

/** Built-in types plus catalog.add: what include, exclude and prices may name. */
function knownTypeNames(config: LoadmasterConfig): string[] {
  return [...BUILTIN_INSTANCE_TYPES.map((t) => t.name), ...config.catalog.add.map((t) => t.name)];
}

/** Why a pattern is useless against this catalog, or undefined when it matches something. */
function patternProblem(pattern: string, catalog: readonly InstanceType[], knownNames: readonly string[]): string | undefined {
  if (catalog.some((type) => matchesTypePattern(type.name, pattern))) return undefined;
  const leftOut = knownNames.filter((name) => matchesTypePattern(name, pattern));
  if (leftOut.length > 0) {
    return `${describeValue(pattern)} matches no type in the catalog (${listAlternatives(leftOut.slice(0, 3))}${leftOut.length > 3 ? ', …' : ''} left out by catalog.include/exclude); expected a pattern matching at least one catalog type`;
  }
  return `${describeValue(pattern)} matches no known instance type; expected a pattern matching at least one catalog type`;
}

function checkAlgorithm(
  path: readonly PathSegment[],
  algorithm: AlgorithmConfig,
  catalog: readonly InstanceType[],
  knownNames: readonly string[],
  report: Report,
): void {
  let constraintProblems = 0;
  algorithm.instanceTypes?.forEach((pattern, index) => {
    const problem = patternProblem(pattern, catalog, knownNames);
    if (problem) {
      report([...path, 'instanceTypes', index], problem);
      constraintProblems++;
    }
  });
  if (algorithm.gpuModels) {
    if (algorithm.resources.gpu === 0) {
      report([...path, 'gpuModels'], 'gpuModels is set but resources.gpu is 0; expected resources.gpu >= 1 or no gpuModels');
      constraintProblems++;
    } else {
      const models = [...new Set(catalog.flatMap((type) => (type.gpuModel ? [type.gpuModel] : [])))].sort();
      algorithm.gpuModels.forEach((model, index) => {
        if (!models.includes(model)) {
          report([...path, 'gpuModels', index], `no catalog type has GPU model ${describeValue(model)}; expected one of ${listAlternatives(models)}`);
          constraintProblems++;
        }
      });
    }
  }
  if (constraintProblems > 0) return;

  // The planner's own rule and words, so a config that passes here is one the planner can serve.
  const impossible = explainNoCompatibleType(algorithmDemand(algorithm), algorithmConstraints(algorithm), catalog);
  if (impossible === undefined) return;
  if (impossible.cause === 'size') report([...path, 'resources'], `${impossible.message}; expected resources that fit, or wider instanceTypes`);
  else report(path, `${impossible.message}; expected at least one`);
}
