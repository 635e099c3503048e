// A seeded working day of a microscopy lab as a trace: researchers upload plates of
// images in bursts, and every upload runs a pipeline of the config's algorithms on its
// images. The simulation benchmark (bench:sim) and `loadmaster trace synth` use it.
import type { AlgorithmConfig, LoadmasterConfig } from '../../config/config-schema.ts';
import { seededRandom, type Random } from '../../core/random.ts';
import { simTaskBehaviour } from '../../daemon/sim-task-behaviour.ts';
import type { JobMessage } from '../../jobs/job-message.ts';
import { jobDemand } from '../../jobs/job-demand.ts';
import { randomInt, weightedIndex } from './random.ts';
import { byArrival, type Trace, type TraceJob } from './trace.ts';

export interface ImageProcessingTraceOptions {
  readonly config: LoadmasterConfig;
  readonly seed: number;
  /** Plates uploaded over the day (default 40). */
  readonly uploads?: number;
  /** Uploads start within this many hours (default 8). */
  readonly workingHours?: number;
  /** Images per plate, both ends included (default 20 to 200). */
  readonly imagesPerPlate?: { readonly min: number; readonly max: number };
}

export const DEFAULT_UPLOADS = 40;
const DEFAULT_WORKING_HOURS = 8;
const DEFAULT_IMAGES_PER_PLATE = { min: 20, max: 200 } as const;

type AlgorithmKind = 'cpu' | 'memory' | 'gpu' | 'multi-gpu';

/** How often a kind of algorithm is part of a pipeline: cheap CPU steps are common, multi-GPU ones rare. */
const KIND_WEIGHTS: { readonly [K in AlgorithmKind]: number } = { 'cpu': 6, 'memory': 2, 'gpu': 3, 'multi-gpu': 0.5 };
const LARGE_MEMORY_MIB = 32 * 1024;
const MAX_PIPELINE_STEPS = 3;
const MAX_UPLOADS_PER_BURST = 4;

function kindOf(algorithm: AlgorithmConfig): AlgorithmKind {
  const { gpu, memoryMiB } = algorithm.resources;
  if (gpu > 1) return 'multi-gpu';
  if (gpu === 1) return 'gpu';
  return memoryMiB >= LARGE_MEMORY_MIB ? 'memory' : 'cpu';
}

/** An algorithm whose command takes every input at once ({inputs}) runs once per plate; the others once per image. */
function runsPerPlate(algorithm: AlgorithmConfig): boolean {
  return algorithm.command?.some((argument) => argument.includes('{inputs}')) ?? false;
}

/**
 * One day of uploads. Uploads come in bursts of one to four plates (a researcher's
 * session: plates 30 s to 5 min apart), each burst at a random time within the working
 * hours; a plate's images land one every 0.2 to 1 s. Each plate gets a pipeline of one to
 * three distinct algorithms, drawn by kind (CPU, large-memory, GPU, multi-GPU; see
 * KIND_WEIGHTS). The plate fans out: a per-image step gets one job per image, submitted as
 * the image lands; a whole-plate step ({inputs} in its command) fans in, one job with
 * every image, once the last image has landed. Steps are not chained (a trace's arrival
 * times are fixed). Required env variables are filled in.
 *
 * Each job runs for its algorithm's `cloud.sim.durationSeconds` (else
 * `defaultDurationSeconds`) ±10 %, drawn as the simulated cloud draws them
 * (simTaskBehaviour), and exits 0. Durations come from a random stream of their own, so
 * the arrivals of a seed do not depend on them. Same options, same trace.
 */
