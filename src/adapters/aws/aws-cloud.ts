// The Cloud port on real ECS and EC2. Everything it creates carries loadmaster's tags, and
// everything it observes or destroys is found by those tags, so a restarted daemon sees
// the same fleet and never touches an instance it does not own. Instances are launched with
// RunInstances, or through one Auto Scaling group per type (auto-scaling.ts).
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Filter,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  DeregisterContainerInstanceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  StartTaskCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  type DesiredStatus,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { CloudError, type Cloud, type CloudEvent, type CloudInstance, type CloudTask, type InstanceState, type TaskSpec } from '../../ports/cloud.ts';
import { AutoScalingFleet, type AutoScalingSettings } from './auto-scaling.ts';
import { callAws, outcomeUnknown, toCloudError } from './aws-errors.ts';
import { runInstancesRequest, subnetsInOrder, type LaunchSettings } from './aws-launch-request.ts';
import { CLUSTER_TAG, clusterNameOf, isOwnedBy, MANAGED_BY_TAG, MANAGED_BY_VALUE, ownershipTags, STARTED_BY } from './aws-tags.ts';
import { expandCommand } from './command-template.ts';
import { ContainerInstanceDirectory, containerInstanceInfoOf, isRegistered, type ContainerInstanceInfo } from './ecs-container-instances.ts';
import { parseQueuedEvent } from './ecs-events.ts';
import { cloudTaskOf, containerOverrideFor, taskStateOf, taskTagsFor, taskVersionOf, type EcsTaskView } from './ecs-tasks.ts';
import { algorithmByTaskDefinition } from './task-definition-match.ts';
import { DEFAULT_IDLE_ALARM, deleteIdleAlarms, idleAlarmInstanceIds, idleAlarmSettingsProblem, putIdleAlarms, type IdleAlarmSettings } from './idle-alarms.ts';

export type { LaunchSettings } from './aws-launch-request.ts';
export type { AutoScalingSettings } from './auto-scaling.ts';

/** `AwsCloudOptions.autoScaling`: the config's `cloud.aws.autoScaling` and a client. */
export type AwsCloudAutoScaling = AutoScalingSettings & {
  readonly client: AutoScalingClient;
  /** false: launch with RunInstances, as without the section. */
  readonly enabled?: boolean;
  /** How long launch() waits for a group to name the instances it starts; default 10 s. */
  readonly waitForInstancesMs?: number;
  /** Between two looks at the group while waiting; default 1 s. */
  readonly pollIntervalMs?: number;
};

export interface AwsCloudOptions {
  readonly ecs: ECSClient;
  /**
   * The client StartTask goes through (default `ecs`). Give one without automatic retries
   * (maxAttempts 1): the SDK retrying a StartTask that ECS had accepted starts the task
   * twice, while a failure with an unknown outcome makes this adapter look for the task.
   */
  readonly startTaskEcs?: ECSClient;
  readonly ec2: EC2Client;
  /** With `eventsQueueUrl`: where ECS/EC2 events arrive (EventBridge → SQS). Without, pollEvents returns nothing and resync does the work. */
  readonly sqs?: SQSClient;
  /** Name or ARN of the ECS cluster. */
  readonly cluster: string;
  readonly eventsQueueUrl?: string;
  readonly launch: LaunchSettings;
  /** The task definition (family, family:revision or ARN) that runs an algorithm. */
  readonly taskDefinitionOf: (algorithm: string) => string;
  /** The config's algorithms: a task that names none in its env is matched to one by its task definition. */
  readonly algorithms?: readonly string[];
  /** The algorithm's command template (config `algorithms.<name>.command`); undefined: the image's own CMD. */
  readonly commandOf?: (algorithm: string) => readonly string[] | undefined;
  /** The algorithm's hard memory limit in MiB (config `resources.memorySuggestedMiB`); undefined: none. */
  readonly memoryLimitOf?: (algorithm: string) => number | undefined;
  /** The container in the task definition that runs the job; default 'main'. */
  readonly containerName?: string;
  /** Added to every instance, volume, task and alarm (cost allocation, owner); loadmaster's own tags win. */
  readonly extraTags?: Readonly<Record<string, string>>;
  /** With it, every launched instance gets an idle alarm that terminates it (see idle-alarms.ts). */
  readonly cloudwatch?: CloudWatchClient;
  /** Idle alarm settings (defaults: DEFAULT_IDLE_ALARM); `enabled: false` turns the alarms off. */
  readonly idleAlarm?: Partial<IdleAlarmSettings> & { readonly enabled?: boolean };
  /** Problems that do not fail the call (an alarm not created or not deleted), for the log. */
  readonly onWarning?: (message: string) => void;
  /** Launch through one Auto Scaling group per instance type instead of RunInstances. */
  readonly autoScaling?: AwsCloudAutoScaling;
}

