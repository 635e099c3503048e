// AwsCloud against mocked SDK clients: the exact requests it sends and how it reads answers
// and errors that moto cannot produce (capacity errors, StartTask failures, pages).
import {
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  ListContainerInstancesCommand,
  ListTasksCommand,
  StartTaskCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  type ContainerInstance,
} from '@aws-sdk/client-ecs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/adapters/aws/aws-clients.ts';
import { AwsCloud, type AwsCloudOptions } from '../../src/adapters/aws/aws-cloud.ts';
import type { TaskSpec } from '../../src/ports/cloud.ts';

const CLUSTER = 'imaging';

/** A container override's environment, in the order given. */
function environmentOf(variables: Readonly<Record<string, string>>): { name: string; value: string }[] {
  return Object.entries(variables).map(([name, value]) => ({ name, value }));
}
const CLUSTER_ARN = `arn:aws:ecs:eu-west-1:123456789012:cluster/${CLUSTER}`;
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/lm-events';
const OWNED_TAGS = [
  { Key: 'loadmaster:managed-by', Value: 'loadmaster' },
  { Key: 'loadmaster:cluster', Value: CLUSTER },
];

const ecs = new ECSClient({ region: 'eu-west-1' });
const ec2 = new EC2Client({ region: 'eu-west-1' });
const sqs = new SQSClient({ region: 'eu-west-1' });
const ecsMock = mockClient(ecs);
const ec2Mock = mockClient(ec2);
const sqsMock = mockClient(sqs);

beforeEach(() => {
  ecsMock.reset();
  ec2Mock.reset();
  sqsMock.reset();
});

function cloud(overrides: Partial<AwsCloudOptions> = {}): AwsCloud {
  return new AwsCloud({
    ecs,
    ec2,
    sqs,
    cluster: CLUSTER,
    eventsQueueUrl: QUEUE_URL,
    launch: { imageId: 'ami-0abc', subnetIds: ['subnet-a'], securityGroupIds: ['sg-1'], instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/ecs' },
    taskDefinitionOf: (algorithm) => `lm-${algorithm}`,
    ...overrides,
  });
}

function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: 'client', $metadata: {} });
}

function instanceId(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

function containerInstanceArn(n: number): string {
  return `arn:aws:ecs:eu-west-1:123456789012:container-instance/${CLUSTER}/${n.toString(16).padStart(32, '0')}`;
}

function ec2Instance(n: number, extra: Partial<Instance> = {}): Instance {
  return { InstanceId: instanceId(n), InstanceType: 'm6i.xlarge', State: { Name: 'running' }, LaunchTime: new Date(1_700_000_000_000), Tags: OWNED_TAGS, ...extra };
}

function containerInstance(n: number, status = 'ACTIVE'): ContainerInstance {
  return {
    containerInstanceArn: containerInstanceArn(n),
    ec2InstanceId: instanceId(n),
    status,
    agentConnected: true,
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 15_600 },
      { name: 'GPU', type: 'STRINGSET', stringSetValue: ['GPU-1'] },
    ],
  };
}

/** ECS knows these container instances: listing (unfiltered or by ec2InstanceId) and describing. */
function registerContainerInstances(...ns: number[]): void {
  ecsMock.on(ListContainerInstancesCommand).callsFake((input: { filter?: string }) => ({
    containerInstanceArns: ns.filter((n) => input.filter === undefined || input.filter === `ec2InstanceId == ${instanceId(n)}`).map(containerInstanceArn),
  }));
  ecsMock.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances: string[] }) => ({
    containerInstances: ns.filter((n) => input.containerInstances.includes(containerInstanceArn(n))).map((n) => containerInstance(n)),
  }));
}

function byKey<T extends { Key?: string | undefined }>(tags: readonly T[]): T[] {
  return [...tags].sort((a, b) => (a.Key! < b.Key! ? -1 : 1));
}

function spec(jobId: string, extra: Partial<TaskSpec> = {}): TaskSpec {
  return { jobId, attempt: 1, algorithm: 'segment', demand: { cpu: 1024, memoryMiB: 2048, gpu: 0 }, env: {}, inputs: [`s3://in/${jobId}.tif`], outputPrefix: `s3://out/${jobId}/`, ...extra };
}

