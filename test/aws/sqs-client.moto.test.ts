// createSqsClient leaves credentials, region and endpoint to the SDK's conventions: these
// tests set only environment variables (as an operator or a local emulator setup would)
// and check that the client finds moto_server with no endpoint in code.
import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client.ts';
import { motoAvailable, MOTO_SKIP_REASON, resetMoto, startMoto, type Moto } from './moto-server.ts';

/** Everything the SDK's default chains read that could point it elsewhere than the test says. */
const SDK_ENVIRONMENT = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
] as const;

beforeEach(() => {
  for (const name of SDK_ENVIRONMENT) vi.stubEnv(name, undefined);
  // No shared config or credentials files: only what each test sets counts.
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/loadmaster-test/config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/loadmaster-test/credentials');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createSqsClient settings', () => {
  it('retries adaptively, 5 attempts unless told otherwise', async () => {
    const client = createSqsClient({ region: 'eu-west-1' });
    const strategy = await client.config.retryStrategy();
    expect({ kind: strategy.constructor.name, mode: 'mode' in strategy ? strategy.mode : undefined }).toEqual({ kind: 'AdaptiveRetryStrategy', mode: 'adaptive' });
    expect(await client.config.maxAttempts()).toBe(5);
    expect(await createSqsClient({ region: 'eu-west-1', maxAttempts: 2 }).config.maxAttempts()).toBe(2);
  });

  it('takes the region from the options first, then from AWS_REGION', async () => {
    vi.stubEnv('AWS_REGION', 'ap-southeast-2');
    expect(await createSqsClient({ region: 'eu-west-1' }).config.region()).toBe('eu-west-1');
    expect(await createSqsClient().config.region()).toBe('ap-southeast-2');
  });
});

const MOTO_AVAILABLE = motoAvailable();
if (!MOTO_AVAILABLE) {
  console.warn(MOTO_SKIP_REASON);
  it.skip(MOTO_SKIP_REASON, () => {});
}

describe.skipIf(!MOTO_AVAILABLE)('createSqsClient endpoint from the environment', () => {
  let moto: Moto;

  beforeAll(async () => {
    moto = (await startMoto())!;
  });

  afterAll(async () => {
    await moto?.stop();
  });

  beforeEach(async () => {
    await resetMoto(moto);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    // The default credential chain finds these first.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  });

  it('honours AWS_ENDPOINT_URL without an endpoint in code', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', moto.endpoint);
    const client = createSqsClient({ maxAttempts: 1 });
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    expect(QueueUrl).toBe(`${moto.endpoint}/123456789012/jobs`);
    expect((await client.send(new ListQueuesCommand({}))).QueueUrls).toEqual([QueueUrl]);
    client.destroy();
  });

  it('prefers AWS_ENDPOINT_URL_SQS over AWS_ENDPOINT_URL', async () => {
    // Nothing listens on port 1: only the SQS-specific variable can make this work.
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:1');
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', moto.endpoint);
    const client = createSqsClient({ maxAttempts: 1 });
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    expect(QueueUrl).toBe(`${moto.endpoint}/123456789012/jobs`);
    client.destroy();
  });
});
