import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERHEAD } from '../../src/core/catalog/allocatable.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '../../src/config/config-schema.ts';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/load-config.ts';
import { issueAt, issuesOf, MINIMAL_CONFIG } from './config-test-helpers.ts';

describe('parseConfig: defaults', () => {
  it('fills every optional section and field', () => {
    const config = parseConfig(MINIMAL_CONFIG, 'test.yaml');
    expect(config.policy).toEqual({ maxInstances: 100, maxHourlyCost: 100, typeLimits: {}, instancePenaltyPerHour: 0, reuseWithinSeconds: 45, sharePriceRatio: 3 });
    expect(config.catalog).toEqual({ exclude: [], prices: {}, add: [], overhead: DEFAULT_OVERHEAD });
    expect(config.algorithms['segment']).toEqual({
      image: 'example/segment:1',
      resources: { cpu: 2048, memoryMiB: 4096, gpu: 0 },
      env: { required: [], optional: [] },
      timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
      retry: { attempts: 1, exitCodes: [] },
    });
  });

  it('reads an empty section (`policy:` with nothing under it) as all defaults', () => {
    const config = parseConfig(`policy:\ncatalog:\n${MINIMAL_CONFIG}`, 'test.yaml');
    expect(config.policy.maxInstances).toBe(100);
    expect(config.catalog.overhead).toEqual(DEFAULT_OVERHEAD);
  });

  it('keeps given values and fills the rest of a section', () => {
    const config = parseConfig(`policy: { maxInstances: 7 }\ncatalog: { overhead: { memoryPercent: 5 } }\n${MINIMAL_CONFIG}`, 'test.yaml');
    expect(config.policy).toEqual({ maxInstances: 7, maxHourlyCost: 100, typeLimits: {}, instancePenaltyPerHour: 0, reuseWithinSeconds: 45, sharePriceRatio: 3 });
    expect(config.catalog.overhead).toEqual({ ...DEFAULT_OVERHEAD, memoryPercent: 5 });
  });

  it('keeps a given policy.reuseWithinSeconds, including 0 (never wait for capacity) and fractions', () => {
    expect(parseConfig(`policy: { reuseWithinSeconds: 0 }\n${MINIMAL_CONFIG}`, 'test.yaml').policy.reuseWithinSeconds).toBe(0);
    expect(parseConfig(`policy: { reuseWithinSeconds: 90.5 }\n${MINIMAL_CONFIG}`, 'test.yaml').policy.reuseWithinSeconds).toBe(90.5);
  });

  it('keeps a given policy.sharePriceRatio, including 0 (always share) and fractions', () => {
    expect(parseConfig(`policy: { sharePriceRatio: 0 }\n${MINIMAL_CONFIG}`, 'test.yaml').policy.sharePriceRatio).toBe(0);
    expect(parseConfig(`policy: { sharePriceRatio: 1.25 }\n${MINIMAL_CONFIG}`, 'test.yaml').policy.sharePriceRatio).toBe(1.25);
  });
});

describe('parseConfig: YAML syntax', () => {
  it('names line and column', () => {
    const issues = issuesOf('policy:\n  maxInstances: [1, 2\nalgorithms: {}\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toMatch(/^line \d+, column \d+$/);
    expect(issues[0]!.message).not.toContain('\n');
  });

  it('rejects duplicate keys', () => {
    const [issue] = issuesOf(`${MINIMAL_CONFIG}\npolicy: {}\npolicy: {}\n`);
    expect(issue!.path).toBe('line 8, column 1');
    expect(issue!.message).toMatch(/unique/);
  });

  it('rejects an empty file with a plain sentence', () => {
    expect(issuesOf('# nothing yet\n')).toEqual([{ path: '', message: 'the file is empty; expected a mapping with at least an algorithms section' }]);
  });

  it('refuses aliases that expand without bound (a "billion laughs" file) as a config error', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdef'[i]!}`).join(', ')}]`)];
    const [issue, ...more] = issuesOf(levels.join('\n'));
    expect(more).toEqual([]);
    expect(issue!.message).toMatch(/alias.*; expected plain YAML with few aliases$/i);
  });

  it('rejects a document that is not a mapping', () => {
    expect(issuesOf('- a\n- b\n')[0]!.message).toBe('expected a mapping (key: value), got ["a","b"]');
  });
});