describe('launch', () => {
  it('sends one RunInstances for the batch: tags, token, user data joining the cluster, network, profile', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [ec2Instance(1, { State: { Name: 'pending' } }), ec2Instance(2, { State: { Name: 'pending' } })] });
    const launched = await cloud({ extraTags: { team: 'imaging', 'loadmaster:cluster': 'spoofed' } }).launch('m6i.xlarge', 2, 'lm-1-1');

    expect(launched).toEqual([
      { instanceId: instanceId(1), type: 'm6i.xlarge', state: 'pending', launchedAt: 1_700_000_000_000 },
      { instanceId: instanceId(2), type: 'm6i.xlarge', state: 'pending', launchedAt: 1_700_000_000_000 },
    ]);
    const calls = ec2Mock.commandCalls(RunInstancesCommand);
    expect(calls).toHaveLength(1);
    const { UserData, TagSpecifications, ...request } = calls[0]!.args[0].input;
    // loadmaster's own tags win over extras of the same key.
    const tags = byKey([...OWNED_TAGS, { Key: 'team', Value: 'imaging' }]);
    expect(TagSpecifications!.map((t) => [t.ResourceType, byKey(t.Tags!)])).toEqual([
      ['instance', tags],
      ['volume', tags],
    ]);
    expect(request).toEqual({
      InstanceType: 'm6i.xlarge',
      MinCount: 2,
      MaxCount: 2,
      ClientToken: 'lm-1-1',
      ImageId: 'ami-0abc',
      SubnetId: 'subnet-a',
      SecurityGroupIds: ['sg-1'],
      IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/ecs' },
      InstanceInitiatedShutdownBehavior: 'terminate',
    });
    expect(Buffer.from(UserData!, 'base64').toString('utf8')).toBe(
      [
        '#!/bin/bash',
        `echo ECS_CLUSTER=${CLUSTER} >> /etc/ecs/ecs.config`,
        `echo 'ECS_CONTAINER_INSTANCE_TAGS={"loadmaster:managed-by":"loadmaster","loadmaster:cluster":"${CLUSTER}"}' >> /etc/ecs/ecs.config`,
        '',
      ].join('\n'),
    );
  });

  it('launches from a launch template, leaving AMI and user data to it', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [ec2Instance(1)] });
    await cloud({ launch: { launchTemplate: { name: 'lm-nodes' }, subnetIds: ['subnet-a'] } }).launch('g5.xlarge', 1, 'lm-2-1');
    const input = ec2Mock.commandCalls(RunInstancesCommand)[0]!.args[0].input;
    expect(input.LaunchTemplate).toEqual({ LaunchTemplateName: 'lm-nodes', Version: '$Default' });
    expect(input.InstanceType).toBe('g5.xlarge');
    expect(input).not.toHaveProperty('UserData');
    expect(input).not.toHaveProperty('ImageId');
    expect(input.TagSpecifications![0]!.Tags).toEqual(OWNED_TAGS);
  });

  it('answers a repeated client token from memory, and refuses one reused for another launch', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [ec2Instance(1)] });
    const aws = cloud();
    const first = await aws.launch('m6i.xlarge', 1, 'lm-3-1');
    expect(await aws.launch('m6i.xlarge', 1, 'lm-3-1')).toEqual(first);
    await expect(aws.launch('c6i.large', 1, 'lm-3-1')).rejects.toMatchObject({ code: 'other' });
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
  });

  it.each([
    ['InsufficientInstanceCapacity', 'We currently do not have sufficient m6i.xlarge capacity in the Availability Zone you requested.', 'insufficient-capacity'],
    ['Unsupported', 'Your requested instance type (m6i.xlarge) is not supported in your requested Availability Zone (eu-west-1c).', 'unsupported-type'],
    ['InvalidParameterValue', "Invalid value 'm9.huge' for InstanceType.", 'unsupported-type'],
    ['InvalidParameterValue', 'Value (ami-0abc) for parameter image is invalid.', 'other'],
    ['RequestLimitExceeded', 'Request limit exceeded.', 'throttled'],
  ])('maps %s (%s) to %s', async (name, message, code) => {
    ec2Mock.on(RunInstancesCommand).rejects(ec2Error(name, message));
    await expect(cloud().launch('m6i.xlarge', 1, 'lm-4-1')).rejects.toMatchObject({ name: 'CloudError', code, message: expect.stringContaining(name) });
  });

  it('tries the next subnet (with its own token) when a zone lacks capacity, and fails when all do', async () => {
    const subnets = ['subnet-a', 'subnet-b', 'subnet-c'];
    ec2Mock.on(RunInstancesCommand).callsFake((input: { SubnetId: string }) => {
      if (input.SubnetId !== 'subnet-c') throw ec2Error('InsufficientInstanceCapacity', 'no capacity');
      return { Instances: [ec2Instance(7)] };
    });
    const launched = await cloud({ launch: { imageId: 'ami-0abc', subnetIds: subnets } }).launch('m6i.xlarge', 1, 'lm-5-1');
    expect(launched.map((i) => i.instanceId)).toEqual([instanceId(7)]);
    const calls = ec2Mock.commandCalls(RunInstancesCommand).map((c) => c.args[0].input);
    // Each zone once, ending at the one with capacity; the first with the caller's token, the others with their own.
    expect(calls.at(-1)!.SubnetId).toBe('subnet-c');
    expect(new Set(calls.map((c) => c.SubnetId)).size).toBe(calls.length);
    expect(calls.map((c) => c.ClientToken)).toEqual(calls.map((_, i) => (i === 0 ? 'lm-5-1' : `lm-5-1-z${i}`)));

    ec2Mock.reset();
    ec2Mock.on(RunInstancesCommand).rejects(ec2Error('InsufficientInstanceCapacity', 'no capacity'));
    await expect(cloud({ launch: { imageId: 'ami-0abc', subnetIds: subnets } }).launch('m6i.xlarge', 1, 'lm-5-2')).rejects.toMatchObject({ code: 'insufficient-capacity' });
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(3);
  });

  it('spreads launches over the subnets', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [ec2Instance(1)] });
    const aws = cloud({ launch: { imageId: 'ami-0abc', subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'] } });
    for (let n = 0; n < 30; n++) await aws.launch('m6i.xlarge', 1, `lm-6-${n}`);
    const used = new Set(ec2Mock.commandCalls(RunInstancesCommand).map((c) => c.args[0].input.SubnetId));
    expect(used).toEqual(new Set(['subnet-a', 'subnet-b', 'subnet-c']));
  });
});

