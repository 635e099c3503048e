// Which instance types a job may use. The constraint rules are the planner's own
// (src/core/planner/compatibility.ts), so the benchmarks and the planner agree on what
// "compatible" means; the size check is added here.

import type { InstanceType } from '../src/core/catalog/instance-type.ts';
import { allowsType } from '../src/core/planner/compatibility.ts';
import type { JobConstraints } from '../src/core/planner/plan-types.ts';
import { fits, type Resources } from '../src/core/resources.ts';

/** Whether a job may run on a type at all: its constraints allow the type, and one job fits its allocatable resources. */
export function canHold(type: InstanceType, demand: Resources, constraints: JobConstraints): boolean {
  return allowsType(constraints, type) && fits(demand, type.allocatable);
}
