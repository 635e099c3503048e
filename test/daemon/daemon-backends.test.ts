// How createDaemon picks its cloud and queue by kind, and what a reload may change on AWS.
// Nothing here calls AWS: with an imageId there is no SSM look-up, and the daemon is not started.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AwsCloud } from '../../src/adapters/aws/aws-cloud.ts';
import { MemoryJobSource } from '../../src/adapters/memory-queue/memory-job-source.ts';
import { SimCloud } from '../../src/adapters/sim/sim-cloud.ts';
import { SqsJobSource } from '../../src/adapters/sqs/sqs-job-source.ts';
import { VirtualClock } from '../../src/clock/virtual-clock.ts';
import { InputError } from '../../src/config/input-issues.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { createDaemon } from '../../src/daemon/daemon.ts';

const ALGORITHMS = `
algorithms:
  segment: { image: example/segment:1, resources: { cpu: 512, memoryMiB: 1024 } }
`;

const awsConfig = (include: string, tags = 'team: imaging') => `
catalog: { include: [${include}] }
cloud: { kind: aws, aws: { region: us-east-1, cluster: lm, imageId: ami-0abc1234, subnetIds: [subnet-0abc1234], tags: { ${tags} } } }
queue:
  kind: sqs
  sqs: { queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs", deadLetterQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/dead" }
${ALGORITHMS}`;

function logged(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }), lines };
}

describe('createDaemon: the cloud and queue by kind', () => {
  it('runs the embedded simulation and memory queue by default, and exposes them', async () => {
    const daemon = await createDaemon(parseConfig(ALGORITHMS, 'sim.yaml'), new VirtualClock(), pino({ level: 'silent' }));
    expect(daemon.cloud).toBeInstanceOf(SimCloud);
    expect(daemon.queue).toBeInstanceOf(MemoryJobSource);
    expect(daemon.sim).toEqual({ cloud: daemon.cloud, queue: daemon.queue });
    await daemon.stop();
  });

  it('runs ECS/EC2 and SQS for cloud: aws and queue: sqs, with no simulation to show', async () => {
    const daemon = await createDaemon(parseConfig(awsConfig('"m7i.*"'), 'aws.yaml'), new VirtualClock(), pino({ level: 'silent' }));
    expect(daemon.cloud).toBeInstanceOf(AwsCloud);
    expect(daemon.queue).toBeInstanceOf(SqsJobSource);
    expect(daemon.sim).toBeUndefined();
    await daemon.stop();
  });

  it('warns that a memory queue under cloud: aws loses its jobs with the process', async () => {
    const { logger, lines } = logged();
    const config = parseConfig(awsConfig('"m7i.*"').replace(/queue:\n {2}kind: sqs\n.*\n/, ''), 'aws.yaml');
    expect(config.queue.kind).toBe('memory');
    const daemon = await createDaemon(config, new VirtualClock(), logger);
    expect(lines.join('')).toContain('queue.kind is \\"memory\\": queued and held jobs live only in this process');
    await daemon.stop();
  });

  it('refuses at creation a catalog the one AMI cannot boot, naming the config', async () => {
    const creating = createDaemon(parseConfig(awsConfig('"m7i.large", "m7g.large"'), 'aws.yaml'), new VirtualClock(), pino({ level: 'silent' }), { source: 'aws.yaml' });
    await expect(creating).rejects.toBeInstanceOf(InputError);
    await expect(creating).rejects.toMatchObject({ source: 'aws.yaml', issues: [{ path: 'cloud.aws.imageId', message: expect.stringContaining('ami-0abc1234 boots one architecture only') }] });
  });
});

describe('reloading a daemon on AWS', () => {
  it('refuses a catalog of another architecture, and changes nothing', async () => {
    const daemon = await createDaemon(parseConfig(awsConfig('"m7i.*"'), 'aws.yaml'), new VirtualClock(), pino({ level: 'silent' }), { source: 'aws.yaml' });
    expect(() => daemon.reload(parseConfig(awsConfig('"m7g.*"'), 'aws.yaml'))).toThrow(InputError);
    expect(() => daemon.reload(parseConfig(awsConfig('"m7g.*"'), 'aws.yaml'))).toThrow(/aws\.yaml: catalog: the catalog is now arm64 but the AMI chosen at start boots x86_64 only/);
    expect(daemon.controller.view().recentDecisions.filter((d) => d.kind === 'reload')).toEqual([]);
    await daemon.stop();
  });

  it('applies the rest, and says that cloud and queue changes wait for a restart', async () => {
    const { logger, lines } = logged();
    const daemon = await createDaemon(parseConfig(awsConfig('"m7i.*"'), 'aws.yaml'), new VirtualClock(), logger);
    daemon.reload(parseConfig(awsConfig('"m7i.*", "c7i.*"', 'team: optics'), 'aws.yaml'));
    expect(daemon.controller.view().recentDecisions.map((d) => d.kind)).toContain('reload');
    expect(lines.join('')).toContain('cloud section changed: it takes effect when loadmaster restarts');
    expect(lines.join('')).not.toContain('queue section changed');
    await daemon.stop();
  });
});

describe('createDaemon: the write spool (controller.spoolFile)', () => {
  const withSpool = (path: string) => parseConfig(`controller: { spoolFile: ${JSON.stringify(path)} }\n${ALGORITHMS}`, 'spool.yaml');

  it('refuses to start on a spool it cannot read back, naming the file and what is wrong', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'loadmaster-spool-')), 'unwritten.json');
    await writeFile(path, 'not json');
    const error = await createDaemon(withSpool(path), new VirtualClock(), pino({ level: 'silent' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(`${path}: not JSON`);
  });

  it('says how many writes it found from before, and starts without a spool file as with an empty one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loadmaster-spool-'));
    const path = join(dir, 'unwritten.json');
    const body = { version: 1, jobId: 'j-1', algorithm: 'segment', inputs: ['s3://lab/in/1.tif'], outputPrefix: 's3://lab/out/1/', env: {}, priority: 0, attempt: 2 };
    await writeFile(path, JSON.stringify({ version: 1, writes: [{ kind: 'retry', message: body }] }));
    const { logger, lines } = logged();
    const daemon = await createDaemon(withSpool(path), new VirtualClock(), logger);
    expect(lines.some((line) => line.includes('1 retry/dead-letter write(s) kept in the spool from before'))).toBe(true);
    await daemon.stop();
    const fresh = await createDaemon(withSpool(join(dir, 'none.json')), new VirtualClock(), pino({ level: 'silent' }));
    await fresh.stop();
  });
});