describe('startTasks', () => {
  it('starts one task per job on the container instance, with tags and overrides', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).callsFake((input: { tags: { key: string; value: string }[] }) => ({
      tasks: [{ taskArn: `arn:task/${input.tags.find((t) => t.key === 'loadmaster:job-id')!.value}`, lastStatus: 'PENDING', version: 1 }],
    }));
    const result = await cloud().startTasks(instanceId(1), [spec('a', { env: { MODE: 'fast' }, attempt: 3 }), spec('b', { demand: { cpu: 2048, memoryMiB: 8000, gpu: 1 } })]);

    expect(result.failed).toEqual([]);
    expect(result.started).toEqual([
      { taskArn: 'arn:task/a', jobId: 'a', attempt: 3, instanceId: instanceId(1), state: 'PENDING', demand: { cpu: 1024, memoryMiB: 2048, gpu: 0 }, version: 1 },
      { taskArn: 'arn:task/b', jobId: 'b', attempt: 1, instanceId: instanceId(1), state: 'PENDING', demand: { cpu: 2048, memoryMiB: 8000, gpu: 1 }, version: 1 },
    ]);
    const inputs = ecsMock.commandCalls(StartTaskCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      cluster: CLUSTER,
      taskDefinition: 'lm-segment',
      containerInstances: [containerInstanceArn(1)],
      startedBy: 'loadmaster',
      tags: [
        { key: 'loadmaster:managed-by', value: 'loadmaster' },
        { key: 'loadmaster:cluster', value: CLUSTER },
        { key: 'loadmaster:job-id', value: 'a' },
        { key: 'loadmaster:attempt', value: '3' },
      ],
      overrides: {
        containerOverrides: [
          {
            name: 'main',
            cpu: 1024,
            memoryReservation: 2048,
            environment: environmentOf({
              MODE: 'fast',
              LOADMASTER_JOB_ID: 'a',
              LOADMASTER_ATTEMPT: '3',
              LOADMASTER_ALGORITHM: 'segment',
              LOADMASTER_INPUTS: '["s3://in/a.tif"]',
              LOADMASTER_OUTPUT_PREFIX: 's3://out/a/',
            }),
          },
        ],
      },
    });
    expect(inputs[1]!.overrides!.containerOverrides![0]!.resourceRequirements).toEqual([{ type: 'GPU', value: '1' }]);
  });

  it('sends StartTask through startTaskEcs, a client without automatic retries, and everything else through ecs', async () => {
    registerContainerInstances(1);
    const startClient = new ECSClient({ region: 'eu-west-1', maxAttempts: 1 });
    const startMock = mockClient(startClient);
    startMock.on(StartTaskCommand).resolves({ tasks: [{ taskArn: 'arn:task/a', lastStatus: 'PENDING', version: 1 }] });
    ecsMock.on(StartTaskCommand).rejects(new Error('StartTask went through the retrying client'));
    const result = await cloud({ startTaskEcs: startClient }).startTasks(instanceId(1), [spec('a')]);
    expect(result.started.map((t) => t.jobId)).toEqual(['a']);
    expect(startMock.commandCalls(StartTaskCommand)).toHaveLength(1);
    expect(ecsMock.commandCalls(StartTaskCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(ListContainerInstancesCommand).length).toBeGreaterThan(0);
    startMock.restore();
  });

  it('the daemon\'s clients: StartTask gets one try per call, the others the SDK\'s adaptive retries', async () => {
    const clients = createAwsClients({ region: 'eu-west-1' });
    expect(await clients.ecsStartTask.config.maxAttempts()).toBe(1);
    expect(await clients.ecs.config.maxAttempts()).toBe(3);
  });

  it('returns ECS failures per job and starts the rest', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).callsFake((input: { tags: { key: string; value: string }[] }) => {
      const jobId = input.tags.find((t) => t.key === 'loadmaster:job-id')!.value;
      if (jobId === 'big') return { tasks: [], failures: [{ arn: containerInstanceArn(1), reason: 'RESOURCE:MEMORY' }] };
      if (jobId === 'gone') return { tasks: [], failures: [{ arn: containerInstanceArn(1), reason: 'AGENT' }] };
      return { tasks: [{ taskArn: `arn:task/${jobId}`, lastStatus: 'PENDING', version: 1 }] };
    });
    const result = await cloud().startTasks(instanceId(1), [spec('ok'), spec('big'), spec('gone')]);
    expect(result.started.map((t) => t.jobId)).toEqual(['ok']);
    expect(result.failed).toEqual([
      { jobId: 'big', reason: 'RESOURCE:MEMORY' },
      { jobId: 'gone', reason: 'AGENT' },
    ]);
  });

  it('answers MISSING for every job when the instance is not a container instance', async () => {
    registerContainerInstances();
    const result = await cloud().startTasks(instanceId(9), [spec('a'), spec('b')]);
    expect(result).toEqual({ started: [], failed: [{ jobId: 'a', reason: 'MISSING' }, { jobId: 'b', reason: 'MISSING' }] });
    expect(ecsMock.commandCalls(StartTaskCommand)).toHaveLength(0);
  });

  it('throws when every StartTask call fails, and reports a failed call per job otherwise', async () => {
    registerContainerInstances(1);
    const throttled = new ECSServiceException({ name: 'ThrottlingException', message: 'Rate exceeded', $fault: 'client', $metadata: {} });
    ecsMock.on(StartTaskCommand).rejects(throttled);
    await expect(cloud().startTasks(instanceId(1), [spec('a'), spec('b')])).rejects.toMatchObject({ code: 'throttled' });

    ecsMock.on(StartTaskCommand).callsFake((input: { tags: { key: string; value: string }[] }) => {
      if (input.tags.some((t) => t.value === 'b')) throw throttled;
      return { tasks: [{ taskArn: 'arn:task/a', lastStatus: 'PENDING', version: 1 }] };
    });
    const result = await cloud().startTasks(instanceId(1), [spec('a'), spec('b')]);
    expect(result.started.map((t) => t.jobId)).toEqual(['a']);
    expect(result.failed).toEqual([{ jobId: 'b', reason: expect.stringMatching(/^throttled: .*ThrottlingException/) }]);
  });
});