type StartTasksResult = Awaited<ReturnType<Cloud['startTasks']>>;
type StartOutcome =
  | { readonly task: CloudTask }
  | { readonly failure: { readonly jobId: string; readonly reason: string } }
  /** `outcomeUnknown`: the call failed in a way that leaves open whether ECS started the task. */
  | { readonly error: CloudError; readonly outcomeUnknown: boolean };

/** ECS's StartTask failure reason for a container instance it does not know. */
export const MISSING_FAILURE = 'MISSING';

const DESCRIBE_TASKS_LIMIT = 100;
const EC2_IDS_PER_CALL = 100;
/** Characters ECS keeps of a stop reason. */
const ECS_REASON_LIMIT = 255;
const SQS_BATCH = 10;
/** Receive calls per poll: up to 100 events, so one poll never holds the loop for long. */
const RECEIVE_CALLS_PER_POLL = 10;
/** Launch answers remembered for a repeated client token (the sim's semantics, within one process). */
const REMEMBERED_LAUNCHES = 1000;
/** Tasks whose latest event version is remembered, to drop stale redeliveries. */
const REMEMBERED_TASK_VERSIONS = 20_000;
/** EC2 states worth describing: terminated instances are gone. */
const LIVE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];
/** describe() reconciles idle alarms with the fleet at most this often: it lists every alarm. */
const ALARM_SWEEP_MS = 10 * 60_000;
/** A group usually names new instances within seconds; waiting longer would hold the reconcile round. */
const AUTO_SCALING_WAIT_MS = 10_000;
const AUTO_SCALING_POLL_MS = 1_000;

export class AwsCloud implements Cloud {
  readonly #ecs: ECSClient;
  readonly #startTaskEcs: ECSClient;
  readonly #ec2: EC2Client;
  readonly #sqs: SQSClient | undefined;
  readonly #cluster: string;
  readonly #clusterName: string;
  readonly #eventsQueueUrl: string | undefined;
  readonly #launchSettings: LaunchSettings;
  readonly #taskDefinitionOf: (algorithm: string) => string;
  readonly #algorithmOfTaskDefinition: (taskDefinitionArn: string) => string | undefined;
  readonly #commandOf: (algorithm: string) => readonly string[] | undefined;
  readonly #memoryLimitOf: (algorithm: string) => number | undefined;
  readonly #containerName: string;
  readonly #tags: Readonly<Record<string, string>>;
  readonly #directory: ContainerInstanceDirectory;
  readonly #alarms: { readonly cw: CloudWatchClient; readonly settings: IdleAlarmSettings } | undefined;
  readonly #onWarning: (message: string) => void;
  readonly #groups: AutoScalingFleet | undefined;
  #alarmRegion: string | undefined;
  #nextAlarmSweepAt = 0;

  /** loadmaster's instances as last seen: events about other instances are ignored. */
  readonly #known = new Map<string, { readonly type: string; readonly launchedAt: number }>();
  readonly #launches = new Map<string, { readonly type: string; readonly count: number; readonly instances: readonly CloudInstance[] }>();
  readonly #latestTaskVersion = new Map<string, number>();

