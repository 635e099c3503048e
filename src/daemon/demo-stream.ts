import type { LoadmasterConfig } from '../config/config-schema.ts';
import type { ControllerApi } from '../controller/controller-view.ts';
import { seededRandom } from '../core/random.ts';
import type { JobMessage } from '../jobs/job-message.ts';
import type { Clock } from '../ports/clock.ts';

/**
 * `loadmaster run --demo`: researchers uploading plates of images. Every few minutes
 * (of the clock) a burst of uploads arrives; each upload becomes one job per algorithm
 * of the config, in turn, with the required env filled in. Enough to watch instances
 * launch, jobs run and idle nodes go away.
 */
export async function runDemoStream(
  api: ControllerApi,
  config: LoadmasterConfig,
  clock: Clock,
  signal: AbortSignal,
  options: { readonly bursts?: number; readonly seed?: number } = {},
): Promise<void> {
  const random = seededRandom(options.seed ?? 42);
  const algorithms = Object.keys(config.algorithms);
  const bursts = options.bursts ?? 6;
  let counter = 0;
  for (let burst = 1; burst <= bursts && !signal.aborted; burst++) {
    const uploads = 10 + Math.floor(random() * 30);
    const messages: JobMessage[] = [];
    for (let u = 0; u < uploads; u++) {
      const algorithm = algorithms[(counter + u) % algorithms.length]!;
      const env = Object.fromEntries(config.algorithms[algorithm]!.env.required.map((name) => [name, 'demo']));
      const jobId = `demo-${burst}-${u}`;
      messages.push({
        version: 1,
        jobId,
        algorithm,
        inputs: [`s3://demo-uploads/plate-${burst}/image-${u}.tif`],
        outputPrefix: `s3://demo-results/plate-${burst}/${jobId}/`,
        env,
        priority: 0,
        attempt: 1,
      });
    }
    counter += uploads;
    await api.submit(messages);
    // Three to eight minutes until the next plate.
    await clock.sleep((180 + random() * 300) * 1000, signal).catch(() => undefined);
  }
}