export function generateImageProcessingTrace(options: ImageProcessingTraceOptions): Trace {
  const uploads = options.uploads ?? DEFAULT_UPLOADS;
  const hours = options.workingHours ?? DEFAULT_WORKING_HOURS;
  const images = options.imagesPerPlate ?? DEFAULT_IMAGES_PER_PLATE;
  if (!(Number.isInteger(uploads) && uploads >= 0)) throw new RangeError(`generateImageProcessingTrace: uploads must be a whole number >= 0, got ${uploads}`);
  if (!(hours > 0)) throw new RangeError(`generateImageProcessingTrace: workingHours must be > 0, got ${hours}`);
  if (!(Number.isInteger(images.min) && Number.isInteger(images.max) && images.min >= 1 && images.max >= images.min)) {
    throw new RangeError(`generateImageProcessingTrace: imagesPerPlate must be whole numbers with 1 <= min <= max, got ${images.min}..${images.max}`);
  }
  const algorithms = Object.entries(options.config.algorithms);
  if (algorithms.length === 0) throw new Error('generateImageProcessingTrace: the config has no algorithms');

  const random = seededRandom(options.seed);
  const weights = algorithms.map(([, a]) => KIND_WEIGHTS[kindOf(a)]);
  const width = String(Math.max(uploads, 1)).length;
  const arrivals: { readonly at: number; readonly message: JobMessage }[] = [];
  let bursts = 0;
  let perPlateJobs = 0;
  for (let plate = 0; plate < uploads; ) {
    let uploadAt = random() * hours * 3600;
    const burst = Math.min(randomInt(random, 1, MAX_UPLOADS_PER_BURST), uploads - plate);
    bursts++;
    for (let b = 0; b < burst; b++, plate++) {
      const plateName = `plate-${String(plate + 1).padStart(width, '0')}`;
      const pipeline = drawPipeline(random, weights).map((i) => algorithms[i]!);
      const imageCount = randomInt(random, images.min, images.max);
      const landings: { readonly at: number; readonly uri: string }[] = [];
      let at = uploadAt;
      for (let image = 1; image <= imageCount; image++) {
        at += 0.2 + 0.8 * random();
        landings.push({ at: roundMs(at), uri: `s3://lab-uploads/${plateName}/image-${String(image).padStart(3, '0')}.tif` });
      }
      const workflow = (step: string): JobMessage['workflow'] => ({ name: pipeline.map(([name]) => name).join('+'), runId: plateName, step });
      for (const [name, algorithm] of pipeline) {
        const base = { version: 1 as const, algorithm: name, env: requiredEnv(algorithm), priority: 0, attempt: 1, outputPrefix: `s3://lab-results/${plateName}/${name}/`, workflow: workflow(name) };
        if (runsPerPlate(algorithm)) {
          perPlateJobs++;
          arrivals.push({ at: landings.at(-1)!.at, message: { ...base, jobId: `${plateName}.${name}`, inputs: landings.map((l) => l.uri) } });
        } else {
          landings.forEach((landing, i) => {
            arrivals.push({ at: landing.at, message: { ...base, jobId: `${plateName}.${name}.image-${String(i + 1).padStart(3, '0')}`, inputs: [landing.uri] } });
          });
        }
      }
      uploadAt += randomInt(random, 30, 300);
    }
  }

  const sim = options.config.cloud.sim;
  const behaviour = simTaskBehaviour({ ...sim, seed: options.seed, failureRate: 0 });
  const jobs = byArrival(
    arrivals.map(({ at, message }): TraceJob => {
      const algorithm = options.config.algorithms[message.algorithm]!;
      const { durationSeconds } = behaviour({ ...message, demand: jobDemand(algorithm, message.resources) });
      return { at, message, durationSeconds: roundMs(durationSeconds), exitCode: 0 };
    }),
  );

  const plural = (count: number, noun: string): string => `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
  const source = `synthetic image-processing day (seed ${options.seed}, ${plural(uploads, 'upload')} within ${hours} h, ${images.min} to ${images.max} images per plate)`;
  const notes = [
    `${plural(uploads, 'plate')} uploaded in ${plural(bursts, 'burst')}; ${plural(jobs.length, 'job')}: ${(jobs.length - perPlateJobs).toLocaleString('en-US')} per image, ${perPlateJobs.toLocaleString('en-US')} per plate`,
    'steps are not chained: per-image steps arrive as each image lands, whole-plate steps when the last image has landed',
    `durations: the config's cloud.sim.durationSeconds per algorithm (else ${sim.defaultDurationSeconds} s) ±10 %; every job exits 0`,
  ];
  return { source, jobs, notes };
}

/** One to three distinct algorithm indices, drawn by weight without replacement. */
function drawPipeline(random: Random, weights: readonly number[]): number[] {
  const left = [...weights];
  const steps = randomInt(random, 1, Math.min(MAX_PIPELINE_STEPS, weights.filter((w) => w > 0).length));
  const pipeline: number[] = [];
  for (let s = 0; s < steps; s++) {
    const i = weightedIndex(random, left);
    pipeline.push(i);
    left[i] = 0;
  }
  return pipeline;
}

function requiredEnv(algorithm: AlgorithmConfig): Record<string, string> {
  return Object.fromEntries(algorithm.env.required.map((name) => [name, `bench-${name.toLowerCase()}`]));
}

function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