  constructor(options: AwsCloudOptions) {
    const template = options.launch.launchTemplate;
    const autoScaling = options.autoScaling?.enabled === false ? undefined : options.autoScaling;
    if (template !== undefined && template.id === undefined && template.name === undefined) {
      throw new Error('AwsCloud: launch.launchTemplate needs an id or a name');
    }
    if (autoScaling === undefined && template === undefined && options.launch.imageId === undefined) {
      throw new Error('AwsCloud: launch needs a launchTemplate or an imageId (see resolveEcsAmi)');
    }
    if (autoScaling?.createGroups === true && (template === undefined || (options.launch.subnetIds ?? []).length === 0)) {
      throw new Error('AwsCloud: autoScaling.createGroups needs launch.launchTemplate and launch.subnetIds (groups launch from the template into the subnets)');
    }
    this.#ecs = options.ecs;
    this.#startTaskEcs = options.startTaskEcs ?? options.ecs;
    this.#ec2 = options.ec2;
    this.#sqs = options.sqs;
    this.#cluster = options.cluster;
    this.#clusterName = clusterNameOf(options.cluster);
    this.#eventsQueueUrl = options.eventsQueueUrl;
    this.#launchSettings = options.launch;
    this.#taskDefinitionOf = options.taskDefinitionOf;
    this.#algorithmOfTaskDefinition = algorithmByTaskDefinition(options.algorithms ?? [], options.taskDefinitionOf);
    this.#commandOf = options.commandOf ?? (() => undefined);
    this.#memoryLimitOf = options.memoryLimitOf ?? (() => undefined);
    this.#containerName = options.containerName ?? 'main';
    this.#tags = ownershipTags(this.#clusterName, options.extraTags);
    this.#directory = new ContainerInstanceDirectory(options.ecs, options.cluster);
    this.#onWarning = options.onWarning ?? (() => {});
    const { enabled = true, ...idleAlarm } = options.idleAlarm ?? {};
    if (enabled && options.idleAlarm !== undefined && options.cloudwatch === undefined) {
      // A safety net configured but silently absent is worse than a refusal to start.
      throw new Error('AwsCloud: idleAlarm needs a cloudwatch client (or idleAlarm.enabled: false)');
    }
    const settings: IdleAlarmSettings = { ...DEFAULT_IDLE_ALARM, ...idleAlarm };
    const problem = idleAlarmSettingsProblem(settings);
    if (enabled && options.cloudwatch !== undefined && problem !== undefined) throw new Error(`AwsCloud: idleAlarm: ${problem}`);
    this.#alarms = enabled && options.cloudwatch !== undefined ? { cw: options.cloudwatch, settings } : undefined;
    if (autoScaling !== undefined && this.#alarms !== undefined) {
      // The alarm terminates the instance itself, and its group, still wanting it, launches a replacement.
      throw new Error('AwsCloud: idle alarms and autoScaling do not mix (a group replaces the instance an alarm terminates); set idleAlarm.enabled: false');
    }
    this.#groups =
      autoScaling === undefined
        ? undefined
        : new AutoScalingFleet({
            client: autoScaling.client,
            settings: autoScaling,
            launchTemplate: template,
            subnetIds: options.launch.subnetIds,
            clusterName: this.#clusterName,
            tags: this.#tags,
            waitForInstancesMs: autoScaling.waitForInstancesMs ?? AUTO_SCALING_WAIT_MS,
            pollIntervalMs: autoScaling.pollIntervalMs ?? AUTO_SCALING_POLL_MS,
            onWarning: this.#onWarning,
          });
  }

  // ---- launch ----

