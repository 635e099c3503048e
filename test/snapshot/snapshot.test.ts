import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogFromConfig } from '../../src/config/config-to-core.ts';
import type { InputIssue } from '../../src/config/input-issues.ts';
import { loadConfigFile, parseConfig } from '../../src/config/load-config.ts';
import { loadSnapshotFile, parseSnapshot } from '../../src/snapshot/load-snapshot.ts';
import { SnapshotError } from '../../src/snapshot/snapshot-error.ts';
import { snapshotToPlannerInput } from '../../src/snapshot/snapshot-to-planner-input.ts';

const CONFIG_TEXT = `
catalog: { include: ["c7g.*", "m7g.*", "m7i.*", "g5.*"] }
policy: { maxInstances: 9 }
algorithms:
  segment:
    image: x
    resources: { cpu: 2048, memoryMiB: 4096, memorySuggestedMiB: 8192 }
    instanceTypes: ["c7g.*", "m7g.*"]
    architecture: arm64
  infer:
    image: y
    resources: { cpu: 4096, memoryMiB: 8192, gpu: 1 }
    gpuModels: [A10G]
  features:
    image: z
    resources: { cpu: 1024, memoryMiB: 2048 }
`;
const config = parseConfig(CONFIG_TEXT, 'test.yaml');
const catalog = catalogFromConfig(config);
const allocatable = (type: string) => catalog.find((t) => t.name === type)!.allocatable;

const job = (extra: Record<string, unknown> = {}) => ({ jobId: 'j-1', algorithm: 'segment', enqueuedAt: '2026-11-25T10:00:00Z', ...extra });
const node = (extra: Record<string, unknown> = {}) => ({ id: 'i-1', type: 'c7g.xlarge', state: 'registered', ...extra });

function convert(snapshot: unknown) {
  const text = JSON.stringify(snapshot, null, 2);
  const loaded = parseSnapshot(text, 'state.json');
  return snapshotToPlannerInput(loaded.snapshot, config, loaded);
}

function issuesOf(snapshot: unknown): InputIssue[] {
  try {
    convert(snapshot);
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotError);
    return [...(error as SnapshotError).issues];
  }
  throw new Error('expected the snapshot to be rejected');
}

