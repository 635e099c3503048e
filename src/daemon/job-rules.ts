import type { LoadmasterConfig } from '../config/config-schema.ts';
import type { InstanceType } from '../core/catalog/instance-type.ts';
import type { JobRules } from '../controller/controller.ts';
import type { JobMessage } from '../jobs/job-message.ts';
import { parseJobMessage } from '../jobs/parse-job-message.ts';
import { checkAgainstConfig, jobDemandAndConstraints } from '../jobs/validate-job-message.ts';

/**
 * The config's word on jobs, for the controller: which messages are valid, what each
 * job needs, and which failures get another attempt (the algorithm's retry rules; an
 * attempt lost with its instance, no exit code, is always worth another).
 */
export function jobRulesFromConfig(config: LoadmasterConfig, catalog: readonly InstanceType[]): JobRules {
  const algorithmOf = (message: JobMessage) => {
    const algorithm = Object.hasOwn(config.algorithms, message.algorithm) ? config.algorithms[message.algorithm] : undefined;
    if (!algorithm) throw new Error(`job ${message.jobId}: unknown algorithm ${message.algorithm} (check() should have refused it)`);
    return algorithm;
  };
  return {
    parse: parseJobMessage,
    check: (message) => checkAgainstConfig(message, config, catalog),
    demandAndConstraints: (message) => jobDemandAndConstraints(message, algorithmOf(message), catalog),
    timeoutSeconds: (algorithm) => (Object.hasOwn(config.algorithms, algorithm) ? config.algorithms[algorithm]!.timeoutSeconds : undefined),
    shouldRetry: (message, exitCode) => {
      const { attempts, exitCodes } = algorithmOf(message).retry;
      if (message.attempt >= attempts) return false;
      return exitCode === undefined || exitCodes.length === 0 || exitCodes.includes(exitCode);
    },
  };
}