describe('startTasks: the algorithm command', () => {
  it('overrides the container command with the algorithm template filled in for the job', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).resolves({ tasks: [{ taskArn: 'arn:task/a', lastStatus: 'PENDING', version: 1 }] });
    const templates: Record<string, string[]> = { segment: ['segment', '--in', '{input}', '--all', '{inputs}', '--out={outputPrefix}{jobId}/{attempt}'] };
    const aws = cloud({ commandOf: (algorithm) => templates[algorithm] });
    await aws.startTasks(instanceId(1), [spec('a', { attempt: 2, inputs: ['s3://in/1.tif', 's3://in/2.tif'] }), spec('b', { algorithm: 'thumbs' })]);

    const overrides = ecsMock.commandCalls(StartTaskCommand).map((c) => c.args[0].input.overrides!.containerOverrides![0]!);
    expect(overrides[0]!.command).toEqual(['segment', '--in', 's3://in/1.tif', '--all', 's3://in/1.tif', 's3://in/2.tif', '--out=s3://out/a/a/2']);
    // An algorithm without a command keeps the image's own CMD.
    expect(overrides[1]).not.toHaveProperty('command');
  });
});

describe('startTasks: the memory limit', () => {
  it('sets the hard memory limit to the algorithm memorySuggestedMiB, or to the job reservation where that is higher', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).resolves({ tasks: [{ taskArn: 'arn:task/a', lastStatus: 'PENDING', version: 1 }] });
    const limits: Record<string, number> = { segment: 6144 };
    const aws = cloud({ memoryLimitOf: (algorithm) => limits[algorithm] });
    await aws.startTasks(instanceId(1), [
      spec('a', { algorithm: 'segment', demand: { cpu: 1024, memoryMiB: 4096, gpu: 0 } }),
      spec('b', { algorithm: 'segment', demand: { cpu: 1024, memoryMiB: 8192, gpu: 0 } }),
      spec('c', { algorithm: 'thumbs', demand: { cpu: 1024, memoryMiB: 4096, gpu: 0 } }),
    ]);
    const overrides = ecsMock.commandCalls(StartTaskCommand).map((c) => c.args[0].input.overrides!.containerOverrides![0]!);
    expect(overrides.map((o) => [o.memoryReservation, o.memory])).toEqual([
      [4096, 6144],
      [8192, 8192],
      [4096, undefined],
    ]);
  });
});