  async launch(type: string, count: number, clientToken: string): Promise<readonly CloudInstance[]> {
    const earlier = this.#launches.get(clientToken);
    if (earlier !== undefined) {
      if (earlier.type !== type || earlier.count !== count) {
        throw new CloudError('other', `launch: client token ${clientToken} was used for ${earlier.count} × ${earlier.type}`);
      }
      return earlier.instances;
    }
    if (!(Number.isInteger(count) && count >= 1)) throw new CloudError('other', `launch: count must be a positive integer, got ${count}`);
    if (this.#groups !== undefined) return this.#launchInGroup(this.#groups, type, count, clientToken);
    let lastError: CloudError | undefined;
    for (const [zoneAttempt, subnetId] of subnetsInOrder(this.#launchSettings.subnetIds, clientToken).entries()) {
      // Another subnet is another request to EC2, so it needs its own token.
      const token = zoneAttempt === 0 ? clientToken : `${clientToken.slice(0, 58)}-z${zoneAttempt}`;
      try {
        const request = runInstancesRequest(this.#launchSettings, { type, count, clientToken: token, subnetId, clusterName: this.#clusterName, tags: this.#tags });
        const response = await this.#ec2.send(new RunInstancesCommand(request));
        const instances = (response.Instances ?? []).map((i) => this.#noteInstance(i));
        rememberBounded(this.#launches, clientToken, { type, count, instances }, REMEMBERED_LAUNCHES);
        await this.#putIdleAlarms(instances.filter((i) => i.state !== 'terminated').map((i) => i.instanceId));
        return instances;
      } catch (error) {
        lastError = toCloudError('RunInstances', error);
        // Capacity and type offerings differ per zone: the next subnet may have them.
        if (lastError.code !== 'insufficient-capacity' && lastError.code !== 'unsupported-type') throw lastError;
      }
    }
    throw lastError!;
  }

  /**
   * Possibly fewer instances than `count`: those the group named in time (see
   * AutoScalingFleet.launch). The controller re-plans the jobs of the missing ones, and
   * describe() adopts the instances themselves once the group has started them.
   */
  async #launchInGroup(groups: AutoScalingFleet, type: string, count: number, clientToken: string): Promise<readonly CloudInstance[]> {
    const launched = await groups.launch(type, count);
    const instances = launched.instances.map((i): CloudInstance => {
      const instance: CloudInstance = { instanceId: i.instanceId, type: i.type ?? type, state: 'pending', launchedAt: launched.raisedAt };
      this.#known.set(instance.instanceId, { type: instance.type, launchedAt: instance.launchedAt });
      return instance;
    });
    rememberBounded(this.#launches, clientToken, { type, count, instances }, REMEMBERED_LAUNCHES);
    return instances;
  }

  // ---- start ----

  async startTasks(instanceId: string, specs: readonly TaskSpec[]): Promise<StartTasksResult> {
    const containerInstanceArn = await this.#directory.arnOf(instanceId);
    if (containerInstanceArn === undefined) return { started: [], failed: specs.map((s) => ({ jobId: s.jobId, reason: MISSING_FAILURE })) };
    const attempts = await Promise.all(specs.map((spec) => this.#startTask(instanceId, containerInstanceArn, spec)));
    const unsure = specs.filter((_, i) => isUnsure(attempts[i]!));
    const startedAnyway = unsure.length > 0 ? await this.#tasksAlreadyStarted(instanceId, containerInstanceArn, unsure) : new Map<string, CloudTask>();
    const outcomes = attempts.map((outcome, i): StartOutcome => {
      const task = startedAnyway.get(specs[i]!.jobId);
      return task !== undefined && isUnsure(outcome) ? { task } : outcome;
    });
    const errors = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
    // Every call threw (throttled, no permission, no cluster): nothing started, so the call as a whole failed.
    if (errors.length === outcomes.length && errors.length > 0) throw errors[0]!;
    const started: CloudTask[] = [];
    const failed: { jobId: string; reason: string }[] = [];
    outcomes.forEach((outcome, i) => {
      if ('task' in outcome) started.push(outcome.task);
      else if ('failure' in outcome) failed.push(outcome.failure);
      else failed.push({ jobId: specs[i]!.jobId, reason: `${outcome.error.code}: ${outcome.error.message}` });
    });
    if (failed.some((f) => f.reason === MISSING_FAILURE)) this.#directory.forget(instanceId);
    return { started, failed };
  }

  async #startTask(instanceId: string, containerInstanceArn: string, spec: TaskSpec): Promise<StartOutcome> {
    const template = this.#commandOf(spec.algorithm);
    const command = template === undefined ? undefined : expandCommand(template, spec);
    try {
      // One call per job, count 1: failures then name the job, and one refusal does not sink the rest.
      const response = await this.#startTaskEcs.send(
        new StartTaskCommand({
          cluster: this.#cluster,
          taskDefinition: this.#taskDefinitionOf(spec.algorithm),
          containerInstances: [containerInstanceArn],
          startedBy: STARTED_BY,
          tags: taskTagsFor(spec, this.#tags),
          overrides: { containerOverrides: [containerOverrideFor(spec, this.#containerName, command, this.#memoryLimitOf(spec.algorithm))] },
        }),
      );
      const task = response.tasks?.[0];
      if (task?.taskArn !== undefined) {
        const version = taskVersionOf(task);
        this.#noteTaskVersion(task.taskArn, version);
        return {
          task: {
            taskArn: task.taskArn,
            jobId: spec.jobId,
            attempt: spec.attempt,
            instanceId,
            state: taskStateOf(task.lastStatus),
            demand: spec.demand,
            version,
          },
        };
      }
      const failure = response.failures?.[0];
      return { failure: { jobId: spec.jobId, reason: failure?.reason ?? 'no task and no failure in the StartTask answer' } };
    } catch (error) {
      return { error: toCloudError('StartTask', error), outcomeUnknown: outcomeUnknown(error) };
    }
  }

  /**
   * The tasks of these jobs (same job id and attempt) that ECS has on the container
   * instance, for StartTask calls that failed without saying whether ECS took them: a
   * time-out or a server error may come after the task was started, and reporting such a
   * job failed would start it a second time elsewhere. Only tasks whose desired status is
   * RUNNING are listed: one that already stopped again is missed and its job re-planned.
   * A failed look is a warning, and those jobs are reported failed as before.
   */
  async #tasksAlreadyStarted(instanceId: string, containerInstanceArn: string, specs: readonly TaskSpec[]): Promise<Map<string, CloudTask>> {
    const found = new Map<string, CloudTask>();
    try {
      // Not filtered by startedBy here: ECS refuses startedBy together with any other filter.
      const tasks = await this.#describeTaskArns(await this.#listTaskArns({ containerInstance: containerInstanceArn }));
      const attemptOf = new Map(specs.map((s) => [s.jobId, s.attempt]));
      // Oldest first: should retries have started a job twice, the first task is the one reported.
      tasks.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
      for (const ecsTask of tasks) {
        if (ecsTask.startedBy !== STARTED_BY) continue;
        const task = cloudTaskOf(ecsTask, instanceId, this.#containerName, this.#algorithmOfTaskDefinition);
        if (task === undefined || attemptOf.get(task.jobId) !== task.attempt) continue;
        if (found.has(task.jobId)) {
          this.#onWarning(`StartTask: job ${task.jobId} (attempt ${task.attempt}) has more than one task on ${instanceId}: ${found.get(task.jobId)!.taskArn} is reported, ${task.taskArn} too runs`);
          continue;
        }
        this.#noteTaskVersion(task.taskArn, task.version);
        found.set(task.jobId, task);
      }
    } catch (error) {
      this.#onWarning(`StartTask: could not check whether ${specs.map((s) => s.jobId).join(', ')} started on ${instanceId} after all (${errorText(error)}); reported as failed`);
    }
    return found;
  }

  // ---- drain and terminate ----

  async drain(instanceId: string): Promise<void> {
    const containerInstanceArn = await this.#directory.arnOf(instanceId);
    if (containerInstanceArn === undefined) throw new CloudError('not-found', `drain: ${instanceId} is not a registered container instance`);
    const response = await callAws('UpdateContainerInstancesState', () =>
      this.#ecs.send(new UpdateContainerInstancesStateCommand({ cluster: this.#cluster, containerInstances: [containerInstanceArn], status: 'DRAINING' })),
    );
    const failure = response.failures?.[0];
    if (failure !== undefined) {
      if (failure.reason === MISSING_FAILURE) this.#directory.forget(instanceId);
      throw new CloudError(failure.reason === MISSING_FAILURE ? 'not-found' : 'other', `drain: ${instanceId}: ${failure.reason ?? 'failed'} ${failure.detail ?? ''}`.trim());
    }
  }

  async stopTask(taskArn: string, reason: string): Promise<void> {
    // ECS keeps at most 255 characters of a stop reason; stopping a stopped task succeeds.
    await callAws('StopTask', () => this.#ecs.send(new StopTaskCommand({ cluster: this.#cluster, task: taskArn, reason: reason.slice(0, ECS_REASON_LIMIT) })));
  }

  async terminate(instanceIds: readonly string[]): Promise<void> {
    if (instanceIds.length === 0) return;
    const found = new Map<string, Instance>();
    for (const chunk of chunks(instanceIds, EC2_IDS_PER_CALL)) {
      for (const instance of await this.#describeInstances({ InstanceIds: chunk })) found.set(instance.InstanceId!, instance);
    }
    const missing = instanceIds.filter((id) => !found.has(id));
    if (missing.length > 0) throw new CloudError('not-found', `terminate: no instance ${missing.join(', ')}`);
    // Checked before anything is touched: one foreign id refuses the whole call.
    const foreign = instanceIds.filter((id) => !isOwnedBy(found.get(id)!.Tags, this.#clusterName));
    if (foreign.length > 0) {
      throw new CloudError('other', `terminate: refusing ${foreign.join(', ')}: not tagged ${MANAGED_BY_TAG}=${MANAGED_BY_VALUE} and ${CLUSTER_TAG}=${this.#clusterName}`);
    }
    const live = instanceIds.filter((id) => found.get(id)!.State?.Name !== 'terminated');
    // An instance in a group leaves through the group, or the group would replace it.
    const groupOf = this.#groups !== undefined && live.length > 0 ? await this.#groups.groupsOf(live) : new Map<string, string>();
    if (groupOf.size > 0) await this.#groups!.checkOwned([...groupOf.values()]);
    await Promise.all(live.map((id) => this.#deregister(id)));
    await Promise.all([...groupOf.keys()].map((id) => this.#groups!.terminate(id)));
    for (const chunk of chunks(
      live.filter((id) => !groupOf.has(id)),
      EC2_IDS_PER_CALL,
    )) {
      await callAws('TerminateInstances', () => this.#ec2.send(new TerminateInstancesCommand({ InstanceIds: chunk })));
    }
    for (const id of live) this.#known.delete(id);
    // Also for ids already terminated: their alarms are just as useless.
    await this.#deleteIdleAlarms(instanceIds);
  }

  /** Force: its tasks are stopped with the instance anyway, and ECS must not place new ones there meanwhile. */
  async #deregister(instanceId: string): Promise<void> {
    const containerInstanceArn = await this.#directory.arnOf(instanceId);
    if (containerInstanceArn === undefined) return;
    try {
      await this.#ecs.send(new DeregisterContainerInstanceCommand({ cluster: this.#cluster, containerInstance: containerInstanceArn, force: true }));
    } catch (error) {
      const cloudError = toCloudError('DeregisterContainerInstance', error);
      if (cloudError.code !== 'not-found') throw cloudError;
    }
    this.#directory.forget(instanceId);
  }

  // ---- observe ----

  async describe(): Promise<{ readonly instances: readonly CloudInstance[]; readonly tasks: readonly CloudTask[] }> {
    const ownership: Filter[] = [
      { Name: `tag:${MANAGED_BY_TAG}`, Values: [MANAGED_BY_VALUE] },
      { Name: `tag:${CLUSTER_TAG}`, Values: [this.#clusterName] },
      { Name: 'instance-state-name', Values: LIVE_STATES },
    ];
    const [ec2Instances, containerInstances] = await Promise.all([this.#describeInstances({ Filters: ownership }), this.#directory.listAll()]);
    const registrationOf = new Map<string, ContainerInstanceInfo>();
    for (const info of containerInstances) {
      // An instance can have an old registration next to its current one; the usable one wins.
      if (!registrationOf.has(info.ec2InstanceId) || isUsable(info)) registrationOf.set(info.ec2InstanceId, info);
    }
    const instances = ec2Instances
      .map((i) => this.#noteInstance(i, registrationOf.get(i.InstanceId!)))
      .filter((i) => i.state !== 'terminated');
    await this.#sweepIdleAlarms(instances.map((i) => i.instanceId));
    return { instances, tasks: await this.#describeTasks() };
  }

  async #describeTasks(): Promise<CloudTask[]> {
    const arns: string[] = [];
    for (const desiredStatus of ['RUNNING', 'STOPPED'] satisfies DesiredStatus[]) arns.push(...(await this.#listTaskArns({ startedBy: STARTED_BY, desiredStatus })));
    const cloudTasks = await this.#cloudTasksOf(await this.#describeTaskArns([...new Set(arns)]));
    for (const task of cloudTasks) this.#noteTaskVersion(task.taskArn, task.version);
    return cloudTasks;
  }

  /**
   * Every task ARN ListTasks gives for the filter, all pages: ours by desired status, or
   * all on one container instance (ECS refuses startedBy together with any other filter).
   */
  async #listTaskArns(filter: { readonly startedBy: string; readonly desiredStatus: DesiredStatus } | { readonly containerInstance: string }): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await callAws('ListTasks', () => this.#ecs.send(new ListTasksCommand({ cluster: this.#cluster, ...filter, ...(nextToken !== undefined && { nextToken }) })));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return arns;
  }

  /** The tasks with these ARNs, with their tags, DESCRIBE_TASKS_LIMIT per DescribeTasks call. */
  async #describeTaskArns(arns: readonly string[]): Promise<Task[]> {
    const tasks: Task[] = [];
    for (const chunk of chunks(arns, DESCRIBE_TASKS_LIMIT)) {
      const page = await callAws('DescribeTasks', () => this.#ecs.send(new DescribeTasksCommand({ cluster: this.#cluster, tasks: chunk, include: ['TAGS'] })));
      tasks.push(...(page.tasks ?? []));
    }
    return tasks;
  }

  async pollEvents(): Promise<readonly CloudEvent[]> {
    if (this.#sqs === undefined || this.#eventsQueueUrl === undefined) return [];
    const messages = await this.#receiveMessages(this.#sqs, this.#eventsQueueUrl);
    const events = await this.#eventsOf(messages);
    // Consumed, including foreign and unreadable ones (they would only come back). A failed
    // delete means a redelivery, which the versions make harmless.
    for (const chunk of chunks(messages, SQS_BATCH)) {
      await callAws('DeleteMessageBatch', () =>
        this.#sqs!.send(new DeleteMessageBatchCommand({ QueueUrl: this.#eventsQueueUrl, Entries: chunk.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) })),
      );
    }
    return events;
  }

  async #receiveMessages(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (let call = 0; call < RECEIVE_CALLS_PER_POLL; call++) {
      // No long polling: the reconcile loop must not wait here.
      const page = await callAws('ReceiveMessage', () => sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: SQS_BATCH, WaitTimeSeconds: 0 })));
      const received = page.Messages ?? [];
      messages.push(...received);
      if (received.length < SQS_BATCH) break;
    }
    return messages;
  }

  async #eventsOf(messages: readonly Message[]): Promise<CloudEvent[]> {
    const parsed = messages.map((m) => parseQueuedEvent(m.Body));
    const ourTasks: EcsTaskView[] = [];
    const events: CloudEvent[] = [];
    for (const event of parsed) {
      if (event === undefined) continue;
      if (event.kind === 'task') {
        if (clusterNameOf(event.task.clusterArn ?? '') === this.#clusterName && event.task.startedBy === STARTED_BY) ourTasks.push(event.task);
      } else if (event.kind === 'container-instance') {
        const registered = this.#registrationEvent(event.clusterArn, containerInstanceInfoOf(event.containerInstance));
        if (registered !== undefined) events.push(registered);
      } else if (this.#known.has(event.instanceId) && (event.state === 'shutting-down' || event.state === 'terminated')) {
        this.#known.delete(event.instanceId);
        events.push({ kind: 'instance-terminated', instanceId: event.instanceId });
      }
    }
    for (const task of await this.#cloudTasksOf(ourTasks)) {
      // Older than (or as old as) what was already reported: a redelivery or a late arrival.
      if (task.version <= (this.#latestTaskVersion.get(task.taskArn) ?? -1)) continue;
      this.#noteTaskVersion(task.taskArn, task.version);
      events.push({ kind: 'task-state', task });
    }
    return events;
  }

  #registrationEvent(clusterArn: string | undefined, info: ContainerInstanceInfo | undefined): CloudEvent | undefined {
    if (info === undefined || clusterNameOf(clusterArn ?? '') !== this.#clusterName) return undefined;
    const known = this.#known.get(info.ec2InstanceId);
    // Not launched by this process nor seen by describe(): not ours, or describe() adopts it.
    if (known === undefined) return undefined;
    this.#directory.remember(info);
    if (info.status !== 'ACTIVE' || !info.agentConnected) return undefined;
    return {
      kind: 'instance-registered',
      instance: {
        instanceId: info.ec2InstanceId,
        type: known.type,
        state: 'running',
        launchedAt: known.launchedAt,
        registered: { containerInstanceArn: info.containerInstanceArn, resources: info.resources, draining: false },
      },
    };
  }

  /** Tasks with job ids, each on the EC2 instance behind its container instance ('' when ECS no longer knows it). */
  async #cloudTasksOf(tasks: readonly EcsTaskView[]): Promise<CloudTask[]> {
    const arns = tasks.flatMap((t) => (t.containerInstanceArn !== undefined ? [t.containerInstanceArn] : []));
    const instanceIdOf = await this.#directory.instanceIdsOf(arns);
    return tasks.flatMap((t) => cloudTaskOf(t, instanceIdOf.get(t.containerInstanceArn ?? '') ?? '', this.#containerName, this.#algorithmOfTaskDefinition) ?? []);
  }

  // ---- idle alarms (never fail the call they ride on) ----

  async #putIdleAlarms(instanceIds: readonly string[]): Promise<void> {
    if (this.#alarms === undefined || instanceIds.length === 0) return;
    try {
      // The terminate action's ARN names the region, which only the client's config knows.
      this.#alarmRegion ??= await this.#alarms.cw.config.region();
      await putIdleAlarms(this.#alarms.cw, this.#alarmRegion, instanceIds, this.#alarms.settings, this.#tags);
    } catch (error) {
      this.#onWarning(`idle alarms: ${errorText(error)} (the next alarm sweep retries)`);
    }
  }

  async #deleteIdleAlarms(instanceIds: readonly string[]): Promise<void> {
    if (this.#alarms === undefined || instanceIds.length === 0) return;
    try {
      await deleteIdleAlarms(this.#alarms.cw, instanceIds);
    } catch (error) {
      this.#onWarning(`idle alarms: ${errorText(error)} (the next alarm sweep retries)`);
    }
  }

  /**
   * Deletes alarms whose instance is gone and creates those that a failed or interrupted
   * launch left out. Alarms of instances that are not this cluster's are deleted only once
   * EC2 no longer has the instance: the prefix is shared with other clusters' daemons.
   */
  async #sweepIdleAlarms(ourInstanceIds: readonly string[]): Promise<void> {
    if (this.#alarms === undefined || Date.now() < this.#nextAlarmSweepAt) return;
    // Set before the calls: a sweep that fails (no permission) is not retried on every describe().
    this.#nextAlarmSweepAt = Date.now() + ALARM_SWEEP_MS;
    const ours = new Set(ourInstanceIds);
    let alarmed: Set<string>;
    try {
      alarmed = new Set(await idleAlarmInstanceIds(this.#alarms.cw));
      const others = [...alarmed].filter((id) => !ours.has(id));
      const existing = new Set<string>();
      for (const chunk of chunks(others, EC2_IDS_PER_CALL)) {
        const found = await this.#describeInstances({ Filters: [{ Name: 'instance-id', Values: chunk }, { Name: 'instance-state-name', Values: LIVE_STATES }] });
        for (const instance of found) existing.add(instance.InstanceId!);
      }
      await deleteIdleAlarms(this.#alarms.cw, others.filter((id) => !existing.has(id)));
    } catch (error) {
      this.#onWarning(`idle alarm sweep: ${errorText(error)}`);
      return;
    }
    await this.#putIdleAlarms(ourInstanceIds.filter((id) => !alarmed.has(id)));
  }

  // ---- helpers ----

  async #describeInstances(query: { InstanceIds?: string[]; Filters?: Filter[] }): Promise<Instance[]> {
    const instances: Instance[] = [];
    let nextToken: string | undefined;
    do {
      const page = await callAws('DescribeInstances', () => this.#ec2.send(new DescribeInstancesCommand({ ...query, ...(nextToken !== undefined && { NextToken: nextToken }) })));
      for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return instances.filter((i) => i.InstanceId !== undefined);
  }

  /** The port's view of an EC2 instance, remembered as ours. */
  #noteInstance(instance: Instance, registration?: ContainerInstanceInfo): CloudInstance {
    const cloudInstance: CloudInstance = {
      instanceId: instance.InstanceId!,
      type: instance.InstanceType ?? 'unknown',
      state: instanceStateOf(instance.State?.Name),
      launchedAt: instance.LaunchTime?.getTime() ?? Date.now(),
      ...(registration !== undefined &&
        isUsable(registration) && {
          registered: { containerInstanceArn: registration.containerInstanceArn, resources: registration.resources, draining: registration.status === 'DRAINING' },
        }),
    };
    if (cloudInstance.state !== 'terminated') this.#known.set(cloudInstance.instanceId, { type: cloudInstance.type, launchedAt: cloudInstance.launchedAt });
    return cloudInstance;
  }

  #noteTaskVersion(taskArn: string, version: number): void {
    rememberBounded(this.#latestTaskVersion, taskArn, Math.max(version, this.#latestTaskVersion.get(taskArn) ?? -1), REMEMBERED_TASK_VERSIONS);
  }
}

/**
 * Registered and reachable: an instance whose agent is disconnected (stopped by hand, agent
 * dead) is reported unregistered, so the controller's registration timeout retires it.
 */
function isUsable(info: ContainerInstanceInfo): boolean {
  return isRegistered(info) && info.agentConnected;
}

/**
 * loadmaster never stops instances; one stopped by hand still exists (and bills its
 * volume), so it is reported present rather than forgotten and leaked.
 */
function instanceStateOf(ec2State: string | undefined): InstanceState {
  switch (ec2State) {
    case 'pending':
      return 'pending';
    case 'shutting-down':
    case 'terminated':
      return 'terminated';
    default:
      return 'running';
  }
}

function isUnsure(outcome: StartOutcome): boolean {
  return 'error' in outcome && outcome.outcomeUnknown;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Map insertion order is age: past the limit the oldest entries go. */
function rememberBounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value!);
}
