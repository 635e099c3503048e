// AwsCloud against moto_server: the real SDK clients speaking the real wire protocol.
//
// Where moto differs from AWS (so these tests do not check it, the mock tests do):
// - RunInstances ignores ClientToken: idempotency here is AwsCloud's own memory of tokens.
// - There is no ECS agent: the test plays it, registering each instance itself
//   (RegisterContainerInstance), and moto registers every instance with fixed resources
//   (4096 CPU, 7482 MiB) whatever the type or the totalResources sent.
// - StartTask checks no resources and never answers `failures`; ListContainerInstances
//   ignores `filter` and pages; DescribeTasks ignores the cluster.
// - No events: nothing puts ECS events on the queue, so the test sends one itself.
// - Tasks carry no `version`: the adapter orders a task's readings by the ECS lifecycle instead.
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCloud, type AwsCloudOptions } from '../../src/adapters/aws/aws-cloud.ts';
import { createAwsClients, resolveEcsAmi } from '../../src/adapters/aws/aws-clients.ts';
import { CloudError, type TaskSpec } from '../../src/ports/cloud.ts';
import { createClusterInDefaultVpc, MOTO_SKIP_REASON, motoAvailable, useMoto } from './moto-server.ts';

const CLUSTER = 'lm-test';
const TASK_FAMILY = 'segment';

const motoReady = motoAvailable();