describe('startTasks: a call whose outcome is unknown', () => {
  const serverError = () => new ECSServiceException({ name: 'ServerException', message: 'Service unavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
  const timeout = () => Object.assign(new Error('Connection timed out after 30000 ms'), { name: 'TimeoutError' });
  const throttled = () => new ECSServiceException({ name: 'ThrottlingException', message: 'Rate exceeded', $fault: 'client', $metadata: { httpStatusCode: 400 } });
  const jobOf = (input: { tags?: { key?: string; value?: string }[] }) => input.tags!.find((t) => t.key === 'loadmaster:job-id')!.value!;

  /** An ECS task on container instance 1 as DescribeTasks shows it. */
  function ecsTask(arn: string, jobId: string, attempt: number, extra: Record<string, unknown> = {}) {
    return {
      taskArn: arn,
      containerInstanceArn: containerInstanceArn(1),
      lastStatus: 'PENDING',
      startedBy: 'loadmaster',
      version: 1,
      createdAt: new Date(1_700_000_000_000),
      tags: [
        { key: 'loadmaster:job-id', value: jobId },
        { key: 'loadmaster:attempt', value: String(attempt) },
      ],
      overrides: { containerOverrides: [{ name: 'main', cpu: 1024, memoryReservation: 2048 }] },
      ...extra,
    };
  }

  it('looks for the tasks on the container instance and reports those it finds as started, the rest as failed', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).callsFake((input: { tags: { key: string; value: string }[] }) => {
      const jobId = jobOf(input);
      if (jobId === 'accepted-then-5xx') throw serverError();
      if (jobId === 'timed-out') throw timeout();
      if (jobId === 'throttled') throw throttled();
      return { tasks: [{ taskArn: `arn:task/${jobId}`, lastStatus: 'PENDING', version: 1 }] };
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:task/x1', 'arn:task/x2', 'arn:task/x3', 'arn:task/ok'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        ecsTask('arn:task/x1', 'accepted-then-5xx', 1),
        // The same job id, another attempt: an earlier run, not this start.
        ecsTask('arn:task/x2', 'timed-out', 7),
        // Tagged with the job, but not started by loadmaster.
        ecsTask('arn:task/x3', 'timed-out', 1, { startedBy: 'ecs-svc/123' }),
        ecsTask('arn:task/ok', 'ok', 1),
      ],
    });

    const result = await cloud().startTasks(instanceId(1), [spec('ok'), spec('accepted-then-5xx'), spec('timed-out'), spec('throttled')]);

    expect(result.started).toEqual([
      { taskArn: 'arn:task/ok', jobId: 'ok', attempt: 1, instanceId: instanceId(1), state: 'PENDING', demand: { cpu: 1024, memoryMiB: 2048, gpu: 0 }, version: 1 },
      // Found by the look: its creation stands for its start (a PENDING task has no startedAt yet).
      { taskArn: 'arn:task/x1', jobId: 'accepted-then-5xx', attempt: 1, instanceId: instanceId(1), state: 'PENDING', demand: { cpu: 1024, memoryMiB: 2048, gpu: 0 }, startedAt: 1_700_000_000_000, version: 1 },
    ]);
    expect(result.failed).toEqual([
      { jobId: 'timed-out', reason: expect.stringMatching(/^other: StartTask: TimeoutError: /) },
      { jobId: 'throttled', reason: expect.stringMatching(/^throttled: /) },
    ]);
    // ECS refuses startedBy next to any other filter: the look is by container instance alone.
    expect(ecsMock.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER, containerInstance: containerInstanceArn(1) }]);
    expect(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER, tasks: ['arn:task/x1', 'arn:task/x2', 'arn:task/x3', 'arn:task/ok'], include: ['TAGS'] },
    ]);
  });

  it('does not look when every failure was a refusal: a client error proves nothing started', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).callsFake((input: { tags: { key: string; value: string }[] }) => {
      if (jobOf(input) === 'b') throw throttled();
      return { tasks: [{ taskArn: 'arn:task/a', lastStatus: 'PENDING', version: 1 }] };
    });
    const result = await cloud().startTasks(instanceId(1), [spec('a'), spec('b')]);
    expect(result.failed.map((f) => f.jobId)).toEqual(['b']);
    expect(ecsMock.commandCalls(ListTasksCommand)).toHaveLength(0);
  });

  it('returns what it found instead of throwing when every call failed, and throws when it found nothing', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).rejects(timeout());
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:task/x1'] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [ecsTask('arn:task/x1', 'a', 1)] });
    const partly = await cloud().startTasks(instanceId(1), [spec('a'), spec('b')]);
    expect(partly.started.map((t) => t.jobId)).toEqual(['a']);
    expect(partly.failed.map((f) => f.jobId)).toEqual(['b']);

    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    await expect(cloud().startTasks(instanceId(1), [spec('a')])).rejects.toMatchObject({ message: expect.stringContaining('TimeoutError') });
  });

  it('reads every page of the container instance\'s tasks, and reports the oldest task of a job started twice', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).rejects(serverError());
    ecsMock.on(ListTasksCommand).callsFake((input: { nextToken?: string }) =>
      input.nextToken === undefined ? { taskArns: Array.from({ length: 100 }, (_, i) => `arn:task/other${i}`), nextToken: 'p2' } : { taskArns: ['arn:task/late', 'arn:task/early'] },
    );
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.flatMap((arn) =>
        arn === 'arn:task/late'
          ? [ecsTask(arn, 'a', 1, { createdAt: new Date(1_700_000_005_000) })]
          : arn === 'arn:task/early'
            ? [ecsTask(arn, 'a', 1, { createdAt: new Date(1_700_000_001_000) })]
            : [ecsTask(arn, `other-${arn}`, 1)],
      ),
    }));
    const warnings: string[] = [];
    const result = await cloud({ onWarning: (w) => warnings.push(w) }).startTasks(instanceId(1), [spec('a')]);
    expect(result.started.map((t) => t.taskArn)).toEqual(['arn:task/early']);
    expect(ecsMock.commandCalls(ListTasksCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, 'p2']);
    expect(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks!.length)).toEqual([100, 2]);
    expect(warnings).toEqual([expect.stringContaining('job a (attempt 1) has more than one task')]);
  });

  it('reports the jobs failed, with a warning, when the look itself fails', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).callsFake((input: { tags: { key: string; value: string }[] }) => {
      if (jobOf(input) === 'b') throw serverError();
      return { tasks: [{ taskArn: 'arn:task/a', lastStatus: 'PENDING', version: 1 }] };
    });
    ecsMock.on(ListTasksCommand).rejects(serverError());
    const warnings: string[] = [];
    const result = await cloud({ onWarning: (w) => warnings.push(w) }).startTasks(instanceId(1), [spec('a'), spec('b')]);
    expect(result.started.map((t) => t.jobId)).toEqual(['a']);
    expect(result.failed).toEqual([{ jobId: 'b', reason: expect.stringMatching(/^other: StartTask: ServerException/) }]);
    expect(warnings).toEqual([expect.stringMatching(/^StartTask: could not check whether b started on i-0+1 after all .*; reported as failed$/)]);
  });
});