function messageAt(snapshot: unknown, path: string): string {
  const issues = issuesOf(snapshot);
  const found = issues.find((issue) => issue.path === path);
  if (!found) throw new Error(`no issue at ${path}; got:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
  return found.message;
}

describe('snapshotToPlannerInput', () => {
  it('takes demand and constraints from the algorithm (minimum memory, not suggested)', () => {
    const input = convert({ pending: [job({ priority: 3 })] });
    expect(input.jobs).toEqual([
      {
        id: 'j-1',
        demand: { cpu: 2048, memoryMiB: 4096, gpu: 0 },
        constraints: { instanceTypes: ['c7g.*', 'm7g.*'], architecture: 'arm64' },
        priority: 3,
        enqueuedAt: Date.UTC(2026, 10, 25, 10) / 1000,
      },
    ]);
    expect(input.catalog).toEqual(catalog);
    expect(input.policy.maxInstances).toBe(9);
  });

  it('defaults priority to 0 and reads time zone offsets', () => {
    const [converted] = convert({ pending: [job({ enqueuedAt: '2026-11-25T11:00:00+01:00' })] }).jobs;
    expect(converted!.priority).toBe(0);
    expect(converted!.enqueuedAt).toBe(Date.UTC(2026, 10, 25, 10) / 1000);
  });

  it('lets a job override any subset of its resources', () => {
    const [converted] = convert({ pending: [job({ algorithm: 'infer', resources: { gpu: 4 } })] }).jobs;
    expect(converted!.demand).toEqual({ cpu: 4096, memoryMiB: 8192, gpu: 4 });
    expect(converted!.constraints).toEqual({ gpuModels: ['A10G'] });
  });

  it('narrows the algorithm instance types to the common catalog types', () => {
    const [converted] = convert({ pending: [job({ instanceTypes: ['*.xlarge', 'm7i.large'] })] }).jobs;
    expect(converted!.constraints).toEqual({ instanceTypes: ['c7g.xlarge', 'm7g.xlarge'], architecture: 'arm64' });
  });

  it('keeps the job patterns when the algorithm sets none', () => {
    const [converted] = convert({ pending: [job({ algorithm: 'features', instanceTypes: ['m7i.*'] })] }).jobs;
    expect(converted!.constraints).toEqual({ instanceTypes: ['m7i.*'] });
  });

  it('computes node free capacity as allocatable minus used', () => {
    const input = convert({ nodes: [node({ used: { cpu: 1024, memoryMiB: 2000 } }), node({ id: 'i-2', state: 'launching' })] });
    const full = allocatable('c7g.xlarge');
    expect(input.nodes).toEqual([
      { id: 'i-1', type: 'c7g.xlarge', state: 'registered', free: { cpu: full.cpu - 1024, memoryMiB: full.memoryMiB - 2000, gpu: 0 } },
      { id: 'i-2', type: 'c7g.xlarge', state: 'launching', free: full },
    ]);
  });

  it('passes a node\'s job count on for the share rule, and leaves it out when absent', () => {
    const input = convert({ nodes: [node({ jobs: 3 }), node({ id: 'i-2' })] });
    expect(input.nodes.map((n) => n.jobs)).toEqual([3, undefined]);
    expect('jobs' in input.nodes[1]!).toBe(false);
    expect(messageAt({ nodes: [node({ jobs: -1 })] }, 'nodes[0].jobs')).toBe('expected an integer >= 0, got -1');
  });

  it('gives each job its algorithm\'s run time and the input the boot time, for the share rule; an unknown algorithm is an error', () => {
    const input = convert({ pending: [job({ jobId: 'j-1' }), job({ jobId: 'j-2', algorithm: 'features' })], runTimes: { segment: 42.5 }, bootSeconds: 38 });
    expect(input.jobs.map((j) => j.expectedRunSeconds)).toEqual([42.5, undefined]);
    expect(input.expectedBootSeconds).toBe(38);
    expect('expectedBootSeconds' in convert({})).toBe(false);
    expect(messageAt({ runTimes: { segmnet: 10 } }, 'runTimes.segmnet')).toMatch(/^unknown algorithm "segmnet"; expected one of the config's algorithms: /);
    expect(messageAt({ runTimes: { segment: -1 } }, 'runTimes.segment')).toBe('expected a number >= 0, got -1');
  });

  it('leaves the job count of nodes of a controller.warmNodes pattern out, as the daemon does: the share rule leaves them alone', () => {
    const warm = parseConfig(`controller: { warmNodes: { "c7g.*": 1 } }\n${CONFIG_TEXT}`, 'warm.yaml');
    const loaded = parseSnapshot(JSON.stringify({ nodes: [node({ jobs: 3 }), node({ id: 'i-2', type: 'm7g.xlarge', jobs: 2 })] }), 'state.json');
    expect(snapshotToPlannerInput(loaded.snapshot, warm, loaded).nodes.map((n) => n.jobs)).toEqual([undefined, 2]);
  });

  it('accepts an empty snapshot', () => {
    expect(convert({})).toMatchObject({ jobs: [], nodes: [] });
  });
});

describe('snapshot errors name the path, the value and what was expected', () => {
  it('unknown algorithm, with a likely fix', () => {
    expect(messageAt({ pending: [job({ algorithm: 'segmnet' })] }, 'pending[0].algorithm')).toBe(
      'unknown algorithm "segmnet" (job j-1); expected one of the config\'s algorithms: segment, infer, features; did you mean "segment"?',
    );
  });

  it('duplicate job ids and node ids', () => {
    const issues = issuesOf({ pending: [job(), job({ jobId: 'j-2' }), job()], nodes: [node(), node()] });
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['pending[2].jobId', '"j-1" is also pending[0].jobId; expected unique job ids'],
      ['nodes[1].id', '"i-1" is also nodes[0].id; expected unique node ids'],
    ]);
  });

  it('a job instanceTypes disjoint from the algorithm', () => {
    expect(messageAt({ pending: [job({ instanceTypes: ['m7i.*'] })] }, 'pending[0].instanceTypes')).toBe(
      '["m7i.*"] (job j-1) shares no catalog type with what algorithm segment allows (instanceTypes ["c7g.*","m7g.*"] and architecture arm64); expected a narrowing of it',
    );
  });

  it('a job instanceTypes pattern that matches no catalog type', () => {
    expect(messageAt({ pending: [job({ instanceTypes: ['c7g.*', 'r7g.*'] })] }, 'pending[0].instanceTypes[1]')).toBe(
      '"r7g.*" (job j-1) matches no type in the catalog; expected a pattern matching at least one',
    );
  });

  it('a node of a type outside the catalog', () => {
    expect(messageAt({ nodes: [node({ type: 'c7g.xlareg' })] }, 'nodes[0].type')).toBe(
      '"c7g.xlareg" (node i-1) is not in the catalog; expected a type the config\'s catalog includes; did you mean "c7g.xlarge"?',
    );
  });

  it('a node using more than it can hold', () => {
    const limit = allocatable('c7g.xlarge').memoryMiB;
    expect(messageAt({ nodes: [node({ used: { memoryMiB: limit + 1 } })] }, 'nodes[0].used.memoryMiB')).toBe(
      `${limit + 1} exceeds the ${limit} allocatable on c7g.xlarge (node i-1); expected at most ${limit}`,
    );
  });

  it('schema problems: type, enum, date-time, unknown key, negative use', () => {
    const issues = issuesOf({
      pending: [job({ priority: 'high', enqueuedAt: '25/11/2026' }), job({ jobId: 'j-2', resources: { cpu: 0 } })],
      nodes: [node({ state: 'running', used: { cpu: -1 }, zone: 'a' })],
    });
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['pending[0].priority', 'expected an integer, got "high"'],
      ['pending[0].enqueuedAt', 'expected an ISO 8601 date-time with a time zone, e.g. "2026-11-25T10:00:00Z", got "25/11/2026"'],
      ['pending[1].resources.cpu', 'expected an integer >= 1, got 0'],
      ['nodes[0].state', 'expected "registered", "launching" or "draining", got "running"'],
      ['nodes[0].used.cpu', 'expected an integer >= 0, got -1'],
      ['nodes[0].zone', 'unknown key (expected one of: id, type, state, used, jobs)'],
    ]);
  });

  it('points at the line of each problem', () => {
    const text = '{\n  "pending": [\n    {"jobId": "j-1", "algorithm": "segment", "enqueuedAt": "2026-11-25T10:00:00Z"},\n    {"jobId": "j-1", "algorithm": "nope", "enqueuedAt": "2026-11-25T10:00:00Z"}\n  ]\n}\n';
    const loaded = parseSnapshot(text, 'state.json');
    expect(() => snapshotToPlannerInput(loaded.snapshot, config, loaded)).toThrow(
      'state.json: pending[1].jobId: "j-1" is also pending[0].jobId; expected unique job ids (line 4)\n' +
        'state.json: pending[1].algorithm: unknown algorithm "nope" (job j-1); expected one of the config\'s algorithms: segment, infer, features (line 4)',
    );
  });

  it('JSON syntax errors name the line and column when the parser knows them', () => {
    let caught: unknown;
    try {
      parseSnapshot('{\n  "pending": []\n  "nodes": []\n}\n', 'state.json');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SnapshotError);
    const [issue] = (caught as SnapshotError).issues;
    expect(issue!.path).toBe('line 3, column 3');
    expect(issue!.message).toMatch(/^invalid JSON: /);
  });

  it('reads a file that starts with a byte-order mark', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loadmaster-snapshot-'));
    const file = join(dir, 'state.json');
    await writeFile(file, `\uFEFF${await readFile('examples/state.json', 'utf8')}`);
    expect((await loadSnapshotFile(file)).snapshot).toEqual((await loadSnapshotFile('examples/state.json')).snapshot);
  });

  it('a missing file is a SnapshotError', async () => {
    await expect(loadSnapshotFile('nope.json')).rejects.toBeInstanceOf(SnapshotError);
  });
});

describe('the example snapshot', () => {
  it('agrees with the example config', async () => {
    const exampleConfig = await loadConfigFile('examples/config.yaml');
    const loaded = await loadSnapshotFile('examples/state.json');
    const input = snapshotToPlannerInput(loaded.snapshot, exampleConfig, loaded);
    expect(input.jobs.length).toBeGreaterThanOrEqual(35);
    expect(new Set(input.nodes.map((n) => n.state))).toEqual(new Set(['registered', 'launching', 'draining']));
    // The one job no instance type can hold: it must show up as waiting in the plan.
    expect(input.jobs.some((j) => j.demand.gpu > Math.max(...input.catalog.map((t) => t.allocatable.gpu)))).toBe(true);
  });
});
