import { describe, expect, it } from 'vitest';
import { catalogFromConfig } from '../../src/config/config-to-core.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import { checkAgainstConfig, jobDemandAndConstraints } from '../../src/jobs/validate-job-message.ts';

const config = parseConfig(
  `
catalog: { include: ["c7g.*", "m7g.*", "m7i.*", "g5.*"] }
algorithms:
  segment:
    image: x
    resources: { cpu: 2048, memoryMiB: 4096, memorySuggestedMiB: 8192 }
    instanceTypes: ["c7g.*", "m7g.*"]
    architecture: arm64
    env: { required: [MODEL, THRESHOLD], optional: [SEED] }
  infer:
    image: y
    resources: { cpu: 4096, memoryMiB: 8192, gpu: 1 }
    gpuModels: [A10G]
  features:
    image: z
    resources: { cpu: 1024, memoryMiB: 2048 }
`,
  'test.yaml',
);
const catalog = catalogFromConfig(config);
const largestGpuCount = Math.max(...catalog.map((type) => type.allocatable.gpu));

function message(extra: Partial<JobMessage> = {}): JobMessage {
  return {
    version: 1,
    jobId: 'j-1',
    algorithm: 'segment',
    inputs: ['s3://images/a.tif'],
    outputPrefix: 's3://results/',
    env: { MODEL: 'cyto2', THRESHOLD: '0.5' },
    priority: 0,
    attempt: 1,
    ...extra,
  };
}

const check = (extra: Partial<JobMessage>) => checkAgainstConfig(message(extra), config, catalog);

describe('checkAgainstConfig', () => {
  it('accepts a message that agrees with the config', () => {
    expect(check({})).toBeUndefined();
    expect(check({ env: { MODEL: 'm', THRESHOLD: '1', SEED: '7' }, instanceTypes: ['c7g.*'], resources: { memoryMiB: 6000 } })).toBeUndefined();
    expect(check({ algorithm: 'features', env: {} })).toBeUndefined();
  });

  it('names an unknown algorithm, the known ones and a likely fix', () => {
    expect(check({ algorithm: 'segmnet' })).toBe(
      'algorithm: unknown algorithm "segmnet"; expected one of the config\'s algorithms: segment, infer, features; did you mean "segment"?',
    );
    expect(check({ algorithm: 'stitch' })).toBe('algorithm: unknown algorithm "stitch"; expected one of the config\'s algorithms: segment, infer, features');
  });

  it('does not take inherited object keys for algorithms', () => {
    expect(check({ algorithm: 'constructor' })).toMatch(/^algorithm: unknown algorithm "constructor"/);
  });

  it('names the missing required variables', () => {
    expect(check({ env: { SEED: '1' } })).toBe('env: missing MODEL and THRESHOLD; expected every variable algorithm segment requires (MODEL, THRESHOLD)');
  });

  it('rejects undeclared variables, listing the declared ones', () => {
    expect(check({ env: { MODEL: 'm', THRESHOLD: '1', SEEDS: '7', 'my var': 'x' } })).toBe(
      'env.SEEDS: not declared by algorithm segment; expected one of its variables: MODEL, THRESHOLD, SEED; did you mean "SEED"?; ' +
        'env["my var"]: not declared by algorithm segment; expected one of its variables: MODEL, THRESHOLD, SEED',
    );
    expect(check({ algorithm: 'features', env: { MODEL: 'm' } })).toBe(
      'env.MODEL: not declared by algorithm features; expected no env, as it declares no variables',
    );
  });

  it('says when the instanceTypes narrowing shares no type with the algorithm', () => {
    expect(check({ instanceTypes: ['m7i.*'] })).toBe(
      'instanceTypes: ["m7i.*"] shares no catalog type with what algorithm segment allows (instanceTypes ["c7g.*","m7g.*"] and architecture arm64); expected a narrowing of it',
    );
  });

  it('names instanceTypes patterns that match nothing in the catalog', () => {
    expect(check({ instanceTypes: ['c7g.*', 'r7g.*'] })).toBe('instanceTypes[1]: "r7g.*" matches no type in the catalog; expected a pattern matching at least one');
  });

  it('rejects a resources override no allowed type can hold', () => {
    const reason = check({ algorithm: 'infer', env: {}, resources: { gpu: largestGpuCount + 1 } });
    expect(reason).toMatch(/^resources: with resources \{"gpu":\d+\}, the job needs 4 vCPU, 8 GiB, \d+ GPU, which fits no instance type it may run on; the largest candidate, g5\.\w+, offers .* \(short on gpu\)$/);
  });

  it('rejects a narrowing that leaves only types too small', () => {
    const reason = check({ resources: { memoryMiB: 20000 }, instanceTypes: ['c7g.large', 'c7g.xlarge'] });
    expect(reason).toMatch(/^resources: with resources \{"memoryMiB":20000\} and instanceTypes \["c7g.large","c7g.xlarge"\], the job needs 2 vCPU, 19\.53 GiB, which fits no instance type it may run on; the largest candidate, c7g\.xlarge, .*\(short on memoryMiB\)$/);
    // Without an override, the narrowing alone is to blame.
    expect(check({ instanceTypes: ['c7g.large'] })).toMatch(
      /^instanceTypes: with instanceTypes \["c7g.large"\], the job needs 2 vCPU, 4 GiB, which fits no instance type it may run on; the largest candidate, c7g\.large, .*\(short on memoryMiB\)$/,
    );
  });

  it('lists every problem at once', () => {
    const reason = check({ env: { EXTRA: '1' }, instanceTypes: ['m7i.*'] });
    expect(reason).toBe(
      'env: missing MODEL and THRESHOLD; expected every variable algorithm segment requires (MODEL, THRESHOLD); ' +
        'env.EXTRA: not declared by algorithm segment; expected one of its variables: MODEL, THRESHOLD, SEED; ' +
        'instanceTypes: ["m7i.*"] shares no catalog type with what algorithm segment allows (instanceTypes ["c7g.*","m7g.*"] and architecture arm64); expected a narrowing of it',
    );
  });
});

