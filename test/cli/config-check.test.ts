import { describe, expect, it } from 'vitest';
import { runCli, writeTempFiles } from './cli-test-helpers.ts';

const GOOD = `
catalog: { include: ["c7g.*"] }
algorithms:
  segment: { image: x, resources: { cpu: 1024, memoryMiB: 2048 } }
  thumbs: { image: y, resources: { cpu: 256, memoryMiB: 512 } }
`;

const BAD = `
policy:
  maxInstances: -5
  maxHourlyCosts: 10
algorithms:
  segment: { image: x, resources: { cpu: 1024, memoryMiB: 2048 }, architecture: amd64 }
`;

describe('loadmaster config check', () => {
  it('says ok with the counts and exits 0', async () => {
    const { good } = await writeTempFiles({ good: GOOD });
    const run = await runCli('config', 'check', good!);
    expect(run).toEqual({ code: 0, stdout: `${good}: ok — 2 algorithms, 7 instance types\n`, stderr: '' });
  });

  it('accepts the example config', async () => {
    const run = await runCli('config', 'check', 'examples/config.yaml');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^examples\/config\.yaml: ok — 7 algorithms, \d+ instance types\n$/);
  });

  it('prints every issue as "FILE: path: message" on stderr and exits 2', async () => {
    const { bad } = await writeTempFiles({ bad: BAD });
    const run = await runCli('config', 'check', bad!);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `${bad}: policy.maxInstances: expected an integer >= 0, got -5 (line 3)`,
      `${bad}: policy.maxHourlyCosts: unknown key (expected one of: maxInstances, maxHourlyCost, typeLimits, instancePenaltyPerHour, reuseWithinSeconds, sharePriceRatio); did you mean "maxHourlyCost"? (line 4)`,
      `${bad}: algorithms.segment.architecture: expected "x86_64" or "arm64", got "amd64" (line 6)`,
    ]);
  });

  it('checks several files and fails if any fails', async () => {
    const { good, bad } = await writeTempFiles({ good: GOOD, bad: BAD });
    const run = await runCli('config', 'check', good!, bad!);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`${good}: ok`);
    expect(run.stderr).toContain(`${bad}: policy.maxInstances`);
  });

  it('reports a YAML syntax error with its position', async () => {
    const { broken } = await writeTempFiles({ broken: 'algorithms:\n  a: [1, 2\n' });
    const run = await runCli('config', 'check', broken!);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${broken}: line \\d+, column \\d+: .+\\n$`));
  });

  it('reports a missing file without a stack trace', async () => {
    const run = await runCli('config', 'check', 'no/such/config.yaml');
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'no/such/config.yaml: cannot read: no such file\n' });
  });

  it('needs a file argument', async () => {
    const run = await runCli('config', 'check');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'files'");
  });
});

describe('loadmaster (top level)', () => {
  it('--version prints the package version', async () => {
    const run = await runCli('--version');
    expect(run).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('--help lists the commands and exits 0', async () => {
    const run = await runCli('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: loadmaster');
    expect(run.stdout).toContain('config');
    expect(run.stdout).toContain('plan');
  });

  it('plan --help shows its options', async () => {
    const run = await runCli('plan', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--config <file>');
    expect(run.stdout).toContain('--state <file>');
    expect(run.stdout).toContain('--json');
  });

  it('an unknown command or option is a usage error (exit 2)', async () => {
    expect((await runCli('deploy')).code).toBe(2);
    const run = await runCli('plan', '--config', 'a.yaml', '--state', 'b.json', '--colour');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--colour'");
  });
});
