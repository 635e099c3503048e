// A real HTTP server on 127.0.0.1 (a free port) in front of a fake controller, for the
// commands that talk to a running daemon.
import { afterEach } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { buildServer, type LoadmasterServer } from '../../src/server/http-server.ts';
import { fakeControllerApi, type FakeControllerApi } from '../server/fake-controller-api.ts';

const started: LoadmasterServer[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

export async function startDaemon(api: FakeControllerApi = fakeControllerApi()): Promise<{ url: string; api: FakeControllerApi }> {
  const server = buildServer(api, createMetrics().registry, createLogger('silent'));
  started.push(server);
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return { url, api };
}

/** A URL where nothing listens: a port that was free a moment ago. */
export async function deadUrl(): Promise<string> {
  const server = buildServer(fakeControllerApi(), createMetrics().registry, createLogger('silent'));
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  await server.close();
  return url;
}