describe.skipIf(!motoReady)(motoReady ? 'AwsCloud on moto_server' : `AwsCloud on moto_server: ${MOTO_SKIP_REASON}`, () => {
  const moto = useMoto((config) => ({ ecs: new ECSClient(config), ec2: new EC2Client(config), sqs: new SQSClient(config) }));
  let subnetId: string;

  beforeEach(async () => {
    await moto.reset();
    subnetId = await createClusterInDefaultVpc(moto, CLUSTER);
    await moto.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: TASK_FAMILY,
        containerDefinitions: [{ name: 'main', image: 'example/segment:1', cpu: 256, memoryReservation: 512 }],
      }),
    );
  });

  function cloud(extra: Partial<AwsCloudOptions> = {}): AwsCloud {
    return new AwsCloud({
      ecs: moto.ecs,
      ec2: moto.ec2,
      sqs: moto.sqs,
      cluster: CLUSTER,
      launch: { imageId: 'ami-12c6146b', subnetIds: [subnetId] },
      taskDefinitionOf: (algorithm) => algorithm,
      extraTags: { team: 'imaging' },
      ...extra,
    });
  }

  /** What the ECS agent does on boot, which moto cannot: register the instance with the cluster. */
  async function registerAsAgent(instanceId: string): Promise<string> {
    const response = await moto.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: CLUSTER,
        instanceIdentityDocument: JSON.stringify({ instanceId, region: 'us-east-1', instanceType: 'm6i.xlarge' }),
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 15_000 },
        ],
      }),
    );
    return response.containerInstance!.containerInstanceArn!;
  }

  async function ec2Instance(instanceId: string): Promise<Instance> {
    const response = await moto.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return response.Reservations![0]!.Instances![0]!;
  }

  const spec: TaskSpec = {
    jobId: 'job-42',
    attempt: 2,
    algorithm: TASK_FAMILY,
    demand: { cpu: 512, memoryMiB: 1024, gpu: 0 },
    env: { THRESHOLD: '0.5' },
    inputs: ['s3://in/a.tif'],
    outputPrefix: 's3://out/run-1/',
  };

  it('launches tagged instances into the cluster, once per client token', async () => {
    const aws = cloud();
    const launched = await aws.launch('m6i.xlarge', 2, 'lm-1-1');
    expect(launched).toHaveLength(2);
    expect(launched.every((i) => i.type === 'm6i.xlarge' && i.state !== 'terminated' && i.registered === undefined)).toBe(true);

    const instance = await ec2Instance(launched[0]!.instanceId);
    const tags = Object.fromEntries(instance.Tags!.map((t) => [t.Key, t.Value]));
    expect(tags).toEqual({ 'loadmaster:managed-by': 'loadmaster', 'loadmaster:cluster': CLUSTER, team: 'imaging' });
    expect(instance.SubnetId).toBe(subnetId);
    expect(instance.ClientToken).toBe('lm-1-1');

    // The same token again: the same instances, no new ones (in AWS, EC2 itself also guarantees it).
    const again = await aws.launch('m6i.xlarge', 2, 'lm-1-1');
    expect(again.map((i) => i.instanceId)).toEqual(launched.map((i) => i.instanceId));
    const all = await moto.ec2.send(new DescribeInstancesCommand({}));
    expect(all.Reservations!.flatMap((r) => r.Instances!)).toHaveLength(2);
  });

  it('sees registered instances with their resources, starts a tagged task with overrides, drains and terminates', async () => {
    const aws = cloud();
    const [first, second] = await aws.launch('m6i.xlarge', 2, 'lm-2-1');
    const before = await aws.describe();
    expect(before.instances.map((i) => i.instanceId).sort()).toEqual([first!.instanceId, second!.instanceId].sort());
    expect(before.instances.every((i) => i.registered === undefined)).toBe(true);

    const containerInstanceArn = await registerAsAgent(first!.instanceId);
    await registerAsAgent(second!.instanceId);
    const registered = await aws.describe();
    const firstSeen = registered.instances.find((i) => i.instanceId === first!.instanceId)!;
    // moto's fixed registration, not the totalResources sent (see the note at the top).
    expect(firstSeen.registered).toEqual({ containerInstanceArn, resources: { cpu: 4096, memoryMiB: 7482, gpu: 0 }, draining: false });

    const { started, failed } = await aws.startTasks(first!.instanceId, [spec]);
    expect(failed).toEqual([]);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ jobId: 'job-42', attempt: 2, instanceId: first!.instanceId, demand: spec.demand });

    const described = await moto.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [started[0]!.taskArn], include: ['TAGS'] }));
    const task = described.tasks![0]!;
    expect(task.containerInstanceArn).toBe(containerInstanceArn);
    expect(task.startedBy).toBe('loadmaster');
    expect(Object.fromEntries(task.tags!.map((t) => [t.key, t.value]))).toEqual({
      'loadmaster:managed-by': 'loadmaster',
      'loadmaster:cluster': CLUSTER,
      'loadmaster:job-id': 'job-42',
      'loadmaster:attempt': '2',
      team: 'imaging',
    });
    const override = task.overrides!.containerOverrides![0]!;
    expect(override).toMatchObject({ name: 'main', cpu: 512, memoryReservation: 1024 });
    expect(Object.fromEntries(override.environment!.map((e) => [e.name, e.value]))).toEqual({
      THRESHOLD: '0.5',
      LOADMASTER_JOB_ID: 'job-42',
      LOADMASTER_ATTEMPT: '2',
      LOADMASTER_ALGORITHM: TASK_FAMILY,
      LOADMASTER_INPUTS: '["s3://in/a.tif"]',
      LOADMASTER_OUTPUT_PREFIX: 's3://out/run-1/',
    });

    // A restart sees the task again, by its tags.
    const restarted = await cloud().describe();
    expect(restarted.tasks).toEqual([expect.objectContaining({ taskArn: started[0]!.taskArn, jobId: 'job-42', attempt: 2, instanceId: first!.instanceId, demand: spec.demand, algorithm: TASK_FAMILY })]);

    await aws.drain(second!.instanceId);
    const drained = (await aws.describe()).instances.find((i) => i.instanceId === second!.instanceId)!;
    expect(drained.registered?.draining).toBe(true);

    await aws.terminate([second!.instanceId]);
    expect((await ec2Instance(second!.instanceId)).State!.Name).toMatch(/shutting-down|terminated/);
    const remaining = await moto.ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }));
    const remainingIds = (await moto.ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: remaining.containerInstanceArns! }))).containerInstances!.map((c) => c.ec2InstanceId);
    expect(remainingIds).toEqual([first!.instanceId]);
    expect((await aws.describe()).instances.map((i) => i.instanceId)).toEqual([first!.instanceId]);
  });

  it('runs the algorithm command filled in for the job, and orders a task\'s states without versions from moto', async () => {
    const aws = cloud({ commandOf: (algorithm) => (algorithm === TASK_FAMILY ? ['segment', '{input}', '--out', '{outputPrefix}', '--try', '{attempt}'] : undefined) });
    const [instance] = await aws.launch('m6i.xlarge', 1, 'lm-6-1');
    await registerAsAgent(instance!.instanceId);
    const { started } = await aws.startTasks(instance!.instanceId, [spec]);
    const taskArn = started[0]!.taskArn;

    // moto moves a task one state towards STOPPED each time it is described, and sends no version.
    const readings = [{ state: started[0]!.state, version: started[0]!.version }];
    for (let look = 0; look < 10 && readings.at(-1)!.state !== 'STOPPED'; look++) {
      const task = (await aws.describe()).tasks.find((t) => t.taskArn === taskArn)!;
      readings.push({ state: task.state, version: task.version });
    }
    expect(readings.at(-1)!.state).toBe('STOPPED');
    // Never older than the reading before: the controller, which drops readings not newer than the last, sees the stop.
    for (let i = 1; i < readings.length; i++) expect(readings[i]!.version, JSON.stringify(readings)).toBeGreaterThanOrEqual(readings[i - 1]!.version);
    expect(readings.at(-1)!.version).toBeGreaterThan(readings[0]!.version);

    const described = await moto.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
    expect(described.tasks![0]!.overrides!.containerOverrides![0]!.command).toEqual(['segment', 's3://in/a.tif', '--out', 's3://out/run-1/', '--try', '2']);
  });

  it('stops a task with the reason given (a job past its timeout)', async () => {
    const aws = cloud();
    const [instance] = await aws.launch('m6i.xlarge', 1, 'lm-7-1');
    await registerAsAgent(instance!.instanceId);
    const { started } = await aws.startTasks(instance!.instanceId, [spec]);
    const taskArn = started[0]!.taskArn;
    await aws.stopTask(taskArn, 'loadmaster: job job-42 ran past its 100 s timeout');
    const described = await moto.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
    expect(described.tasks![0]!.stoppedReason).toBe('loadmaster: job job-42 ran past its 100 s timeout');
    expect(described.tasks![0]!.desiredStatus).toBe('STOPPED');
  });

  it('answers MISSING per job for an instance that never registered, and not-found when draining it', async () => {
    const aws = cloud();
    const [instance] = await aws.launch('m6i.xlarge', 1, 'lm-3-1');
    expect(await aws.startTasks(instance!.instanceId, [spec])).toEqual({ started: [], failed: [{ jobId: 'job-42', reason: 'MISSING' }] });
    await expect(aws.drain(instance!.instanceId)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses to terminate an instance without loadmaster tags, and touches nothing of the call', async () => {
    const aws = cloud();
    const [ours] = await aws.launch('m6i.xlarge', 1, 'lm-4-1');
    const foreign = (await moto.ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
    const refused = aws.terminate([ours!.instanceId, foreign]);
    await expect(refused).rejects.toBeInstanceOf(CloudError);
    await expect(refused).rejects.toMatchObject({ code: 'other', message: expect.stringContaining(foreign) });
    expect((await ec2Instance(foreign)).State!.Name).toBe('running');
    expect((await ec2Instance(ours!.instanceId)).State!.Name).toBe('running');
    // Nor is the foreign instance ever described as loadmaster's.
    expect((await aws.describe()).instances.map((i) => i.instanceId)).toEqual([ours!.instanceId]);
  });

  it('turns queued ECS events into cloud events and deletes the messages', async () => {
    const queueUrl = (await moto.sqs.send(new CreateQueueCommand({ QueueName: 'lm-events' }))).QueueUrl!;
    const aws = cloud({ eventsQueueUrl: queueUrl });
    const [instance] = await aws.launch('m6i.xlarge', 1, 'lm-5-1');
    const containerInstanceArn = await registerAsAgent(instance!.instanceId);
    const { started } = await aws.startTasks(instance!.instanceId, [spec]);
    const taskArn = started[0]!.taskArn;
    const clusterArn = `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`;
    const stopped = {
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      detail: {
        clusterArn,
        containerInstanceArn,
        taskArn,
        lastStatus: 'STOPPED',
        startedBy: 'loadmaster',
        stoppedReason: 'Essential container in task exited',
        version: 5,
        containers: [{ name: 'main', exitCode: 0 }],
        overrides: { containerOverrides: [{ name: 'main', cpu: 512, memoryReservation: 1024, environment: [{ name: 'LOADMASTER_JOB_ID', value: 'job-42' }, { name: 'LOADMASTER_ATTEMPT', value: '2' }] }] },
      },
    };
    const foreign = { ...stopped, detail: { ...stopped.detail, taskArn: `${taskArn}-other`, startedBy: 'ecs-svc/123' } };
    for (const body of [stopped, foreign, 'not json']) await moto.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: typeof body === 'string' ? body : JSON.stringify(body) }));

    const events = await aws.pollEvents();
    expect(events).toEqual([
      {
        kind: 'task-state',
        task: { taskArn, jobId: 'job-42', attempt: 2, instanceId: instance!.instanceId, state: 'STOPPED', demand: spec.demand, exitCode: 0, stopReason: 'Essential container in task exited', version: 5 },
      },
    ]);
    const attributes = await moto.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(attributes.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('creates clients that follow AWS_ENDPOINT_URL, and resolves the ECS-optimized AMI from SSM', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
      delete process.env['AWS_PROFILE'];
      const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 2 });
      expect(await clients.ecs.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
      const x86 = await resolveEcsAmi(clients.ssm, 'x86_64');
      const arm = await resolveEcsAmi(clients.ssm, 'arm64');
      expect(x86).toMatch(/^ami-/);
      expect(arm).toMatch(/^ami-/);
      expect(arm).not.toBe(x86);
      // The endpoint really came from the environment: moto answered, and saw the cluster made above.
      expect((await clients.ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns).toEqual([]);
    } finally {
      process.env = saved;
    }
  });
});
