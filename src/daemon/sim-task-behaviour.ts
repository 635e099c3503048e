import type { TaskBehaviour } from '../adapters/sim/sim-options.ts';
import type { SimCloudConfig } from '../config/config-schema.ts';
import { seededRandom } from '../core/random.ts';

/**
 * How simulated tasks run, from the config: each algorithm's duration (±10 %, so tasks
 * do not all end on the same tick) and a share that exits non-zero. Seeded: same config,
 * same run.
 */
export function simTaskBehaviour(sim: SimCloudConfig): TaskBehaviour {
  const random = seededRandom(sim.seed + 7919);
  return (spec) => {
    const base = sim.durationSeconds[spec.algorithm] ?? sim.defaultDurationSeconds;
    return { durationSeconds: base * (0.9 + 0.2 * random()), exitCode: random() < sim.failureRate ? 1 : 0 };
  };
}
