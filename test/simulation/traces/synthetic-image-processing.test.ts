import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogFromConfig } from '../../../src/config/config-to-core.ts';
import { loadConfigFile, parseConfig } from '../../../src/config/load-config.ts';
import { parseJobMessage } from '../../../src/jobs/parse-job-message.ts';
import { checkAgainstConfig } from '../../../src/jobs/validate-job-message.ts';
import { parseJsonLinesTrace, serializeJsonLinesTrace } from '../../../src/simulation/traces/json-lines-trace.ts';
import { generateImageProcessingTrace } from '../../../src/simulation/traces/synthetic-image-processing.ts';

const config = await loadConfigFile(fileURLToPath(new URL('../../../examples/config.yaml', import.meta.url)));

describe('generateImageProcessingTrace', () => {
  it('same seed, same trace; another seed, another trace', () => {
    const a = generateImageProcessingTrace({ config, seed: 7, uploads: 12 });
    expect(generateImageProcessingTrace({ config, seed: 7, uploads: 12 })).toEqual(a);
    expect(generateImageProcessingTrace({ config, seed: 8, uploads: 12 }).jobs).not.toEqual(a.jobs);
  });

  it('yields valid messages with distinct ids, in time order, within the working day', () => {
    const catalog = catalogFromConfig(config);
    const { jobs } = generateImageProcessingTrace({ config, seed: 3, uploads: 20, workingHours: 2 });
    expect(jobs.length).toBeGreaterThan(0);
    expect(new Set(jobs.map((j) => j.message.jobId)).size).toBe(jobs.length);
    for (let i = 0; i < jobs.length; i++) {
      const { at, message } = jobs[i]!;
      if (i > 0) expect(at).toBeGreaterThanOrEqual(jobs[i - 1]!.at);
      expect(at).toBeGreaterThanOrEqual(0);
      const parsed = parseJobMessage(JSON.parse(JSON.stringify(message)));
      expect(parsed.ok).toBe(true);
      expect(checkAgainstConfig(message, config, catalog)).toBeUndefined();
    }
    // A burst starts within the two hours; its last plate (up to 3 × 5 min later) and images (up to 200 s) may run over.
    expect(jobs.at(-1)!.at).toBeLessThan(2 * 3600 + 3 * 300 + 200);
  });

  it('fans each plate out to per-image jobs of one to three algorithms, and whole-plate steps in to one job', () => {
    const { jobs } = generateImageProcessingTrace({ config, seed: 5, uploads: 30 });
    interface Plate {
      pipeline: string;
      images: Set<string>;
      jobsByStep: Map<string, number>;
      lastLanding: number;
      plateStepAt?: number;
    }
    const plates = new Map<string, Plate>();
    for (const { at, message } of jobs) {
      const workflow = message.workflow!;
      const plate: Plate = plates.get(workflow.runId) ?? { pipeline: workflow.name, images: new Set(), jobsByStep: new Map(), lastLanding: 0 };
      plates.set(workflow.runId, plate);
      expect(workflow.name).toBe(plate.pipeline);
      for (const input of message.inputs) plate.images.add(input);
      plate.jobsByStep.set(workflow.step, (plate.jobsByStep.get(workflow.step) ?? 0) + 1);
      if (message.inputs.length === 1) plate.lastLanding = Math.max(plate.lastLanding, at);
      else plate.plateStepAt = at;
    }
    expect(plates.size).toBe(30);
    let fanIns = 0;
    for (const plate of plates.values()) {
      const steps = plate.pipeline.split('+');
      expect(steps.length).toBeGreaterThanOrEqual(1);
      expect(steps.length).toBeLessThanOrEqual(3);
      expect(new Set(steps).size).toBe(steps.length);
      expect(plate.images.size).toBeGreaterThanOrEqual(20);
      expect(plate.images.size).toBeLessThanOrEqual(200);
      for (const step of steps) {
        // stitch-plate's command takes {inputs}: once per plate; every other step once per image.
        expect(plate.jobsByStep.get(step)).toBe(step === 'stitch-plate' ? 1 : plate.images.size);
      }
      if (plate.plateStepAt !== undefined) {
        fanIns++;
        // The whole-plate step comes once the last image has landed.
        expect(plate.plateStepAt).toBeGreaterThanOrEqual(plate.lastLanding);
      }
    }
    expect(fanIns).toBeGreaterThan(0);
  });

  it('includes GPU steps: single-GPU ones often, multi-GPU ones rarely', () => {
    const { jobs } = generateImageProcessingTrace({ config, seed: 1, uploads: 120 });
    const algorithms = new Set(jobs.map((j) => j.message.algorithm));
    expect(algorithms).toContain('detect-nuclei');
    expect(algorithms).toContain('restore-volume');
    const plates = (algorithm: string): number => new Set(jobs.filter((j) => j.message.algorithm === algorithm).map((j) => j.message.workflow!.runId)).size;
    expect(plates('detect-nuclei')).toBeGreaterThan(plates('restore-volume'));
  });

  it('runs each job for its algorithm\'s configured duration ±10 %, exiting 0', () => {
    const { jobs } = generateImageProcessingTrace({ config, seed: 2, uploads: 10 });
    const durations = config.cloud.sim.durationSeconds;
    for (const job of jobs) {
      const base = durations[job.message.algorithm] ?? config.cloud.sim.defaultDurationSeconds;
      expect(job.durationSeconds).toBeGreaterThanOrEqual(base * 0.9 - 0.001);
      expect(job.durationSeconds).toBeLessThanOrEqual(base * 1.1 + 0.001);
      expect(job.exitCode).toBe(0);
    }
    // Not all the same: tasks of one algorithm should not all end on the same tick.
    expect(new Set(jobs.map((j) => j.durationSeconds)).size).toBeGreaterThan(jobs.length / 2);
  });

  it('takes algorithms without a configured duration at the default duration', () => {
    const small = parseConfig(
      `
catalog: { include: ["m7i.*"] }
algorithms:
  a: { image: a, resources: { cpu: 1024, memoryMiB: 1024 } }
cloud: { sim: { defaultDurationSeconds: 50 } }
`,
      'small.yaml',
    );
    const { jobs } = generateImageProcessingTrace({ config: small, seed: 1, uploads: 2, imagesPerPlate: { min: 1, max: 3 } });
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const job of jobs) expect(job.durationSeconds).toBeGreaterThanOrEqual(45);
    for (const job of jobs) expect(job.durationSeconds).toBeLessThanOrEqual(55);
  });

  it('says what it generated in its source and notes', () => {
    const trace = generateImageProcessingTrace({ config, seed: 4, uploads: 6 });
    expect(trace.source).toBe('synthetic image-processing day (seed 4, 6 uploads within 8 h, 20 to 200 images per plate)');
    expect(trace.notes[0]).toMatch(new RegExp(`^6 plates uploaded in \\d bursts?; ${trace.jobs.length.toLocaleString('en-US')} jobs: [\\d,]+ per image, \\d+ per plate$`));
  });

  it('survives a round trip through JSON lines', () => {
    const trace = generateImageProcessingTrace({ config, seed: 9, uploads: 3 });
    const back = parseJsonLinesTrace(serializeJsonLinesTrace(trace), 'day.jsonl');
    expect(back.jobs).toEqual(trace.jobs);
  });

  it('refuses options it cannot honour', () => {
    expect(() => generateImageProcessingTrace({ config, seed: 1, uploads: -1 })).toThrow(/uploads must be a whole number >= 0, got -1/);
    expect(() => generateImageProcessingTrace({ config, seed: 1, workingHours: 0 })).toThrow(/workingHours must be > 0/);
    expect(() => generateImageProcessingTrace({ config, seed: 1, imagesPerPlate: { min: 5, max: 2 } })).toThrow(/1 <= min <= max, got 5..2/);
  });
});