describe('parseConfig: schema errors name the path, the value and what was expected', () => {
  it('unknown key, with the allowed keys and a likely fix', () => {
    const issue = issueAt(`policy:\n  maxInstance: 3\n${MINIMAL_CONFIG}`, 'policy.maxInstance');
    expect(issue.message).toContain('unknown key');
    expect(issue.message).toContain('maxInstances, maxHourlyCost, typeLimits, instancePenaltyPerHour, reuseWithinSeconds, sharePriceRatio');
    expect(issue.message).toContain('did you mean "maxInstances"?');
    expect(issue.line).toBe(2);
  });

  it('unknown top-level key', () => {
    expect(issueAt(`polciy: {}\n${MINIMAL_CONFIG}`, 'polciy').message).toContain('did you mean "policy"?');
  });

  it('wrong type', () => {
    expect(issueAt(`policy: { maxInstances: many }\n${MINIMAL_CONFIG}`, 'policy.maxInstances').message).toBe('expected an integer, got "many"');
  });

  it('non-integer where an integer is needed', () => {
    const text = MINIMAL_CONFIG.replace('cpu: 2048', 'cpu: 1.5');
    expect(issueAt(text, 'algorithms.segment.resources.cpu').message).toBe('expected an integer, got 1.5');
  });

  it('number out of range', () => {
    expect(issueAt(`policy: { maxHourlyCost: -1 }\n${MINIMAL_CONFIG}`, 'policy.maxHourlyCost').message).toBe('expected a number >= 0, got -1');
    expect(issueAt(`policy: { reuseWithinSeconds: -5 }\n${MINIMAL_CONFIG}`, 'policy.reuseWithinSeconds').message).toBe('expected a number >= 0, got -5');
    expect(issueAt(`policy: { sharePriceRatio: -1 }\n${MINIMAL_CONFIG}`, 'policy.sharePriceRatio').message).toBe('expected a number >= 0, got -1');
    expect(issueAt(`policy: { typeLimits: { "g5.*": -2 } }\n${MINIMAL_CONFIG}`, 'policy.typeLimits["g5.*"]').message).toBe(
      'expected an integer >= 0, got -2',
    );
  });

  it('missing required field', () => {
    const text = 'algorithms:\n  segment:\n    resources: { cpu: 1024, memoryMiB: 512 }\n';
    const issue = issueAt(text, 'algorithms.segment.image');
    expect(issue.message).toBe('missing: expected a string');
    expect(issue.line).toBe(2);
  });

  it('enum value', () => {
    const text = `${MINIMAL_CONFIG}    architecture: amd64\n`;
    expect(issueAt(text, 'algorithms.segment.architecture').message).toBe('expected "x86_64" or "arm64", got "amd64"');
  });

  it('empty list', () => {
    const text = `${MINIMAL_CONFIG}    instanceTypes: []\n`;
    expect(issueAt(text, 'algorithms.segment.instanceTypes').message).toBe('expected a non-empty list, got an empty list');
  });

  it('invalid type pattern', () => {
    const text = `${MINIMAL_CONFIG}    instanceTypes: ["c7g.*", "C7G/large!"]\n`;
    const issue = issueAt(text, 'algorithms.segment.instanceTypes[1]');
    expect(issue.message).toMatch(/^expected an instance type name or pattern .* got "C7G\/large!"$/);
  });

  it('invalid algorithm name', () => {
    const issue = issueAt('algorithms:\n  "segment cells":\n    image: x\n    resources: { cpu: 1, memoryMiB: 1 }\n', 'algorithms["segment cells"]');
    expect(issue.message).toMatch(/^invalid key: expected an algorithm name .* got "segment cells"$/);
  });

  it('no algorithms', () => {
    expect(issueAt('algorithms: {}\n', 'algorithms').message).toBe('expected at least one algorithm, got none');
  });

  it('memorySuggestedMiB below memoryMiB', () => {
    const text = MINIMAL_CONFIG.replace('memoryMiB: 4096', 'memoryMiB: 4096, memorySuggestedMiB: 2048');
    expect(issueAt(text, 'algorithms.segment.resources.memorySuggestedMiB').message).toBe('expected memorySuggestedMiB >= memoryMiB (4096), got 2048');
  });

  it('env variable both required and optional, and invalid names', () => {
    const text = `${MINIMAL_CONFIG}    env: { required: [MODEL], optional: [MODEL, 9LIVES] }\n`;
    const issues = issuesOf(text);
    expect(issues.find((i) => i.path === 'algorithms.segment.env.optional[1]')?.message).toMatch(/^expected an environment variable name .* got "9LIVES"$/);
    // The overlap check runs once the names themselves are valid.
    const overlap = issueAt(`${MINIMAL_CONFIG}    env: { required: [MODEL], optional: [MODEL] }\n`, 'algorithms.segment.env.optional[0]');
    expect(overlap.message).toBe('"MODEL" is listed as both required and optional; expected it in one list only');
  });

  it('unknown command placeholder', () => {
    const text = `${MINIMAL_CONFIG}    command: ["run", "--in", "{inptu}"]\n`;
    expect(issueAt(text, 'algorithms.segment.command[2]').message).toBe(
      'unknown placeholder {inptu} in "{inptu}"; expected {input}, {inputs}, {outputPrefix}, {jobId} or {attempt}',
    );
  });

  it('retry exit codes must be non-zero', () => {
    const text = `${MINIMAL_CONFIG}    retry: { attempts: 3, exitCodes: [0, 137] }\n`;
    expect(issueAt(text, 'algorithms.segment.retry.exitCodes[0]').message).toBe('expected an integer >= 1, got 0');
  });

  it('added GPU type without a GPU model', () => {
    const text = `catalog:\n  add: [{ name: g9.xlarge, vcpu: 4, memoryMiB: 16384, gpu: 1, architecture: x86_64, pricePerHour: 1 }]\n${MINIMAL_CONFIG}`;
    expect(issueAt(text, 'catalog.add[0].gpuModel').message).toBe('missing: gpu is 1, expected the GPU model, e.g. "L4"');
  });

  it('reports every schema problem at once', () => {
    const text = `policy: { maxInstances: -1, maxHourlyCost: free }\n${MINIMAL_CONFIG}    timeoutSeconds: 0\n`;
    expect(issuesOf(text).map((i) => i.path)).toEqual(
      expect.arrayContaining(['policy.maxInstances', 'policy.maxHourlyCost', 'algorithms.segment.timeoutSeconds']),
    );
  });
});

describe('ConfigError', () => {
  it('is an Error whose message lists every issue as "FILE: path: message (line N)"', () => {
    let caught: unknown;
    try {
      parseConfig(`policy: { maxInstances: -1 }\n${MINIMAL_CONFIG}`, 'fleet.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as ConfigError).message).toBe('fleet.yaml: policy.maxInstances: expected an integer >= 0, got -1 (line 1)');
  });
});

describe('loadConfigFile', () => {
  it('loads the example config', async () => {
    const config = await loadConfigFile('examples/config.yaml');
    expect(Object.keys(config.algorithms).length).toBeGreaterThanOrEqual(5);
  });

  it('turns a missing file into a ConfigError, not a crash', async () => {
    await expect(loadConfigFile('does/not/exist.yaml')).rejects.toThrow(new ConfigError('does/not/exist.yaml', [{ path: '', message: 'cannot read: no such file' }]));
  });
});
