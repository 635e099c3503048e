import type { InstanceType } from '../catalog/instance-type.ts';
import { matchesAnyTypePattern } from '../catalog/type-pattern.ts';
import { DIMENSIONS, DIMENSION_INFO, fits, type Resources } from '../resources.ts';
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

/** The constraints' own words: "instanceTypes g5.*, architecture arm64". */
export function describeConstraints(constraints: JobConstraints): string {
  const parts: string[] = [];
  if (constraints.instanceTypes) parts.push(`instanceTypes ${constraints.instanceTypes.join(' ')}`);
  if (constraints.architecture) parts.push(`architecture ${constraints.architecture}`);
  if (constraints.gpuModels) parts.push(`gpuModels ${constraints.gpuModels.join(' ')}`);
  return parts.join(', ');
}

/**
 * Why no type in the catalog can ever hold the job, in one sentence; undefined when
 * one can.
 */
export function explainNoCompatibleType(demand: Resources, constraints: JobConstraints, catalog: readonly InstanceType[]): string | undefined {
  const allowed = catalog.filter((t) => allowsType(constraints, t));
  if (allowed.length === 0) {
    return `no instance type in the catalog matches ${describeConstraints(constraints)}`;
  }
  if (allowed.some((t) => fits(demand, t.allocatable))) return undefined;
  const short = DIMENSIONS.filter((d) => allowed.every((t) => demand[d] > t.allocatable[d]));
  const scope = describeConstraints(constraints);
  if (short.length > 0) {
    const offers = short.map((d) => {
      const largest = allowed.reduce((a, b) => (b.allocatable[d] > a.allocatable[d] ? b : a));
      return `${DIMENSION_INFO[d].format(largest.allocatable[d])} (${largest.name})`;
    });
    return (
      `no instance type ${scope ? `matching ${scope} ` : ''}can hold ${short.map((d) => DIMENSION_INFO[d].format(demand[d])).join(' and ')}: ` +
      `the most any offers is ${offers.join(' and ')}`
    );
  }
  // Each dimension fits somewhere, but never all on one type.
  return `no single instance type ${scope ? `matching ${scope} ` : ''}has ${DIMENSIONS.map((d) => DIMENSION_INFO[d].format(demand[d])).join(', ')} allocatable at once`;
}