describe('task versions without a version from ECS', () => {
  it('orders by the lifecycle, the same in the StartTask answer and in describe()', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).resolves({ tasks: [{ taskArn: 'arn:task/t1', lastStatus: 'PROVISIONING' }] });
    const aws = cloud();
    const { started } = await aws.startTasks(instanceId(1), [spec('a')]);

    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:task/t1'] });
    const versionWhen = async (lastStatus: string): Promise<number> => {
      ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: 'arn:task/t1', containerInstanceArn: containerInstanceArn(1), lastStatus, tags: [{ key: 'loadmaster:job-id', value: 'a' }] }] });
      return (await aws.describe()).tasks[0]!.version;
    };
    const versions = [started[0]!.version];
    for (const status of ['PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']) versions.push(await versionWhen(status));
    // Strictly increasing: the controller drops a reading not newer than the last, so a STOPPED one is never lost.
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    // The StartTask answer and describe() agree on the same state.
    expect(await versionWhen('PROVISIONING')).toBe(started[0]!.version);
  });

  it('keeps the version ECS gives', async () => {
    registerContainerInstances(1);
    ecsMock.on(StartTaskCommand).resolves({ tasks: [{ taskArn: 'arn:task/t1', lastStatus: 'PENDING', version: 7 }] });
    expect((await cloud().startTasks(instanceId(1), [spec('a')])).started[0]!.version).toBe(7);
  });
});

describe('describe', () => {
  it('reads every page: container instances described 100 at a time, instances and tasks matched', async () => {
    const count = 250;
    const all = Array.from({ length: count }, (_, i) => i + 1);
    // EC2 answers in two pages, ECS lists 100 per page.
    ec2Mock.on(DescribeInstancesCommand).callsFake((input: { NextToken?: string }) =>
      input.NextToken === undefined
        ? { Reservations: [{ Instances: all.slice(0, 200).map((n) => ec2Instance(n)) }], NextToken: 'p2' }
        : { Reservations: [{ Instances: all.slice(200).map((n) => ec2Instance(n)) }] },
    );
    ecsMock.on(ListContainerInstancesCommand).callsFake((input: { nextToken?: string }) => {
      const start = Number(input.nextToken ?? 0);
      const end = start + 100;
      return { containerInstanceArns: all.slice(start, end).map(containerInstanceArn), ...(end < count && { nextToken: String(end) }) };
    });
    ecsMock.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances: string[] }) => {
      if (input.containerInstances.length > 100) throw new Error('DescribeContainerInstances takes at most 100');
      return { containerInstances: input.containerInstances.map((arn) => containerInstance(all.find((n) => containerInstanceArn(n) === arn)!, arn === containerInstanceArn(3) ? 'DRAINING' : 'ACTIVE')) };
    });
    ecsMock.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: ['arn:task/run'] });
    ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: ['arn:task/done'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:task/run',
          containerInstanceArn: containerInstanceArn(2),
          lastStatus: 'RUNNING',
          version: 3,
          tags: [
            { key: 'loadmaster:job-id', value: 'j-run' },
            { key: 'loadmaster:attempt', value: '2' },
          ],
          overrides: { containerOverrides: [{ name: 'main', cpu: 1024, memoryReservation: 2048, resourceRequirements: [{ type: 'GPU', value: '1' }] }] },
        },
        {
          taskArn: 'arn:task/done',
          containerInstanceArn: containerInstanceArn(5),
          lastStatus: 'STOPPED',
          stoppedReason: 'Essential container in task exited',
          version: 6,
          containers: [{ name: 'main', exitCode: 3 }],
          tags: [{ key: 'loadmaster:job-id', value: 'j-done' }],
          cpu: '512',
          memory: '1024',
        },
        { taskArn: 'arn:task/not-a-job', containerInstanceArn: containerInstanceArn(5), lastStatus: 'RUNNING', version: 1 },
      ],
    });

    const observed = await cloud().describe();

    expect(observed.instances).toHaveLength(count);
    expect(observed.instances[0]).toEqual({
      instanceId: instanceId(1),
      type: 'm6i.xlarge',
      state: 'running',
      launchedAt: 1_700_000_000_000,
      registered: { containerInstanceArn: containerInstanceArn(1), resources: { cpu: 4096, memoryMiB: 15_600, gpu: 1 }, draining: false },
    });
    expect(observed.instances[2]!.registered!.draining).toBe(true);
    expect(ecsMock.commandCalls(ListContainerInstancesCommand)).toHaveLength(3);
    expect(ecsMock.commandCalls(DescribeContainerInstancesCommand).map((c) => c.args[0].input.containerInstances!.length)).toEqual([100, 100, 50]);
    const ownership = ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters;
    expect(ownership).toEqual(
      expect.arrayContaining([
        { Name: 'tag:loadmaster:managed-by', Values: ['loadmaster'] },
        { Name: 'tag:loadmaster:cluster', Values: [CLUSTER] },
      ]),
    );
    expect(ecsMock.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER, startedBy: 'loadmaster', desiredStatus: 'RUNNING' },
      { cluster: CLUSTER, startedBy: 'loadmaster', desiredStatus: 'STOPPED' },
    ]);
    expect(ecsMock.commandCalls(DescribeTasksCommand)[0]!.args[0].input.include).toEqual(['TAGS']);
    expect(observed.tasks).toEqual([
      { taskArn: 'arn:task/run', jobId: 'j-run', attempt: 2, instanceId: instanceId(2), state: 'RUNNING', demand: { cpu: 1024, memoryMiB: 2048, gpu: 1 }, version: 3 },
      {
        taskArn: 'arn:task/done',
        jobId: 'j-done',
        attempt: 1,
        instanceId: instanceId(5),
        state: 'STOPPED',
        demand: { cpu: 512, memoryMiB: 1024, gpu: 0 },
        exitCode: 3,
        stopReason: 'Essential container in task exited',
        version: 6,
      },
    ]);
  });
});

