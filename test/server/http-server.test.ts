import { STOPPING_REASON } from '../../src/controller/controller-view.ts';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { buildServer, MAX_MESSAGES_PER_REQUEST, type LoadmasterServer } from '../../src/server/http-server.ts';
import { fakeControllerApi, SAMPLE_VIEW, type FakeControllerApi } from './fake-controller-api.ts';

let server: LoadmasterServer | undefined;
let logLines: string[] = [];

function serverFor(api: FakeControllerApi): LoadmasterServer {
  logLines = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  const metrics = createMetrics();
  metrics.jobsReceived.inc(7);
  server = buildServer(api, metrics.registry, createLogger('info', sink));
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('GET /metrics, /healthz, /readyz, /v1/state', () => {
  it('serves the metrics in the Prometheus text format', async () => {
    const response = await serverFor(fakeControllerApi()).inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('loadmaster_jobs_received_total 7');
  });

  it('says ok on /healthz', async () => {
    const response = await serverFor(fakeControllerApi()).inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when ready and 503 with the reason when not', async () => {
    const api = fakeControllerApi();
    const app = serverFor(api);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    api.ready = false;
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not ready', reason: expect.stringContaining('first sync with the cloud') });
  });

  it('once stopping, answers /readyz and POST /v1/jobs with 503 and the reason, and enqueues nothing', async () => {
    const api = fakeControllerApi();
    api.stopping = true;
    const app = serverFor(api);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect([ready.statusCode, ready.json()]).toEqual([503, { status: 'stopping', reason: STOPPING_REASON }]);
    const submit = await app.inject({ method: 'POST', url: '/v1/jobs', payload: '{"jobId":"late"}' });
    expect([submit.statusCode, submit.json()]).toEqual([503, { reason: STOPPING_REASON }]);
    expect(api.submissions).toEqual([]);
  });

  it('returns the controller view as JSON on /v1/state', async () => {
    const response = await serverFor(fakeControllerApi()).inject({ method: 'GET', url: '/v1/state' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(SAMPLE_VIEW);
  });

  it('answers an unknown route with 404 and the known ones', async () => {
    const response = await serverFor(fakeControllerApi()).inject({ method: 'GET', url: '/v1/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ reason: 'no route GET /v1/nope; expected one of: GET /metrics, GET /healthz, GET /readyz, GET /v1/state, POST /v1/jobs' });
  });

  it('does not log probes and scrapes, but logs API requests', async () => {
    const app = serverFor(fakeControllerApi());
    await app.inject({ method: 'GET', url: '/metrics' });
    await app.inject({ method: 'GET', url: '/healthz' });
    expect(logLines).toEqual([]);
    await app.inject({ method: 'GET', url: '/v1/state' });
    expect(logLines.length).toBeGreaterThan(0);
  });
});

describe('POST /v1/jobs', () => {
  it('refuses a body of more than 100,000 messages at once, queuing none', async () => {
    const api = fakeControllerApi();
    const response = await serverFor(api).inject({ method: 'POST', url: '/v1/jobs', payload: `[${Array(MAX_MESSAGES_PER_REQUEST + 1).fill('{}').join(',')}]` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ reason: 'the body holds 100,001 messages; expected at most 100,000 per request (send them in several; nothing was queued)' });
    expect(api.submissions).toEqual([]);
  });

  const message = { version: 1, jobId: 'seg-1', algorithm: 'segment-cells', inputs: ['s3://b/k'], outputPrefix: 's3://b/out/', env: {} };

  it('accepts one message object with 202', async () => {
    const api = fakeControllerApi();
    const response = await serverFor(api).inject({ method: 'POST', url: '/v1/jobs', payload: message });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ accepted: ['seg-1'] });
    expect(api.submissions).toEqual([[message]]);
  });

  it('accepts an array of messages', async () => {
    const api = fakeControllerApi();
    const response = await serverFor(api).inject({ method: 'POST', url: '/v1/jobs', payload: [message, { ...message, jobId: 'seg-2' }] });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ accepted: ['seg-1', 'seg-2'] });
  });

  it('answers 400 with the accepted ones and each rejection with its index and reason', async () => {
    const response = await serverFor(fakeControllerApi()).inject({ method: 'POST', url: '/v1/jobs', payload: [message, { algorithm: 'x' }] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ accepted: ['seg-1'], rejected: [{ index: 1, reason: 'jobId: missing: expected a non-empty string' }] });
  });

  it('reads the body whatever its content type', async () => {
    const response = await serverFor(fakeControllerApi()).inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: JSON.stringify(message),
    });
    expect(response.statusCode).toBe(202);
  });

  it.each([
    ['not JSON', '{"jobId": ', /^the body is not valid JSON \(.+\); expected one job message \(a JSON object\) or a JSON array of them$/],
    ['empty', '', /^the body is empty; /],
    ['an empty array', '[]', /^the body is an empty array; /],
    ['a bare value', '42', /^the body is 42; /],
  ])('refuses a body that is %s with 400 and the reason, without calling the controller', async (_what, payload, reason) => {
    const api = fakeControllerApi();
    const response = await serverFor(api).inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ reason: expect.stringMatching(reason) });
    expect(api.submissions).toEqual([]);
  });

  it('answers 500 with the message, and logs it, when the controller fails', async () => {
    const api = fakeControllerApi();
    api.submit = async () => {
      throw new Error('queue unavailable');
    };
    const response = await serverFor(api).inject({ method: 'POST', url: '/v1/jobs', payload: message });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ reason: 'internal error: queue unavailable' });
    expect(logLines.some((line) => line.includes('"level":"error"') && line.includes('queue unavailable'))).toBe(true);
  });
});
