// An Auto Scaling group starts instances asynchronously: launch() answers with the instances
// the group named within its wait, and may leave some out (auto-scaling.ts). The jobs meant
// for an instance left out are planned again; the instance itself turns up later, on its
// registration event or a resync, and is adopted like any other: used, or retired when idle.
// The real controller on the sim; only a thin Cloud wrapper that drops names sits between.
import { describe, expect, it } from 'vitest';
import type { SimCloud } from '../../src/adapters/sim/sim-cloud.ts';
import { policyFromConfig } from '../../src/config/config-to-core.ts';
import { Controller } from '../../src/controller/controller.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import type { Cloud, CloudInstance } from '../../src/ports/cloud.ts';
import { stopOnVirtualClock } from '../../src/simulation/sim-world.ts';
import { buildHarness, job, succeeded } from '../daemon/sim-harness.ts';

// One type, two 1 vCPU jobs per instance: four jobs make one launch of two instances.
const CONFIG = `
catalog: { include: ["m7g.large"] }
algorithms:
  segment:
    image: seg:1
    resources: { cpu: 1024, memoryMiB: 3072 }
controller:
  idleSeconds: 60
`;

/** The sim, except that the first launch of two or more instances leaves the last out of its answer. */
class LateNamingCloud implements Cloud {
  readonly unnamed: string[] = [];
  readonly #inner: SimCloud;

  constructor(inner: SimCloud) {
    this.#inner = inner;
  }

  async launch(type: string, count: number, clientToken: string): Promise<readonly CloudInstance[]> {
    const instances = await this.#inner.launch(type, count, clientToken);
    if (this.unnamed.length > 0 || instances.length < 2) return instances;
    this.unnamed.push(instances.at(-1)!.instanceId);
    return instances.slice(0, -1);
  }

  startTasks: Cloud['startTasks'] = (instanceId, specs) => this.#inner.startTasks(instanceId, specs);
  drain: Cloud['drain'] = (instanceId) => this.#inner.drain(instanceId);
  terminate: Cloud['terminate'] = (instanceIds) => this.#inner.terminate(instanceIds);
  stopTask: Cloud['stopTask'] = (taskArn, reason) => this.#inner.stopTask(taskArn, reason);
  describe: Cloud['describe'] = () => this.#inner.describe();
  pollEvents: Cloud['pollEvents'] = () => this.#inner.pollEvents();
}

describe('controller: instances a launch names late', () => {
  it('plans the jobs of an instance left out of the answer again, adopts the instance when it shows up, and loses nothing', async () => {
    const { clock, cloud, queue, config, logger, logLines, world } = buildHarness({ config: CONFIG, taskSeconds: 300 });
    const late = new LateNamingCloud(cloud);
    const controller = new Controller({ clock, cloud: late, queue, catalog: world.catalog, policy: policyFromConfig(config), settings: world.settings, rules: world.rules, logger, metrics: createMetrics() });
    const ids = ['a', 'b', 'c', 'd'];
    await queue.send(ids.map((id) => job(id, 'segment')));
    controller.start();

    expect(await clock.runUntil(() => succeeded(cloud, ids).length === ids.length, 3600_000)).toBe(true);
    expect(late.unnamed).toHaveLength(1);
    const [unnamed] = late.unnamed;
    // The named instance kept its two jobs (the answer was not taken for a failed launch)...
    const firstLaunch = cloud.instances().filter((i) => i.instanceId !== unnamed)[0]!;
    const ranOn = (id: string) => cloud.tasks().find((t) => t.jobId === id)!.instanceId;
    expect([ranOn('a'), ranOn('b')]).toEqual([firstLaunch.instanceId, firstLaunch.instanceId]);
    // ...and the other two, planned again, ran too.
    expect([ranOn('c'), ranOn('d')].every((id) => id !== firstLaunch.instanceId)).toBe(true);
    // Every job ran once; none was lost with the instance the answer left out.
    for (const id of ids) expect(cloud.startedTaskCount(id)).toBe(1);
    expect(cloud.duplicateStartAttempts()).toBe(0);
    expect(queue.depth()).toBe(0);
    // The instance was adopted once it registered, not left running unseen.
    expect(logLines.some((line) => line.includes(`adopted m7g.large ${unnamed}`))).toBe(true);

    // With the work done, the fleet goes back to nothing: the late instance too.
    expect(await clock.runUntil(() => cloud.instances().every((i) => i.terminatedAt !== undefined), 3600_000)).toBe(true);
    await stopOnVirtualClock(clock, controller);
  });
});