describe('jobDemandAndConstraints', () => {
  const segment = config.algorithms['segment']!;
  const infer = config.algorithms['infer']!;
  const features = config.algorithms['features']!;

  it('takes the algorithm demand (minimum memory) and constraints when the message overrides nothing', () => {
    expect(jobDemandAndConstraints(message(), segment, catalog)).toEqual({
      demand: { cpu: 2048, memoryMiB: 4096, gpu: 0 },
      constraints: { instanceTypes: ['c7g.*', 'm7g.*'], architecture: 'arm64' },
    });
  });

  it('merges a resources override over the algorithm demand', () => {
    expect(jobDemandAndConstraints(message({ resources: { memoryMiB: 12000 } }), segment, catalog).demand).toEqual({ cpu: 2048, memoryMiB: 12000, gpu: 0 });
    expect(jobDemandAndConstraints(message({ resources: { gpu: 2, cpu: 8192 } }), infer, catalog)).toEqual({
      demand: { cpu: 8192, memoryMiB: 8192, gpu: 2 },
      constraints: { gpuModels: ['A10G'] },
    });
  });

  it('narrows the algorithm instance types to the common catalog types', () => {
    expect(jobDemandAndConstraints(message({ instanceTypes: ['*.xlarge', 'm7i.large'] }), segment, catalog).constraints).toEqual({
      instanceTypes: ['c7g.xlarge', 'm7g.xlarge'],
      architecture: 'arm64',
    });
  });

  it('keeps the message patterns when the algorithm sets none', () => {
    expect(jobDemandAndConstraints(message({ instanceTypes: ['m7i.*'] }), features, catalog).constraints).toEqual({ instanceTypes: ['m7i.*'] });
  });

  it('throws on a message checkAgainstConfig would have rejected', () => {
    expect(() => jobDemandAndConstraints(message({ instanceTypes: ['m7i.*'] }), segment, catalog)).toThrow(/leave no catalog type/);
  });
});
