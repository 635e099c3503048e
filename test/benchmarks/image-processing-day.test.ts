import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateImageProcessingDay } from '../../benchmarks/workloads/image-processing-day.ts';
import { catalogFromConfig } from '../../src/config/config-to-core.ts';
import { loadConfigFile } from '../../src/config/load-config.ts';
import { parseJobMessage } from '../../src/jobs/parse-job-message.ts';
import { checkAgainstConfig } from '../../src/jobs/validate-job-message.ts';

const config = await loadConfigFile(fileURLToPath(new URL('../../examples/config.yaml', import.meta.url)));

describe('generateImageProcessingDay', () => {
  it('same seed, same day; another seed, another day', () => {
    const a = generateImageProcessingDay({ config, seed: 7, uploads: 12 });
    expect(generateImageProcessingDay({ config, seed: 7, uploads: 12 })).toEqual(a);
    expect(generateImageProcessingDay({ config, seed: 8, uploads: 12 })).not.toEqual(a);
  });

  it('yields valid messages with distinct ids, in time order, within the working day', () => {
    const catalog = catalogFromConfig(config);
    const arrivals = generateImageProcessingDay({ config, seed: 3, uploads: 20, workingHours: 2 });
    expect(arrivals.length).toBeGreaterThan(0);
    expect(new Set(arrivals.map((a) => a.message.jobId)).size).toBe(arrivals.length);
    for (let i = 0; i < arrivals.length; i++) {
      const { at, message } = arrivals[i]!;
      if (i > 0) expect(at).toBeGreaterThanOrEqual(arrivals[i - 1]!.at);
      expect(at).toBeGreaterThanOrEqual(0);
      const parsed = parseJobMessage(JSON.parse(JSON.stringify(message)));
      expect(parsed.ok).toBe(true);
      expect(checkAgainstConfig(message, config, catalog)).toBeUndefined();
    }
    // A burst starts within the two hours; its last plate (up to 3 × 5 min later) and images (up to 200 s) may run over.
    expect(arrivals.at(-1)!.at).toBeLessThan(2 * 3600 + 3 * 300 + 200);
  });

  it('gives each plate a pipeline of one to three algorithms over 20 to 200 images; whole-plate steps run once', () => {
    const arrivals = generateImageProcessingDay({ config, seed: 5, uploads: 30 });
    const plates = new Map<string, { pipeline: string; images: Set<string>; jobsByStep: Map<string, number> }>();
    for (const { message } of arrivals) {
      const workflow = message.workflow!;
      const plate = plates.get(workflow.runId) ?? { pipeline: workflow.name, images: new Set(), jobsByStep: new Map() };
      plates.set(workflow.runId, plate);
      expect(workflow.name).toBe(plate.pipeline);
      for (const input of message.inputs) plate.images.add(input);
      plate.jobsByStep.set(workflow.step, (plate.jobsByStep.get(workflow.step) ?? 0) + 1);
    }
    expect(plates.size).toBe(30);
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
    }
  });
});
