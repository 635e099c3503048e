// The whole daemon on `cloud: aws` and `queue: sqs`, against moto_server: the config as a
// user writes it, the SDK clients finding moto through AWS_ENDPOINT_URL, the real
// controller in real time. What moto lacks (see aws-cloud.moto.test.ts) the test plays:
// an "agent" registers each launched instance with the cluster; tasks run until the end.
import { DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, type Task } from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { ECS_AMI_PARAMETERS } from '../../src/adapters/aws/aws-clients.ts';
import { REASON_ATTRIBUTE } from '../../src/adapters/sqs/sqs-job-source.ts';
import { realClock } from '../../src/clock/real-clock.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import { createClusterInDefaultVpc, MOTO_SKIP_REASON, motoAvailable, runTestAgent, useMoto } from './moto-server.ts';
import { captureDaemonLog, waitFor } from './daemon-on-moto.ts';

const CLUSTER = 'lm-daemon';
const motoReady = motoAvailable();

function job(jobId: string, algorithm = 'segment'): JobMessage {
  return { version: 1, jobId, algorithm, inputs: [`s3://images/${jobId}.tif`], outputPrefix: `s3://results/${jobId}/`, env: {}, priority: 0, attempt: 1 };
}


describe.skipIf(!motoReady)(motoReady ? 'the daemon on cloud: aws and queue: sqs (moto_server)' : `the daemon on AWS: ${MOTO_SKIP_REASON}`, () => {
  // Tasks run until stopped, as batch jobs do (else after a few of the daemon's resyncs the
  // restarted daemon would find nothing running); the daemon's own clients find moto through
  // the environment, the way a user points them at an emulator.
  const moto = useMoto((config) => ({ ecs: new ECSClient(config), ec2: new EC2Client(config), sqs: new SQSClient(config), ssm: new SSMClient(config) }), { tasksRunUntilStopped: true, awsEnvironment: true });

  const runAgent = (signal: AbortSignal): Promise<void> => runTestAgent(moto, CLUSTER, signal);

  async function loadmasterTasks(): Promise<Task[]> {
    const arns: string[] = [];
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      arns.push(...((await moto.ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: 'loadmaster', desiredStatus }))).taskArns ?? []));
    }
    if (arns.length === 0) return [];
    return (await moto.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [...new Set(arns)], include: ['TAGS'] }))).tasks ?? [];
  }

  const tagsOf = (task: Task): Record<string, string | undefined> => Object.fromEntries((task.tags ?? []).map((t) => [t.key, t.value]));

  async function tasksPerJob(): Promise<Map<string, Task[]>> {
    const byJob = new Map<string, Task[]>();
    for (const task of await loadmasterTasks()) {
      const jobId = tagsOf(task)['loadmaster:job-id'] ?? '(untagged)';
      byJob.set(jobId, [...(byJob.get(jobId) ?? []), task]);
    }
    return byJob;
  }

  async function queueCounts(url: string): Promise<{ visible: number; inFlight: number }> {
    const { Attributes } = await moto.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return { visible: Number(Attributes!.ApproximateNumberOfMessages), inFlight: Number(Attributes!.ApproximateNumberOfMessagesNotVisible) };
  }

  async function ourInstanceIds(): Promise<string[]> {
    return (await ourInstances()).map((i) => i.InstanceId!).sort();
  }

  async function ourInstances(): Promise<Instance[]> {
    const described = await moto.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:loadmaster:managed-by', Values: ['loadmaster'] }] }));
    return described.Reservations!.flatMap((r) => r.Instances ?? []);
  }

  it('takes jobs from SQS to tagged ECS tasks, dead-letters invalid ones, starts nothing twice, and adopts everything after a restart', async () => {
    const createQueue = async (name: string) => (await moto.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '30' } }))).QueueUrl!;
    const jobsUrl = await createQueue('lm-jobs');
    const deadUrl = await createQueue('lm-dead');
    const eventsUrl = await createQueue('lm-events');
    const subnetId = await createClusterInDefaultVpc(moto, CLUSTER);
    for (const family of ['loadmaster-segment', 'infer-td']) {
      await moto.ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: 'main', image: `example/${family}:1`, cpu: 256, memoryReservation: 512 }] }));
    }

    // One x86_64 type and no imageId: the daemon reads the ECS-optimized AMI from (moto's) SSM.
    const config = parseConfig(
      `
catalog: { include: ["m6i.xlarge"] }
algorithms:
  segment: { image: example/segment:1, resources: { cpu: 512, memoryMiB: 1024 } }
  infer: { image: example/infer:1, resources: { cpu: 1024, memoryMiB: 2048 } }
controller:
  reconcileSeconds: 0.2
  resyncSeconds: 0.5
  batchIdleSeconds: 0
  batchMaxSeconds: 0
  visibilitySeconds: 30
  api: { describe: { perSecond: 5 } }
cloud:
  kind: aws
  aws:
    cluster: ${CLUSTER}
    eventsQueueUrl: ${eventsUrl}
    subnetIds: [${subnetId}]
    taskDefinitions: { infer: "infer-td:1" }
    tags: { team: imaging }
    idleAlarm: { enabled: false }
queue:
  kind: sqs
  sqs: { queueUrl: ${jobsUrl}, deadLetterQueueUrl: ${deadUrl}, waitSeconds: 0 }
server: { port: 0 }
`,
      'aws.yaml',
    );
    const { logger, lines: logLines, decisions, recent: recentLog } = captureDaemonLog();

    const agentStop = new AbortController();
    const agent = runAgent(agentStop.signal);
    let daemon: Daemon | undefined;
    try {
      daemon = await createDaemon(config, realClock, logger, { source: 'aws.yaml' });
      expect(daemon.sim).toBeUndefined();
      daemon.controller.start();

      for (const message of [job('seg-1'), job('seg-2'), job('inf-1', 'infer')]) await moto.sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: JSON.stringify(message) }));
      await moto.sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: JSON.stringify({ ...job('bad-1'), colour: 'red' }) }));

      // queue → held → StartTask → message deleted.
      const started = await waitFor('three tagged tasks and an empty jobs queue', async () => {
        const byJob = await tasksPerJob();
        const counts = await queueCounts(jobsUrl);
        return byJob.size === 3 && counts.visible === 0 && counts.inFlight === 0 ? byJob : undefined;
      }, recentLog);
      expect([...started.keys()].sort()).toEqual(['inf-1', 'seg-1', 'seg-2']);
      const segment = started.get('seg-1')![0]!;
      expect(segment.startedBy).toBe('loadmaster');
      expect(segment.taskDefinitionArn).toMatch(/task-definition\/loadmaster-segment:1$/);
      expect(started.get('inf-1')![0]!.taskDefinitionArn).toMatch(/task-definition\/infer-td:1$/);
      expect(tagsOf(segment)).toEqual({ 'loadmaster:managed-by': 'loadmaster', 'loadmaster:cluster': CLUSTER, 'loadmaster:job-id': 'seg-1', 'loadmaster:attempt': '1', team: 'imaging' });
      const instances = await ourInstanceIds();
      expect(instances.length).toBeGreaterThan(0);
      const ecsAmi = (await moto.ssm.send(new GetParameterCommand({ Name: ECS_AMI_PARAMETERS.x86_64 }))).Parameter!.Value!;
      expect((await ourInstances()).map((i) => i.ImageId)).toEqual(instances.map(() => ecsAmi));

      // The invalid message is in the dead-letter queue with the reason.
      const dead = await waitFor('the dead letter', async () => {
        const received = await moto.sqs.send(new ReceiveMessageCommand({ QueueUrl: deadUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }));
        return received.Messages?.[0];
      }, recentLog);
      expect(JSON.parse(dead.Body!)).toMatchObject({ jobId: 'bad-1', colour: 'red' });
      expect(dead.MessageAttributes?.[REASON_ATTRIBUTE]?.StringValue).toMatch(/colour/);

      // A second copy of a running job's message: deleted, nothing started again.
      await moto.sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: JSON.stringify(job('seg-1')) }));
      await waitFor('the duplicate deleted', async () => {
        const counts = await queueCounts(jobsUrl);
        return decisions('duplicate').length > 0 && counts.visible + counts.inFlight === 0 ? true : undefined;
      }, recentLog);
      expect((await tasksPerJob()).get('seg-1')).toHaveLength(1);

      await daemon.stop();
      daemon = undefined;

      // Restart: a new daemon finds the instances and tasks by their tags and adopts them.
      logLines.length = 0;
      daemon = await createDaemon(config, realClock, logger, { source: 'aws.yaml' });
      const second = daemon;
      second.controller.start();
      const view = await waitFor('the fleet and the running jobs adopted', () => {
        const state = second.controller.view();
        return state.ready && state.running.length === 3 && state.nodes.every((n) => n.state === 'registered') ? state : undefined;
      }, () => `state: ${JSON.stringify(second.controller.view())}\n${recentLog()}`);
      expect(view.nodes.map((n) => n.id).sort()).toEqual(instances);
      expect(view.running.map((r) => r.jobId).sort()).toEqual(['inf-1', 'seg-1', 'seg-2']);
      expect(decisions('adopt').length).toBe(instances.length);

      // After the restart: a duplicate is still not started twice, and a new job runs on the adopted fleet.
      await moto.sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: JSON.stringify(job('seg-2')) }));
      await moto.sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: JSON.stringify(job('seg-3')) }));
      const after = await waitFor('seg-3 started and the jobs queue empty', async () => {
        const byJob = await tasksPerJob();
        const counts = await queueCounts(jobsUrl);
        return byJob.has('seg-3') && counts.visible + counts.inFlight === 0 ? byJob : undefined;
      }, recentLog);
      for (const [jobId, tasks] of after) expect(tasks, jobId).toHaveLength(1);
      expect(await ourInstanceIds()).toEqual(instances);
      expect(decisions('launch')).toEqual([]);
    } finally {
      await daemon?.stop();
      agentStop.abort();
      await agent;
    }
  }, 60_000);
});
