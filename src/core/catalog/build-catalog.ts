// Turns the built-in type list plus the operator's catalog options into the catalog the
// planner uses. Every option that names something must name something real: a typo in a
// pattern or a price override is an error, never a silently smaller or mispriced catalog.

import { allocatableOf, type OverheadRule } from './allocatable.ts';
import { BUILTIN_INSTANCE_TYPES } from './builtin-types.ts';
import { ARCHITECTURES, type InstanceType, type InstanceTypeSpec } from './instance-type.ts';
import { isValidTypePattern, matchesAnyTypePattern, matchesTypePattern } from './type-pattern.ts';
import { closestMatch, formatPath, type PathSegment } from '../user-text.ts';

export interface CatalogOptions {
  /** Type names or patterns ("g5.*") to keep; absent or empty keeps every type. */
  readonly include?: readonly string[];
  /** Type names or patterns to drop; applied after include. */
  readonly exclude?: readonly string[];
  /** On-demand USD per hour by exact type name, replacing the built-in price. */
  readonly prices?: Readonly<Record<string, number>>;
  /** Types the built-in list lacks (e.g. a new generation); include/exclude apply to them too. */
  readonly add?: readonly InstanceTypeSpec[];
  readonly overhead: OverheadRule;
}

/** One mistake in the catalog options: where (relative to them), what, what is expected. */
export interface CatalogIssue {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** Every mistake in the catalog options at once; the message lists them one per line. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  readonly issues: readonly CatalogIssue[];

  constructor(issues: readonly CatalogIssue[]) {
    super(issues.map((i) => `catalog${i.path.length > 0 ? ` ${formatPath(i.path)}` : ''}: ${i.message}`).join('\n'));
    this.issues = issues;
  }
}

// "c6i.2xlarge", "c7i-flex.large", "c7i.metal-24xl", "u-6tb1.112xlarge"
const TYPE_NAME = /^[a-z0-9-]+\.[a-z0-9-]+$/;

/** "c6i.2xlarge" -> "c6i". */
export function familyOf(typeName: string): string {
  if (!TYPE_NAME.test(typeName)) {
    throw new CatalogError([{ path: [], message: `"${typeName}" is not an instance type name; expected "<family>.<size>" in lower case, e.g. "c6i.2xlarge"` }]);
  }
  return typeName.slice(0, typeName.indexOf('.'));
}

export function buildCatalog(options: CatalogOptions, builtin: readonly InstanceTypeSpec[] = BUILTIN_INSTANCE_TYPES): InstanceType[] {
  const issues: CatalogIssue[] = [];
  const report = (path: readonly PathSegment[], message: string): void => void issues.push({ path, message });
  const specsByName = withAddedTypes(builtin, options.add ?? [], report);
  const knownNames = [...specsByName.keys()];
  const include = options.include ?? [];
  const exclude = options.exclude ?? [];
  // Patterns are checked against every known type, so an exclude that only names types
  // include already dropped is still accepted: it names something real.
  checkPatterns('include', include, knownNames, report);
  checkPatterns('exclude', exclude, knownNames, report);
  const priceOverrides = checkedPriceOverrides(options.prices ?? {}, knownNames, report);
  if (issues.length > 0) throw new CatalogError(issues);

  const kept = knownNames.filter(
    (name) => (include.length === 0 || matchesAnyTypePattern(name, include)) && !matchesAnyTypePattern(name, exclude),
  );
  if (kept.length === 0) {
    throw new CatalogError([
      {
        path: [],
        message:
          `include ${JSON.stringify(include)} and exclude ${JSON.stringify(exclude)} leave no instance type; ` +
          `expected at least one of the ${knownNames.length} known types to remain`,
      },
    ]);
  }

  // Code-unit order, not localeCompare: the same catalog on every machine.
  kept.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return kept.map((name) => {
    const spec = copyOfSpec(specsByName.get(name)!, priceOverrides.get(name));
    return { ...spec, family: familyOf(name), allocatable: allocatableOf(spec, options.overhead) };
  });
}

type Report = (path: readonly PathSegment[], message: string) => void;

function withAddedTypes(builtin: readonly InstanceTypeSpec[], added: readonly InstanceTypeSpec[], report: Report): Map<string, InstanceTypeSpec> {
  const byName = new Map<string, InstanceTypeSpec>();
  for (const spec of builtin) {
    // Not the operator's doing, hence a plain Error.
    if (byName.has(spec.name)) throw new Error(`built-in instance type list has "${spec.name}" twice`);
    byName.set(spec.name, spec);
  }
  const addedAt = new Map<string, number>();
  added.forEach((spec, index) => {
    if (!isSoundSpec(spec, index, report)) return;
    const earlier = addedAt.get(spec.name);
    if (earlier !== undefined) {
      report(['add', index, 'name'], `"${spec.name}" is already added by add[${earlier}]; expected each added type once`);
    } else if (byName.has(spec.name)) {
      report(
        ['add', index, 'name'],
        `"${spec.name}" is already a built-in type; expected only types the built-in list lacks ` +
          `(to change its price, use prices: { "${spec.name}": <USD per hour> })`,
      );
    } else {
      addedAt.set(spec.name, index);
      byName.set(spec.name, spec);
    }
  });
  return byName;
}

