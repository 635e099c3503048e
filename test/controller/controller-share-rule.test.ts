// The share rule in the controller: it tells the planner how many jobs each node holds, each
// algorithm's observed run time and the observed boot time. The real controller, planner,
// sim and in-memory queue, in virtual time.
import { describe, expect, it } from 'vitest';
import { stopOnVirtualClock } from '../../src/simulation/sim-world.ts';
import { buildHarness, job, type Harness } from '../daemon/sim-harness.ts';

// "wide" only runs on c7g.4xlarge (0.58 $/h) and runs an hour; "small" runs 10 s and could run
// on a c7g.large of its own (0.0725 $/h): joining the 4xlarge next to wide costs 0.58 / 2 =
// 0.29 $/h per job, 4 times its own instance.
const config = (sharePriceRatio: number): string => `
catalog: { include: ["c7g.large", "c7g.4xlarge"] }
policy: { maxInstances: 10, maxHourlyCost: 10, sharePriceRatio: ${sharePriceRatio} }
algorithms:
  wide:
    image: wide:1
    resources: { cpu: 8192, memoryMiB: 1024 }
    instanceTypes: ["c7g.4xlarge"]
  small:
    image: small:1
    resources: { cpu: 512, memoryMiB: 512 }
`;

const SECONDS: Record<string, number> = { wide: 3600, 'small-1': 10, 'small-2': 10 };

function setUp(sharePriceRatio: number): Harness & { readonly controller: ReturnType<Harness['newController']> } {
  const harness = buildHarness({ config: config(sharePriceRatio), taskSeconds: (jobId) => SECONDS[jobId]! });
  return { ...harness, controller: harness.newController() };
}

const taskOf = (s: Harness, jobId: string) => s.cloud.tasks().find((t) => t.jobId === jobId);

async function wideRunning(s: ReturnType<typeof setUp>): Promise<string> {
  await s.queue.send([job('wide', 'wide')]);
  s.controller.start();
  expect(await s.clock.runUntil(() => taskOf(s, 'wide') !== undefined, 600_000)).toBe(true);
  return taskOf(s, 'wide')!.instanceId;
}

describe('the share rule (policy.sharePriceRatio) in the controller', () => {
  it('a short job gets its own small instance rather than share a dear node, until its run time and the boot are known', async () => {
    const s = setUp(3);
    const wideNode = await wideRunning(s);

    // No run time known yet: 0.29 $/h per job > 3 × 0.0725. Its own instance.
    await s.queue.send([job('small-1', 'small')]);
    expect(await s.clock.runUntil(() => taskOf(s, 'small-1')?.stoppedAt !== undefined, 600_000)).toBe(true);
    const ownNode = taskOf(s, 'small-1')!.instanceId;
    expect(ownNode).not.toBe(wideNode);
    expect(s.cloud.instances().find((i) => i.instanceId === ownNode)!.type).toBe('c7g.large');

    // Now a small job is known to run 10 s and a boot about 40 s: its own instance would bill
    // 60 s for 10 s of work, 0.0725 × 60 / 10 = 0.44 $/h of its run, and 0.29 ≤ 3 × 0.44: it joins wide's node.
    await s.queue.send([job('small-2', 'small')]);
    expect(await s.clock.runUntil(() => taskOf(s, 'small-2') !== undefined, 600_000)).toBe(true);
    expect(taskOf(s, 'small-2')!.instanceId).toBe(wideNode);
    // What it went by is in the state it serves (/v1/state), for `loadmaster plan` snapshots.
    const view = s.controller.view();
    expect(view.runTimes['small']).toBeGreaterThanOrEqual(10);
    expect(view.runTimes['small']).toBeLessThan(20); // as the controller saw it: start to the stop it noticed
    expect(view.bootSeconds).toBeGreaterThanOrEqual(30);
    expect(view.bootSeconds).toBeLessThanOrEqual(50);
    await stopOnVirtualClock(s.clock, s.controller);
  });

  it('with sharePriceRatio 0 the job joins the dear node at once', async () => {
    const s = setUp(0);
    const wideNode = await wideRunning(s);
    await s.queue.send([job('small-1', 'small')]);
    expect(await s.clock.runUntil(() => taskOf(s, 'small-1') !== undefined, 600_000)).toBe(true);
    expect(taskOf(s, 'small-1')!.instanceId).toBe(wideNode);
    expect(s.cloud.instances()).toHaveLength(1);
    await stopOnVirtualClock(s.clock, s.controller);
  });
});
