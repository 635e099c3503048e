import { describe, expect, it } from 'vitest';
import { catalogFromConfig, policyFromConfig, algorithmConstraints, algorithmDemand } from '../../src/config/config-to-core.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { issueAt, issuesOf, MINIMAL_CONFIG } from './config-test-helpers.ts';

describe('cross-references against the catalog', () => {
  it('an algorithm instanceTypes pattern that matches no known type', () => {
    const text = `${MINIMAL_CONFIG}    instanceTypes: ["c7g.*", "zz9.*"]\n`;
    const issue = issueAt(text, 'algorithms.segment.instanceTypes[1]');
    expect(issue.message).toBe('"zz9.*" matches no known instance type; expected a pattern matching at least one catalog type');
    expect(issue.line).toBe(6);
  });

  it('a pattern whose types catalog.include left out says so', () => {
    const text = `catalog: { include: ["c7g.*"] }\n${MINIMAL_CONFIG}    instanceTypes: ["m7g.large"]\n`;
    expect(issueAt(text, 'algorithms.segment.instanceTypes[0]').message).toBe(
      '"m7g.large" matches no type in the catalog (m7g.large left out by catalog.include/exclude); expected a pattern matching at least one catalog type',
    );
  });

  it('a typeLimits pattern that matches no catalog type', () => {
    const text = `policy: { typeLimits: { "p5.*": 1 } }\n${MINIMAL_CONFIG}`;
    expect(issueAt(text, 'policy.typeLimits["p5.*"]').message).toBe(
      '"p5.*" matches no known instance type; expected a pattern matching at least one catalog type',
    );
  });

  it('catalog include, exclude and prices must name known types', () => {
    const text = `catalog:\n  include: ["c7g.*", "c99.*"]\n  exclude: ["q1.*"]\n  prices: { "c7g.hugelarge": 1 }\n${MINIMAL_CONFIG}`;
    const issues = issuesOf(text);
    expect(issues.map((i) => i.path)).toEqual(['catalog.include[1]', 'catalog.exclude[0]', 'catalog.prices["c7g.hugelarge"]']);
    expect(issues[0]!.message).toMatch(/^"c99.*" matches no instance type in the catalog; expected a name or pattern of a built-in or added type/);
    expect(issues[2]!.message).toMatch(/^no instance type "c7g.hugelarge" in the catalog; expected the exact name of a built-in or added type/);
  });

  it('catalog.add may not redefine a built-in type', () => {
    const text = `catalog:\n  add: [{ name: c7g.large, vcpu: 2, memoryMiB: 4096, architecture: arm64, pricePerHour: 0.1 }]\n${MINIMAL_CONFIG}`;
    expect(issueAt(text, 'catalog.add[0].name').message).toMatch(/^"c7g.large" is already a built-in type; expected/);
  });

  it('include and exclude that leave nothing', () => {
    const text = `catalog: { include: ["c7g.*"], exclude: ["c7g.*"] }\n${MINIMAL_CONFIG}`;
    expect(issueAt(text, 'catalog').message).toMatch(/^include \["c7g.\*"\] and exclude \["c7g.\*"\] leave no instance type; expected at least one/);
  });

  it('an algorithm too large for every type it may use names the largest candidate', () => {
    const text = MINIMAL_CONFIG.replace('memoryMiB: 4096', 'memoryMiB: 400000') + '    instanceTypes: ["c7g.*"]\n';
    const issue = issueAt(text, 'algorithms.segment.resources');
    expect(issue.message).toBe(
      'needs 2 vCPU, 390.63 GiB, which fits no instance type it may run on; the largest candidate, c7g.16xlarge, ' +
        'offers 64 vCPU, 123.91 GiB allocatable (short on memoryMiB); expected resources that fit, or wider instanceTypes',
    );
  });

  it('GPU demand beyond every type names the type with the most GPUs', () => {
    const text = MINIMAL_CONFIG.replace('memoryMiB: 4096', 'memoryMiB: 4096, gpu: 16');
    expect(issueAt(text, 'algorithms.segment.resources').message).toMatch(/the largest candidate, \S+\.48xlarge, offers .* 8 GPU allocatable \(short on gpu\)/);
  });

  it('constraints that exclude each other', () => {
    const text = `${MINIMAL_CONFIG}    instanceTypes: ["c7g.*"]\n    architecture: x86_64\n`;
    expect(issueAt(text, 'algorithms.segment').message).toBe(
      'no catalog type satisfies instanceTypes ["c7g.*"] and architecture x86_64 together; expected at least one',
    );
  });

  it('a GPU model no catalog type has', () => {
    const text = `catalog: { include: ["g5.*", "g6.*", "c7g.*"] }\n${MINIMAL_CONFIG.replace('memoryMiB: 4096', 'memoryMiB: 4096, gpu: 1')}    gpuModels: [A10]\n`;
    expect(issueAt(text, 'algorithms.segment.gpuModels[0]').message).toBe('no catalog type has GPU model "A10"; expected one of A10G or L4');
  });

  it('gpuModels on an algorithm that asks for no GPU', () => {
    const text = `${MINIMAL_CONFIG}    gpuModels: [L4]\n`;
    expect(issueAt(text, 'algorithms.segment.gpuModels').message).toBe('gpuModels is set but resources.gpu is 0; expected resources.gpu >= 1 or no gpuModels');
  });
});

