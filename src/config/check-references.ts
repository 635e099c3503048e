// The checks that need the instance type catalog: every pattern a config names must
// match a type loadmaster may launch, and every algorithm must fit at least one type
// its constraints allow — otherwise its jobs would wait forever.
import { CatalogError } from '../core/catalog/build-catalog.ts';
import { BUILTIN_INSTANCE_TYPES } from '../core/catalog/builtin-types.ts';
import type { InstanceType } from '../core/catalog/instance-type.ts';
import { allowsType } from '../core/planner/compatibility.ts';
import { matchesTypePattern } from '../core/catalog/type-pattern.ts';
import { DIMENSIONS, fits, formatResources, shortfall, type Resources } from '../core/resources.ts';
import type { AlgorithmConfig, LoadmasterConfig } from './config-schema.ts';
import { algorithmConstraints, algorithmDemand, catalogFromConfig } from './config-to-core.ts';
import { describeValue, formatPath, listAlternatives, type InputIssue, type PathSegment } from './input-issues.ts';
import type { LineLocator } from './source-locations.ts';

/** Every cross-reference problem in an already schema-valid config; empty when it is sound. */
export function checkReferences(config: LoadmasterConfig, locate: LineLocator): InputIssue[] {
  const issues: InputIssue[] = [];
  const report = (path: readonly PathSegment[], message: string): void => {
    const line = locate(path);
    issues.push(line === undefined ? { path: formatPath(path), message } : { path: formatPath(path), message, line });
  };

  checkCatalogSection(config, report);
  if (issues.length > 0) return issues;

  let catalog: InstanceType[];
  try {
    catalog = catalogFromConfig(config);
  } catch (error) {
    if (error instanceof CatalogError) {
      // Its messages may start with "catalog: "; the path already says so.
      report(['catalog'], error.message.replace(/^catalog: /, ''));
      return issues;
    }
    throw error;
  }
  if (catalog.length === 0) {
    report(['catalog'], 'no instance types are left after catalog.include and catalog.exclude; expected at least one');
    return issues;
  }

  const knownNames = knownTypeNames(config);
  for (const pattern of Object.keys(config.policy.typeLimits)) {
    const problem = patternProblem(pattern, catalog, knownNames);
    if (problem) report(['policy', 'typeLimits', pattern], problem);
  }
  for (const [name, algorithm] of Object.entries(config.algorithms)) {
    checkAlgorithm(['algorithms', name], algorithm, catalog, knownNames, report);
  }
  return issues;
}

type Report = (path: readonly PathSegment[], message: string) => void;

/** Built-in types plus catalog.add: what include, exclude and prices may name. */
function knownTypeNames(config: LoadmasterConfig): string[] {
  return [...BUILTIN_INSTANCE_TYPES.map((t) => t.name), ...config.catalog.add.map((t) => t.name)];
}

function checkCatalogSection(config: LoadmasterConfig, report: Report): void {
  const known = knownTypeNames(config);
  const unknownPattern = (pattern: string): string =>
    `${describeValue(pattern)} matches no built-in instance type nor one under catalog.add; expected a known type name or pattern such as "c7g.*"`;
  config.catalog.include?.forEach((pattern, index) => {
    if (!known.some((name) => matchesTypePattern(name, pattern))) report(['catalog', 'include', index], unknownPattern(pattern));
  });
  config.catalog.exclude.forEach((pattern, index) => {
    if (!known.some((name) => matchesTypePattern(name, pattern))) report(['catalog', 'exclude', index], unknownPattern(pattern));
  });
  const builtinNames = new Set(BUILTIN_INSTANCE_TYPES.map((t) => t.name));
  const addedNames = new Set<string>();
  config.catalog.add.forEach(({ name }, index) => {
    if (builtinNames.has(name)) {
      report(['catalog', 'add', index, 'name'], `${describeValue(name)} is already a built-in type; expected a type the built-in list lacks (to change its price, use catalog.prices)`);
    } else if (addedNames.has(name)) {
      report(['catalog', 'add', index, 'name'], `${describeValue(name)} is added twice; expected each added type once`);
    }
    addedNames.add(name);
  });
  for (const name of Object.keys(config.catalog.prices)) {
    if (!known.includes(name)) {
      report(['catalog', 'prices', name], `${describeValue(name)} is not a built-in instance type nor one under catalog.add; expected a known type name`);
    }
  }
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

  const demand = algorithmDemand(algorithm);
  // The planner's own rule, so a config that passes here is one the planner can serve.
  const constraints = algorithmConstraints(algorithm);
  const candidates = catalog.filter((type) => allowsType(constraints, type));
  if (candidates.length === 0) {
    report(path, `no catalog type satisfies ${describeConstraints(algorithm)} together; expected at least one`);
    return;
  }
  if (candidates.some((type) => fits(demand, type.allocatable))) return;

  const closest = closestCandidate(demand, candidates);
  const short = shortfall(demand, closest.allocatable);
  report(
    [...path, 'resources'],
    `needs ${formatResources(demand)}, which fits no instance type it may run on; the largest candidate, ${closest.name}, ` +
      `offers ${formatResources(closest.allocatable)} allocatable (short on ${listAlternatives(short, 'and')}); ` +
      `expected resources that fit, or wider instanceTypes`,
  );
}

function describeConstraints(algorithm: AlgorithmConfig): string {
  const parts: string[] = [];
  if (algorithm.instanceTypes) parts.push(`instanceTypes ${describeValue(algorithm.instanceTypes)}`);
  if (algorithm.architecture) parts.push(`architecture ${algorithm.architecture}`);
  if (algorithm.gpuModels && algorithm.resources.gpu > 0) parts.push(`gpuModels ${describeValue(algorithm.gpuModels)}`);
  return listAlternatives(parts, 'and');
}

/** The candidate that comes closest to holding `demand`: the one to name in the message. */
function closestCandidate(demand: Resources, candidates: readonly InstanceType[]): InstanceType {
  const coverage = (type: InstanceType): number =>
    DIMENSIONS.reduce((sum, d) => sum + (demand[d] === 0 ? 1 : Math.min(1, type.allocatable[d] / demand[d])), 0);
  const size = (type: InstanceType): number => DIMENSIONS.reduce((sum, d) => sum + (demand[d] === 0 ? 0 : type.allocatable[d] / demand[d]), 0);
  return candidates.reduce((best, type) => {
    const difference = coverage(type) - coverage(best);
    return difference > 0 || (difference === 0 && size(type) > size(best)) ? type : best;
  });
}
