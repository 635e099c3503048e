import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { issueAt, issuesOf, MINIMAL_CONFIG } from './config-test-helpers.ts';

describe('daemon sections: defaults', () => {
  it('fills controller, cloud, queue, server and log when absent', () => {
    const config = parseConfig(MINIMAL_CONFIG, 'test.yaml');
    expect(config.controller).toEqual({
      reconcileSeconds: 5,
      resyncSeconds: 60,
      batchIdleSeconds: 1,
      batchMaxSeconds: 10,
      registrationTimeoutSeconds: 300,
      unavailableTypeSeconds: 600,
      idleSeconds: 300,
      learnIdleSeconds: true,
      warmNodes: {},
      maxHeldJobs: 1000,
      visibilitySeconds: 300,
      consolidation: { enabled: true, utilizationBelow: 0.5 },
      api: {
        launch: { concurrency: 2, perSecond: 2 },
        startTasks: { concurrency: 4, perSecond: 10 },
        terminate: { concurrency: 2, perSecond: 5 },
        describe: { concurrency: 1, perSecond: 1 },
      },
    });
    expect(config.cloud).toEqual({
      kind: 'sim',
      sim: {
        seed: 1,
        bootSeconds: 40,
        bootJitterSeconds: 10,
        apiLatencyMs: 50,
        throttleRate: 0,
        capacityErrors: {},
        neverRegister: {},
        durationSeconds: {},
        defaultDurationSeconds: 120,
        failureRate: 0,
      },
    });
    expect(config.queue).toEqual({ kind: 'memory', memory: { visibilitySeconds: 300, maxReceives: 5 } });
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.log).toEqual({ level: 'info' });
  });

  it('reads empty sections as all defaults', () => {
    const config = parseConfig(`controller:\n  api:\n    launch:\ncloud:\n  sim:\nqueue:\nserver:\nlog:\n${MINIMAL_CONFIG}`, 'test.yaml');
    expect(config.controller.api.launch).toEqual({ concurrency: 2, perSecond: 2 });
    expect(config.cloud.sim.bootSeconds).toBe(40);
    expect(config.queue.memory.maxReceives).toBe(5);
    expect(config.server.port).toBe(9464);
    expect(config.log.level).toBe('info');
  });

  it('keeps given values and fills the rest, per cloud operation too', () => {
    const text = `controller: { idleSeconds: 60, warmNodes: { "c7g.*": 1 }, api: { launch: { concurrency: 5 } } }\n${MINIMAL_CONFIG}`;
    const config = parseConfig(text, 'test.yaml');
    expect(config.controller.idleSeconds).toBe(60);
    expect(config.controller.warmNodes).toEqual({ 'c7g.*': 1 });
    expect(config.controller.api.launch).toEqual({ concurrency: 5, perSecond: 2 });
    expect(config.controller.api.describe).toEqual({ concurrency: 1, perSecond: 1 });
  });

  it('accepts simulated durations per algorithm and sim failure rates per type pattern', () => {
    const text = `cloud:\n  sim: { durationSeconds: { segment: 30 }, capacityErrors: { "g5.*": 0.5 }, neverRegister: { "c7g.large": 0.1 } }\n${MINIMAL_CONFIG}`;
    const sim = parseConfig(text, 'test.yaml').cloud.sim;
    expect(sim.durationSeconds).toEqual({ segment: 30 });
    expect(sim.capacityErrors).toEqual({ 'g5.*': 0.5 });
    expect(sim.neverRegister).toEqual({ 'c7g.large': 0.1 });
  });
});

describe('daemon sections: errors name the path, the value and what was expected', () => {
  it('lists the known kinds for an unknown one', () => {
    expect(issueAt(`cloud: { kind: gcp }\n${MINIMAL_CONFIG}`, 'cloud.kind').message).toBe('expected "sim" or "aws", got "gcp"');
  });

  it('rejects an unknown cloud operation with the known ones', () => {
    const issue = issueAt(`controller:\n  api:\n    runTask: { concurrency: 1 }\n${MINIMAL_CONFIG}`, 'controller.api.runTask');
    expect(issue.message).toContain('unknown key (expected one of: launch, startTasks, terminate, describe)');
    expect(issue.line).toBe(3);
  });

  it('checks limits, rates and ports', () => {
    expect(issueAt(`controller: { api: { launch: { concurrency: 0 } } }\n${MINIMAL_CONFIG}`, 'controller.api.launch.concurrency').message).toBe('expected an integer >= 1, got 0');
    expect(issueAt(`controller: { api: { describe: { perSecond: 0 } } }\n${MINIMAL_CONFIG}`, 'controller.api.describe.perSecond').message).toBe('expected a number >= 0.01, got 0');
    expect(issueAt(`cloud: { sim: { apiLatencyMs: 1e8 } }\n${MINIMAL_CONFIG}`, 'cloud.sim.apiLatencyMs').message).toBe('expected a number <= 60000, got 100000000');
    expect(issueAt(`cloud: { sim: { bootSeconds: 4000 } }\n${MINIMAL_CONFIG}`, 'cloud.sim.bootSeconds').message).toBe('expected a number <= 3600, got 4000');
    expect(issueAt(`controller: { visibilitySeconds: 50000 }\n${MINIMAL_CONFIG}`, 'controller.visibilitySeconds').message).toBe('expected an integer <= 43200, got 50000');
    expect(issueAt(`cloud: { sim: { throttleRate: 1.5 } }\n${MINIMAL_CONFIG}`, 'cloud.sim.throttleRate').message).toBe('expected a number <= 1, got 1.5');
    expect(issueAt(`server: { port: 70000 }\n${MINIMAL_CONFIG}`, 'server.port').message).toBe('expected an integer <= 65535, got 70000');
    expect(issueAt(`log: { level: loud }\n${MINIMAL_CONFIG}`, 'log.level').message).toBe('expected "fatal", "error", "warn", "info", "debug", "trace" or "silent", got "loud"');
  });

  it('needs batchMaxSeconds to cover batchIdleSeconds', () => {
    expect(issueAt(`controller: { batchIdleSeconds: 20 }\n${MINIMAL_CONFIG}`, 'controller.batchMaxSeconds').message).toBe('expected batchMaxSeconds >= batchIdleSeconds (20), got 10');
  });

  it('checks warmNodes and sim type patterns against the catalog', () => {
    const text = `catalog: { include: ["c7g.*"] }\ncontroller: { warmNodes: { "g5.*": 1 } }\ncloud: { sim: { capacityErrors: { "c7x.*": 0.2 } } }\n${MINIMAL_CONFIG}`;
    const issues = issuesOf(text);
    expect(issues.map((issue) => issue.path)).toEqual(['controller.warmNodes["g5.*"]', 'cloud.sim.capacityErrors["c7x.*"]']);
    expect(issues[0]!.message).toContain('left out by catalog.include/exclude');
    expect(issues[1]!.message).toBe('"c7x.*" matches no known instance type; expected a pattern matching at least one catalog type');
  });

  it('names an unknown algorithm in sim durations, with a likely fix', () => {
    const issue = issueAt(`cloud: { sim: { durationSeconds: { segmnt: 30 } } }\n${MINIMAL_CONFIG}`, 'cloud.sim.durationSeconds.segmnt');
    expect(issue.message).toBe(`unknown algorithm "segmnt"; expected one of the config's algorithms: segment; did you mean "segment"?`);
    expect(issue.line).toBe(1);
  });
});
