// Starts moto_server (moto 5, Python) on a free loopback port for integration tests that
// speak the real AWS wire protocol. Where moto is not installed, `startMoto` resolves to
// undefined and the suite skips with `MOTO_SKIP_REASON`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const MOTO_SKIP_REASON = 'moto_server is not installed on this machine (pip install "moto[server]"); AWS wire-protocol tests skipped';

export interface Moto {
  /** e.g. http://127.0.0.1:45123 — pass as `endpoint` to SDK clients. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export function motoAvailable(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

export async function startMoto(): Promise<Moto | undefined> {
  if (!motoAvailable()) return undefined;
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok || response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 20_000) {
      child.kill();
      throw new Error(`moto_server did not start on ${endpoint} within 20 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** Clears moto's state between tests. */
export async function resetMoto(moto: Moto): Promise<void> {
  await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
}

/** SDK client settings for moto: static test credentials, a region, the endpoint. */
export function motoClientConfig(moto: Moto): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
  return { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
