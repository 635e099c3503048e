// Starts moto_server (moto 5, Python) on a free loopback port for integration tests that
// speak the real AWS wire protocol. Where moto is not installed, `startMoto` resolves to
// undefined and the suite skips with `MOTO_SKIP_REASON`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateClusterCommand, RegisterContainerInstanceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand, DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, expect } from 'vitest';

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

export interface MotoClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** SDK client settings for moto: static test credentials, a region, the endpoint. */
export function motoClientConfig(moto: Moto): MotoClientConfig {
  return { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

export interface UseMotoOptions {
  /**
   * By default moto moves a task one state towards STOPPED per DescribeTasks; with this set,
   * tasks run until stopped, as batch jobs do.
   */
  readonly tasksRunUntilStopped?: boolean;
  /**
   * Points the process's own AWS settings at moto for the suite (AWS_ENDPOINT_URL, test
   * credentials, the region), so clients a daemon makes itself find moto the way a user points
   * them at an emulator. No other AWS_* setting (a profile, a service endpoint) is left to lead
   * them elsewhere; the environment is restored after the suite.
   */
  readonly awsEnvironment?: boolean;
}

/** The suite's moto_server and its SDK clients; read them inside hooks and tests, once moto has started. */
export type MotoSuite<C> = C & {
  readonly endpoint: string;
  /** Clears moto's state (call it first in a beforeEach). */
  reset(): Promise<void>;
};

/**
 * Inside a `describe`: starts moto_server before its tests, builds the SDK clients with
 * `makeClients` from moto's client settings, and after the tests destroys the clients and
 * stops moto. Call it only where moto is available (`describe.skipIf(!motoAvailable())`).
 */
export function useMoto<C extends Record<string, { destroy(): void }>>(makeClients: (config: MotoClientConfig) => C, options: UseMotoOptions = {}): MotoSuite<C> {
  let moto: Moto | undefined;
  let clients: C | undefined;
  let savedEnv: NodeJS.ProcessEnv | undefined;
  const started = (): Moto => {
    if (!moto) throw new Error('moto_server is not started yet: use the suite inside hooks and tests');
    return moto;
  };
  const suite = {
    get endpoint() {
      return started().endpoint;
    },
    reset: () => resetMoto(started()),
  };

  beforeAll(async () => {
    moto = (await startMoto())!;
    if (options.tasksRunUntilStopped) {
      const transition = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
        method: 'POST',
        body: JSON.stringify({ model_name: 'ecs::task', transition: { progression: 'manual', times: 1_000_000 } }),
      });
      expect(transition.status).toBe(201);
    }
    if (options.awsEnvironment) {
      savedEnv = { ...process.env };
      const otherThanAws = Object.entries(savedEnv).filter(([name]) => !name.startsWith('AWS_'));
      process.env = { ...Object.fromEntries(otherThanAws), AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
    }
    clients = makeClients(motoClientConfig(moto));
    Object.assign(suite, clients);
  });

  afterAll(async () => {
    if (savedEnv) process.env = savedEnv;
    for (const client of Object.values(clients ?? {})) client.destroy();
    await moto?.stop();
  });

  return suite as MotoSuite<C>;
}

/** Creates an ECS cluster and answers a subnet of moto's default VPC (it has one per zone). */
export async function createClusterInDefaultVpc(clients: { readonly ecs: ECSClient; readonly ec2: EC2Client }, clusterName: string): Promise<string> {
  await clients.ecs.send(new CreateClusterCommand({ clusterName }));
  return (await clients.ec2.send(new DescribeSubnetsCommand({}))).Subnets![0]!.SubnetId!;
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

/**
 * The ECS agent's part, which moto cannot play: until `signal` aborts, register every
 * launched instance of the cluster (by loadmaster's cluster tag) as a container instance
 * with 4 vCPU and 15,000 MiB.
 */
export function runTestAgent(clients: { readonly ecs: ECSClient; readonly ec2: EC2Client }, cluster: string, signal: AbortSignal): Promise<void> {
  const registered = new Set<string>();
  return (async () => {
    while (!signal.aborted) {
      const described = await clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:loadmaster:cluster', Values: [cluster] }] }));
      for (const instance of described.Reservations!.flatMap((r) => r.Instances ?? [])) {
        const instanceId = instance.InstanceId!;
        if (registered.has(instanceId) || !['pending', 'running'].includes(instance.State?.Name ?? '')) continue;
        await clients.ecs.send(
          new RegisterContainerInstanceCommand({
            cluster,
            instanceIdentityDocument: JSON.stringify({ instanceId, region: 'us-east-1', instanceType: instance.InstanceType }),
            totalResources: [
              { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
              { name: 'MEMORY', type: 'INTEGER', integerValue: 15_000 },
            ],
          }),
        );
        registered.add(instanceId);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
}