describe('config to core', () => {
  const text = `
catalog:
  include: ["c7g.*", "g5.xlarge", "x9.large"]
  exclude: ["c7g.16xlarge"]
  prices: { "g5.xlarge": 0.9 }
  add: [{ name: x9.large, vcpu: 2, memoryMiB: 8192, architecture: x86_64, pricePerHour: 0.05 }]
  overhead: { memoryPercent: 0, reservedMemoryMiB: 0 }
policy: { maxInstances: 5, maxHourlyCost: 12.5, typeLimits: { "g5.*": 1 }, instancePenaltyPerHour: 0.1, reuseWithinSeconds: 30, sharePriceRatio: 1.5 }
algorithms:
  infer:
    image: x
    resources: { cpu: 4096, memoryMiB: 8192, memorySuggestedMiB: 12000, gpu: 1 }
    instanceTypes: ["g5.*"]
    gpuModels: [A10G]
  tiny:
    image: y
    resources: { cpu: 256, memoryMiB: 256 }
    architecture: arm64
`;
  const config = parseConfig(text, 'test.yaml');

  it('builds the catalog from include, exclude, prices, add and overhead', () => {
    const catalog = catalogFromConfig(config);
    const names = catalog.map((t) => t.name);
    expect(names).toContain('c7g.large');
    expect(names).toContain('x9.large');
    expect(names).not.toContain('c7g.16xlarge');
    expect(names).not.toContain('g5.2xlarge');
    expect(catalog.find((t) => t.name === 'g5.xlarge')?.pricePerHour).toBe(0.9);
    expect(catalog.find((t) => t.name === 'x9.large')?.allocatable).toEqual({ cpu: 2048, memoryMiB: 8192, gpu: 0 });
  });

  it('copies the policy', () => {
    expect(policyFromConfig(config)).toEqual({ maxInstances: 5, maxHourlyCost: 12.5, typeLimits: { 'g5.*': 1 }, instancePenaltyPerHour: 0.1, reuseWithinSeconds: 30, sharePriceRatio: 1.5 });
  });

  it('copies the default reuseWithinSeconds and sharePriceRatio when the config leaves them out', () => {
    const policy = policyFromConfig(parseConfig(MINIMAL_CONFIG, 'test.yaml'));
    expect(policy.reuseWithinSeconds).toBe(45);
    expect(policy.sharePriceRatio).toBe(3);
  });

  it('packs the minimum memory, not the suggested one', () => {
    expect(algorithmDemand(config.algorithms['infer']!)).toEqual({ cpu: 4096, memoryMiB: 8192, gpu: 1 });
  });

  it('carries only the constraints an algorithm sets', () => {
    expect(algorithmConstraints(config.algorithms['infer']!)).toEqual({ instanceTypes: ['g5.*'], gpuModels: ['A10G'] });
    expect(algorithmConstraints(config.algorithms['tiny']!)).toEqual({ architecture: 'arm64' });
  });
});