describe('stopTask', () => {
  it('sends StopTask with the cluster, the task and the reason, cut to the 255 characters ECS keeps', async () => {
    ecsMock.on(StopTaskCommand).resolves({});
    const arn = `arn:aws:ecs:eu-west-1:123456789012:task/${CLUSTER}/abc`;
    await cloud().stopTask(arn, 'timed out');
    await cloud().stopTask(arn, 'x'.repeat(300));
    expect(ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER, task: arn, reason: 'timed out' },
      { cluster: CLUSTER, task: arn, reason: 'x'.repeat(255) },
    ]);
  });

  it('answers an ECS error as a CloudError', async () => {
    ecsMock.on(StopTaskCommand).rejects(new ECSServiceException({ name: 'InvalidParameterException', $fault: 'client', $metadata: {}, message: 'The referenced task was not found.' }));
    await expect(cloud().stopTask('arn:missing', 'timed out')).rejects.toMatchObject({ name: 'CloudError' });
  });
});

describe('drain and terminate', () => {
  it('drains by setting the container instance DRAINING', async () => {
    registerContainerInstances(1);
    ecsMock.on(UpdateContainerInstancesStateCommand).resolves({ containerInstances: [containerInstance(1, 'DRAINING')], failures: [] });
    await cloud().drain(instanceId(1));
    expect(ecsMock.commandCalls(UpdateContainerInstancesStateCommand)[0]!.args[0].input).toEqual({ cluster: CLUSTER, containerInstances: [containerInstanceArn(1)], status: 'DRAINING' });
  });

  it('deregisters registered instances and terminates them all', async () => {
    registerContainerInstances(1);
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [ec2Instance(1), ec2Instance(2, { State: { Name: 'pending' } })] }] });
    ecsMock.on(DeregisterContainerInstanceCommand).resolves({});
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    await cloud().terminate([instanceId(1), instanceId(2)]);
    expect(ecsMock.commandCalls(DeregisterContainerInstanceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER, containerInstance: containerInstanceArn(1), force: true }]);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [instanceId(1), instanceId(2)] });
  });

  it.each([
    ['no tags', []],
    ['another cluster', [{ Key: 'loadmaster:managed-by', Value: 'loadmaster' }, { Key: 'loadmaster:cluster', Value: 'other' }]],
  ])('refuses the whole call when one instance has %s', async (_, tags) => {
    registerContainerInstances(1, 2);
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [ec2Instance(1), ec2Instance(2, { Tags: tags })] }] });
    await expect(cloud().terminate([instanceId(1), instanceId(2)])).rejects.toMatchObject({ code: 'other', message: expect.stringContaining(instanceId(2)) });
    expect(ecsMock.commandCalls(DeregisterContainerInstanceCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  });

  it('answers not-found for an unknown instance id', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(ec2Error('InvalidInstanceID.NotFound', "The instance ID 'i-0' does not exist"));
    await expect(cloud().terminate(['i-0'])).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('pollEvents', () => {
  const taskEvent = (detail: Record<string, unknown>) => ({
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    detail: {
      clusterArn: CLUSTER_ARN,
      containerInstanceArn: containerInstanceArn(1),
      taskArn: 'arn:task/t1',
      startedBy: 'loadmaster',
      overrides: {
        containerOverrides: [{ name: 'main', cpu: 1024, memoryReservation: 2048, environment: environmentOf({ LOADMASTER_JOB_ID: 'j1', LOADMASTER_ATTEMPT: '2', LOADMASTER_ALGORITHM: 'segment' }) }],
      },
      ...detail,
    },
  });
  const instanceEvent = (n: number, detail: Record<string, unknown> = {}) => ({
    'detail-type': 'ECS Container Instance State Change',
    source: 'aws.ecs',
    detail: {
      clusterArn: CLUSTER_ARN,
      containerInstanceArn: containerInstanceArn(n),
      ec2InstanceId: instanceId(n),
      status: 'ACTIVE',
      agentConnected: true,
      registeredResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 15_600 },
      ],
      version: 2,
      ...detail,
    },
  });

  function queue(bodies: readonly unknown[]): void {
    const messages = bodies.map((body, i) => ({ MessageId: `m${i}`, ReceiptHandle: `r${i}`, Body: typeof body === 'string' ? body : JSON.stringify(body) }));
    let next = 0;
    sqsMock.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages: number }) => {
      const page = messages.slice(next, next + input.MaxNumberOfMessages);
      next += page.length;
      return { Messages: page };
    });
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  }

  async function launchedCloud(...ns: number[]): Promise<AwsCloud> {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: ns.map((n) => ec2Instance(n, { State: { Name: 'pending' } })) });
    const aws = cloud();
    await aws.launch('m6i.xlarge', ns.length, 'lm-events');
    return aws;
  }

  it('turns task and instance events into cloud events, newest version only, and ignores foreign ones', async () => {
    const aws = await launchedCloud(1);
    registerContainerInstances(1);
    queue([
      taskEvent({ lastStatus: 'RUNNING', version: 3, startedAt: '2026-11-26T04:00:00.000Z' }),
      taskEvent({ lastStatus: 'PENDING', version: 2 }), // late: older than RUNNING
      taskEvent({ lastStatus: 'RUNNING', version: 3 }), // duplicate
      taskEvent({ taskArn: 'arn:task/other-cluster', clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/someone-else', lastStatus: 'RUNNING', version: 2 }),
      taskEvent({ taskArn: 'arn:task/service', startedBy: 'ecs-svc/1234', lastStatus: 'RUNNING', version: 2 }),
      instanceEvent(1),
      instanceEvent(8), // an instance loadmaster did not launch
      { 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: { 'instance-id': instanceId(1), state: 'terminated' } },
      { 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: { 'instance-id': instanceId(9), state: 'terminated' } },
      'not json',
    ]);

    const events = await aws.pollEvents();
    expect(events).toEqual([
      {
        kind: 'instance-registered',
        instance: {
          instanceId: instanceId(1),
          type: 'm6i.xlarge',
          state: 'running',
          launchedAt: 1_700_000_000_000,
          registered: { containerInstanceArn: containerInstanceArn(1), resources: { cpu: 4096, memoryMiB: 15_600, gpu: 0 }, draining: false },
        },
      },
      { kind: 'instance-terminated', instanceId: instanceId(1) },
      {
        kind: 'task-state',
        // The algorithm and the start: what a restarted controller times the task out by.
        task: { taskArn: 'arn:task/t1', jobId: 'j1', attempt: 2, instanceId: instanceId(1), state: 'RUNNING', demand: { cpu: 1024, memoryMiB: 2048, gpu: 0 }, algorithm: 'segment', startedAt: Date.parse('2026-11-26T04:00:00.000Z'), version: 3 },
      },
    ]);
    // Every message is consumed, foreign and unreadable ones too, ten per delete.
    const deleted = sqsMock.commandCalls(DeleteMessageBatchCommand).map((c) => c.args[0].input);
    expect(deleted.map((d) => d.QueueUrl)).toEqual([QUEUE_URL]);
    expect(deleted[0]!.Entries!.map((e) => e.ReceiptHandle)).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
    expect(sqsMock.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 });
  });


  it('takes the algorithm of a task that names none from its task definition (a task started before loadmaster set it)', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [ec2Instance(1, { State: { Name: 'pending' } })] });
    const aws = cloud({ algorithms: ['segment', 'thumbs'], taskDefinitionOf: (algorithm) => `lm-${algorithm}` });
    await aws.launch('m6i.xlarge', 1, 'lm-events');
    registerContainerInstances(1);
    const old = (version: number, family: string) =>
      taskEvent({
        lastStatus: 'RUNNING',
        version,
        taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:7`,
        overrides: { containerOverrides: [{ name: 'main', cpu: 1024, memoryReservation: 2048, environment: environmentOf({ LOADMASTER_JOB_ID: 'j1', LOADMASTER_ATTEMPT: '2' }) }] },
      });
    queue([old(3, 'lm-thumbs')]);
    expect((await aws.pollEvents()).flatMap((e) => (e.kind === 'task-state' ? [e.task.algorithm] : []))).toEqual(['thumbs']);
    queue([old(4, 'not-configured')]);
    expect((await aws.pollEvents()).flatMap((e) => (e.kind === 'task-state' ? [e.task.algorithm] : []))).toEqual([undefined]);
  });
  it('drops a stopped task event older than one already reported, across polls', async () => {
    const aws = await launchedCloud(1);
    registerContainerInstances(1);
    queue([taskEvent({ lastStatus: 'STOPPED', version: 5, containers: [{ name: 'main', exitCode: 0 }] })]);
    expect((await aws.pollEvents()).map((e) => (e.kind === 'task-state' ? e.task.state : e.kind))).toEqual(['STOPPED']);
    queue([taskEvent({ lastStatus: 'RUNNING', version: 4 })]);
    expect(await aws.pollEvents()).toEqual([]);
  });

  it('receives up to a hundred messages per poll and deletes them in batches of ten', async () => {
    const aws = await launchedCloud(1);
    registerContainerInstances(1);
    queue(Array.from({ length: 25 }, (_, i) => taskEvent({ taskArn: `arn:task/t${i}`, lastStatus: 'RUNNING', version: 2 })));
    expect(await aws.pollEvents()).toHaveLength(25);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(3);
    expect(sqsMock.commandCalls(DeleteMessageBatchCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 5]);
  });

  it('resolves the instance of a task on a container instance it has not seen, and reads SNS-wrapped events', async () => {
    const aws = cloud();
    registerContainerInstances(4);
    queue([{ Type: 'Notification', Message: JSON.stringify(taskEvent({ containerInstanceArn: containerInstanceArn(4), lastStatus: 'RUNNING', version: 2 })) }]);
    const [event] = await aws.pollEvents();
    expect(event).toMatchObject({ kind: 'task-state', task: { instanceId: instanceId(4) } });
  });

  it('returns nothing and calls nothing without an events queue', async () => {
    expect(await cloud({ eventsQueueUrl: undefined }).pollEvents()).toEqual([]);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });
});