function isSoundSpec(spec: InstanceTypeSpec, index: number, report: Report): boolean {
  let sound = true;
  const fail = (field: string, what: string, expected: string): void => {
    report(['add', index, field], `${typeof spec.name === 'string' ? `("${spec.name}") ` : ''}${what}; expected ${expected}`);
    sound = false;
  };
  if (typeof spec.name !== 'string' || !TYPE_NAME.test(spec.name)) {
    fail('name', `name ${JSON.stringify(spec.name)} is not an instance type name`, '"<family>.<size>" in lower case, e.g. "c8i.2xlarge"');
  }
  if (!isWholeNumber(spec.vcpu) || spec.vcpu <= 0) fail('vcpu', `vcpu is ${String(spec.vcpu)}`, 'a positive whole number of vCPUs');
  if (!isWholeNumber(spec.memoryMiB) || spec.memoryMiB <= 0) {
    fail('memoryMiB', `memoryMiB is ${String(spec.memoryMiB)}`, 'a positive whole number of MiB (advertised GiB × 1024)');
  }
  if (!isWholeNumber(spec.gpu) || spec.gpu < 0) fail('gpu', `gpu is ${String(spec.gpu)}`, 'a whole number of GPUs, 0 for none');
  if (spec.gpu > 0 && (typeof spec.gpuModel !== 'string' || spec.gpuModel === '')) {
    fail('gpuModel', `gpu is ${spec.gpu} but gpuModel is missing`, 'the GPU model, e.g. "L4"');
  }
  if (spec.gpu === 0 && spec.gpuModel !== undefined) {
    fail('gpuModel', `gpuModel is "${spec.gpuModel}" but gpu is 0`, 'no gpuModel on a type without GPUs');
  }
  if (!ARCHITECTURES.includes(spec.architecture)) {
    fail('architecture', `architecture is ${JSON.stringify(spec.architecture)}`, ARCHITECTURES.map((a) => `"${a}"`).join(' or '));
  }
  if (!isPositivePrice(spec.pricePerHour)) {
    fail('pricePerHour', `pricePerHour is ${String(spec.pricePerHour)}`, 'a positive on-demand price in USD per hour');
  }
  return sound;
}

function checkedPriceOverrides(prices: Readonly<Record<string, number>>, knownNames: readonly string[], report: Report): Map<string, number> {
  const known = new Set(knownNames);
  const overrides = new Map<string, number>();
  for (const [name, price] of Object.entries(prices)) {
    if (!known.has(name)) {
      report(['prices', name], `no instance type "${name}" in the catalog; expected the exact name of a built-in or added type` + didYouMean(name, knownNames));
    } else if (!isPositivePrice(price)) {
      report(['prices', name], `price is ${String(price)}; expected a positive on-demand price in USD per hour`);
    } else {
      overrides.set(name, price);
    }
  }
  return overrides;
}

function checkPatterns(option: 'include' | 'exclude', patterns: readonly string[], knownNames: readonly string[], report: Report): void {
  patterns.forEach((pattern, index) => {
    if (typeof pattern !== 'string' || !isValidTypePattern(pattern)) {
      report(
        [option, index],
        `${JSON.stringify(pattern)} is not an instance type name or pattern; ` + 'expected letters, digits, ".", "-" and the wildcards "*" and "?", e.g. "g5.*"',
      );
    } else if (!knownNames.some((name) => matchesTypePattern(name, pattern))) {
      const familyPatterns = [...new Set(knownNames.map((name) => `${familyOf(name)}.*`))];
      report(
        [option, index],
        `"${pattern}" matches no instance type in the catalog; expected a name or pattern of a built-in or added type` +
          didYouMean(pattern, [...familyPatterns, ...knownNames]),
      );
    }
  });
}

/** A copy that shares nothing with the caller's object and carries no stray fields. */
function copyOfSpec(spec: InstanceTypeSpec, priceOverride: number | undefined): InstanceTypeSpec {
  const pricePerHour = priceOverride ?? spec.pricePerHour;
  const { name, vcpu, memoryMiB, gpu, architecture } = spec;
  return spec.gpuModel === undefined
    ? { name, vcpu, memoryMiB, gpu, architecture, pricePerHour }
    : { name, vcpu, memoryMiB, gpu, gpuModel: spec.gpuModel, architecture, pricePerHour };
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function isPositivePrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** " (did you mean "g5.*"?)" for a near miss, "" when nothing is close. */
function didYouMean(typed: string, candidates: readonly string[]): string {
  const close = closestMatch(typed, candidates);
  return close === undefined ? '' : ` (did you mean "${close}"?)`;
}
