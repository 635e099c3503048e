import type { InstanceType } from '../catalog/instance-type.ts';
import { matchesAnyTypePattern } from '../catalog/type-pattern.ts';
import { DIMENSIONS, fits, formatResources, shortfall, type Resources } from '../resources.ts';
import { describeValue, listAlternatives } from '../user-text.ts';
import type { JobConstraints } from './plan-types.ts';

/** Whether the job's constraints allow the type (names/patterns, architecture, GPU model); size is checked apart. */
export function allowsType(constraints: JobConstraints, type: InstanceType): boolean {
  if (constraints.instanceTypes && !matchesAnyTypePattern(type.name, constraints.instanceTypes)) return false;
  if (constraints.architecture && constraints.architecture !== type.architecture) return false;
  if (constraints.gpuModels && (type.gpuModel === undefined || !constraints.gpuModels.includes(type.gpuModel))) return false;
  return true;
}

/** Whether a job may run on a type at all: its constraints allow the type, and one job fits it empty. */
export function canHold(type: InstanceType, demand: Resources, constraints: JobConstraints): boolean {
  return allowsType(constraints, type) && fits(demand, type.allocatable);
}

/** The constraints in the user's own words: `instanceTypes ["g5.*"] and architecture arm64`; "any type" when none. */
export function describeConstraints(constraints: JobConstraints): string {
  const parts: string[] = [];
  if (constraints.instanceTypes) parts.push(`instanceTypes ${describeValue(constraints.instanceTypes)}`);
  if (constraints.architecture) parts.push(`architecture ${constraints.architecture}`);
  if (constraints.gpuModels) parts.push(`gpuModels ${describeValue(constraints.gpuModels)}`);
  return parts.length > 0 ? listAlternatives(parts, 'and') : 'any type';
}

/** Why no catalog type can ever hold a job: its constraints allow none, or it is larger than every one they allow. */
export interface NoCompatibleType {
  readonly cause: 'constraints' | 'size';
  /** One sentence; the config check and the planner's wait reasons say it the same way. */
  readonly message: string;
}

export function explainNoCompatibleType(demand: Resources, constraints: JobConstraints, catalog: readonly InstanceType[]): NoCompatibleType | undefined {
  const candidates = catalog.filter((t) => allowsType(constraints, t));
  if (candidates.length === 0) return { cause: 'constraints', message: `no catalog type satisfies ${describeConstraints(constraints)} together` };
  if (candidates.some((t) => fits(demand, t.allocatable))) return undefined;
  const closest = closestCandidate(demand, candidates);
  return {
    cause: 'size',
    message:
      `needs ${formatResources(demand)}, which fits no instance type it may run on; the largest candidate, ${closest.name}, ` +
      `offers ${formatResources(closest.allocatable)} allocatable (short on ${listAlternatives(shortfall(demand, closest.allocatable), 'and')})`,
  };
}

/** The candidate that comes closest to holding `demand`: most dimensions covered, then the largest. */
function closestCandidate(demand: Resources, candidates: readonly InstanceType[]): InstanceType {
  const coverage = (type: InstanceType): number =>
    DIMENSIONS.reduce((sum, d) => sum + (demand[d] === 0 ? 1 : Math.min(1, type.allocatable[d] / demand[d])), 0);
  const size = (type: InstanceType): number => DIMENSIONS.reduce((sum, d) => sum + (demand[d] === 0 ? 0 : type.allocatable[d] / demand[d]), 0);
  return candidates.reduce((best, type) => {
    const difference = coverage(type) - coverage(best);
    return difference > 0 || (difference === 0 && size(type) > size(best)) ? type : best;
  });
}
