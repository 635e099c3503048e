import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { VirtualClock } from '../../src/clock/virtual-clock.ts';
import type { ControllerView } from '../../src/controller/controller-view.ts';
import { createDaemon } from '../../src/daemon/daemon.ts';
import { job, TEST_CONFIG } from './sim-harness.ts';

describe('the daemon behind its HTTP endpoints (fastify inject, virtual time)', () => {
  it('accepts jobs, explains rejections, shows state and counts in /metrics', async () => {
    const clock = new VirtualClock();
    const daemon = await createDaemon(parseConfig(TEST_CONFIG, 'test.yaml'), clock, pino({ level: 'silent' }));
    daemon.controller.start();

    const bad = await daemon.server.inject({ method: 'POST', url: '/v1/jobs', payload: [job('ok-1', 'segment'), { ...job('bad-1', 'segment'), colour: 'red' }] });
    expect(bad.statusCode).toBe(400);
    const body = bad.json<{ accepted: string[]; rejected: { index: number; reason: string }[] }>();
    expect(body.accepted).toEqual(['ok-1']);
    expect(body.rejected[0]!.index).toBe(1);
    expect(body.rejected[0]!.reason).toMatch(/colour/);

    const good = await daemon.server.inject({ method: 'POST', url: '/v1/jobs', payload: job('ok-2', 'infer') });
    expect(good.statusCode).toBe(202);

    await clock.runUntil(() => daemon.sim!.cloud.tasks().length === 2, 600_000);
    expect((await daemon.server.inject({ url: '/readyz' })).statusCode).toBe(200);
    const state = (await daemon.server.inject({ url: '/v1/state' })).json<ControllerView>();
    expect(state.running.map((r) => r.jobId).sort()).toEqual(['ok-1', 'ok-2']);
    expect(state.nodes.length).toBeGreaterThan(0);
    expect(state.hourlyCost).toBeGreaterThan(0);

    const metrics = (await daemon.server.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^loadmaster_jobs_started_total 2$/m);
    expect(metrics).toMatch(/^loadmaster_jobs_received_total 2$/m);
    expect(metrics).toMatch(/^loadmaster_nodes_launched_total\{type="[a-z0-9.]+"\} 1$/m);
    expect(metrics).toMatch(/^process_cpu_user_seconds_total /m);

    let stopped = false;
    const stopping = daemon.stop().then(() => (stopped = true));
    await clock.runUntil(() => stopped, 600_000);
    await stopping;
  });
});
