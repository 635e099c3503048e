// The whole daemon on `cloud: aws` and `queue: sqs`, against moto_server: a job runs on a
// launched instance, stops with exit code 0, and the idle instance is drained, terminated
// and loses its idle alarm. As in daemon-aws.moto.test.ts the test plays the ECS agent
// (moto has none) and holds tasks at RUNNING until it stops them.
//
// moto's tasks carry no `version`; the adapter then orders a task's readings by the ECS
// lifecycle, so the daemon's periodic resync sees the task STOPPED (moto's containers exit
// with 0) and finishes the job without any event on the events queue.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { realClock } from '../../src/clock/real-clock.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.ts';
import type { JobMessage } from '../../src/jobs/job-message.ts';
import { createClusterInDefaultVpc, MOTO_SKIP_REASON, motoAvailable, runTestAgent, useMoto } from './moto-server.ts';
import { captureDaemonLog, waitFor } from './daemon-on-moto.ts';

const CLUSTER = 'lm-daemon-idle';
const motoReady = motoAvailable();


describe.skipIf(!motoReady)(motoReady ? 'the daemon on cloud: aws retires an idle node (moto_server)' : `the daemon on AWS, idle shutdown: ${MOTO_SKIP_REASON}`, () => {
  // Tasks run until the test stops them; the daemon's own clients find moto through the environment.
  const moto = useMoto((config) => ({ ecs: new ECSClient(config), ec2: new EC2Client(config), sqs: new SQSClient(config), cw: new CloudWatchClient(config) }), { tasksRunUntilStopped: true, awsEnvironment: true });

  const runAgent = (signal: AbortSignal): Promise<void> => runTestAgent(moto, CLUSTER, signal);

  async function runningTasks(): Promise<Task[]> {
    const arns = (await moto.ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: 'loadmaster', desiredStatus: 'RUNNING' }))).taskArns ?? [];
    if (arns.length === 0) return [];
    return (await moto.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns, include: ['TAGS'] }))).tasks ?? [];
  }

  /** The container instances ECS has for an EC2 instance, with their status (ACTIVE, DRAINING, ...). */
  async function containerInstanceStatuses(instanceId: string): Promise<string[]> {
    const arns = (await moto.ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns ?? [];
    if (arns.length === 0) return [];
    const described = await moto.ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: arns }));
    return (described.containerInstances ?? []).filter((c) => c.ec2InstanceId === instanceId).map((c) => c.status ?? '');
  }

  async function ec2State(instanceId: string): Promise<string | undefined> {
    const described = await moto.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return described.Reservations?.[0]?.Instances?.[0]?.State?.Name;
  }

  async function idleAlarmNames(): Promise<string[]> {
    return ((await moto.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'loadmaster-idle-' }))).MetricAlarms ?? []).map((a) => a.AlarmName!).sort();
  }

  it('drains and terminates a node left idle after its job stopped, and deletes its idle alarm', async () => {
    const createQueue = async (name: string) => (await moto.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '30' } }))).QueueUrl!;
    const jobsUrl = await createQueue('lm-idle-jobs');
    const deadUrl = await createQueue('lm-idle-dead');
    const eventsUrl = await createQueue('lm-idle-events');
    const subnetId = await createClusterInDefaultVpc(moto, CLUSTER);
    await moto.ecs.send(new RegisterTaskDefinitionCommand({ family: 'loadmaster-segment', containerDefinitions: [{ name: 'main', image: 'example/segment:1', cpu: 256, memoryReservation: 512 }] }));

    // idleSeconds 1, and an alarm window (1 × 60 s) longer than that, as the config requires.
    const config = parseConfig(
      `
catalog: { include: ["m6i.xlarge"] }
algorithms:
  segment: { image: example/segment:1, resources: { cpu: 512, memoryMiB: 1024 } }
controller:
  reconcileSeconds: 0.2
  resyncSeconds: 0.5
  batchIdleSeconds: 0
  batchMaxSeconds: 0
  idleSeconds: 1
  visibilitySeconds: 30
cloud:
  kind: aws
  aws:
    cluster: ${CLUSTER}
    eventsQueueUrl: ${eventsUrl}
    subnetIds: [${subnetId}]
    idleAlarm: { enabled: true, periods: 1, periodSeconds: 60 }
queue:
  kind: sqs
  sqs: { queueUrl: ${jobsUrl}, deadLetterQueueUrl: ${deadUrl}, waitSeconds: 0 }
server: { port: 0 }
`,
      'aws-idle.yaml',
    );
    const { logger, lines: logLines, decisions, recent: recentLog } = captureDaemonLog();

    const agentStop = new AbortController();
    const agent = runAgent(agentStop.signal);
    let daemon: Daemon | undefined;
    try {
      daemon = await createDaemon(config, realClock, logger, { source: 'aws-idle.yaml' });
      const running = daemon;
      running.controller.start();
      const job: JobMessage = { version: 1, jobId: 'seg-1', algorithm: 'segment', inputs: ['s3://images/seg-1.tif'], outputPrefix: 's3://results/seg-1/', env: {}, priority: 0, attempt: 1 };
      await moto.sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: JSON.stringify(job) }));

      // The job runs as a task on the one launched instance, which has its idle alarm.
      const task = await waitFor('the job running as an ECS task', async () => (await runningTasks())[0], recentLog);
      const instanceId = await waitFor('the controller to track the job on its node', () => running.controller.view().running.find((r) => r.jobId === 'seg-1')?.instanceId, recentLog);
      expect(running.controller.view().nodes.map((n) => n.id)).toEqual([instanceId]);
      expect(await idleAlarmNames()).toEqual([`loadmaster-idle-${instanceId}`]);
      expect(await containerInstanceStatuses(instanceId)).toEqual(['ACTIVE']);

      // The job ends: stopped in ECS. No event tells the daemon; its resync reads the stop.
      await moto.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn!, reason: 'Essential container in task exited' }));
      const stopped = (await moto.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [task.taskArn!] }))).tasks![0]!;
      expect(stopped.lastStatus).toBe('STOPPED');
      await waitFor('the job finished', () => (decisions('finished').some((line) => line.includes('seg-1')) ? true : undefined), recentLog);

      // Idle for a second: drained, terminated, and its alarm deleted.
      await waitFor('the idle node drained', () => (decisions('drain').some((line) => line.includes(instanceId)) ? true : undefined), recentLog);
      await waitFor('the EC2 instance terminated', async () => {
        const state = await ec2State(instanceId);
        return state === 'terminated' || state === 'shutting-down' ? state : undefined;
      }, recentLog);
      // Drained, then deregistered with the termination: no ACTIVE registration is left.
      await waitFor('the container instance no longer ACTIVE', async () => ((await containerInstanceStatuses(instanceId)).every((s) => s !== 'ACTIVE') ? true : undefined), recentLog);
      await waitFor('the idle alarm deleted', async () => ((await idleAlarmNames()).length === 0 ? true : undefined), recentLog);
      await waitFor('the node gone from the controller', () => (running.controller.view().nodes.length === 0 ? true : undefined), () => `state: ${JSON.stringify(running.controller.view())}\n${recentLog()}`);
      expect(decisions('launch')).toHaveLength(1);
      // Neither the drain nor the termination failed on the way (a failed call is only a warning).
      expect(logLines.filter((line) => /cloud call (drain|terminate) failed/.test(line))).toEqual([]);
    } finally {
      await daemon?.stop();
      agentStop.abort();
      await agent;
    }
  }, 30_000);
});
