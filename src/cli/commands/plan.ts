// `loadmaster plan --config FILE --state SNAPSHOT.json [--json]`: what the scheduler
// would do right now for this queue and fleet, without touching AWS.
import { catalogFromConfig } from '../../config/config-to-core.ts';
import { InputError } from '../../config/input-issues.ts';
import { loadConfigFile } from '../../config/load-config.ts';
import type { PlannerInput } from '../../core/planner/plan-types.ts';
import { planFleet } from '../../core/planner/planner.ts';
import { loadSnapshotFile } from '../../snapshot/load-snapshot.ts';
import { snapshotToPlannerInput } from '../../snapshot/snapshot-to-planner-input.ts';
import type { CliIo } from '../cli-io.ts';
import { renderPlan } from '../render-plan.ts';
import { reportInputError } from '../report-input-error.ts';

export interface PlanOptions {
  readonly config: string;
  readonly state: string;
  readonly json?: boolean;
}

export async function runPlan(options: PlanOptions, io: CliIo): Promise<number> {
  let input: PlannerInput;
  try {
    const config = await loadConfigFile(options.config);
    const { snapshot, source, locate } = await loadSnapshotFile(options.state);
    input = snapshotToPlannerInput(snapshot, config, { source, locate, catalog: catalogFromConfig(config) });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return reportInputError(io, error);
  }
  // From here on a failure is loadmaster's, not the user's: main() reports it as internal.
  const plan = planFleet(input);
  io.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan, input));
  return 0;
}
