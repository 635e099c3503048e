// The cloud and the job queue of a daemon, built from the config by kind: the embedded
// simulation and memory queue, or ECS/EC2 and SQS. Everything else in the daemon is the
// same on either.
import type { Logger } from 'pino';
import { AwsCloud } from '../adapters/aws/aws-cloud.ts';
import { createAwsClients, ECS_AMI_PARAMETERS, ECS_GPU_AMI_PARAMETER, resolveEcsAmi, type AwsClients } from '../adapters/aws/aws-clients.ts';
import { MemoryJobSource } from '../adapters/memory-queue/memory-job-source.ts';
import { SimCloud } from '../adapters/sim/sim-cloud.ts';
import { createSqsClient } from '../adapters/sqs/sqs-client.ts';
import { SqsJobSource } from '../adapters/sqs/sqs-job-source.ts';
import { taskDefinitionOf, type AwsCloudConfig, type LoadmasterConfig } from '../config/config-schema.ts';
import { InputError, type InputIssue } from '../config/input-issues.ts';
import type { InstanceType } from '../core/catalog/instance-type.ts';
import type { Clock } from '../ports/clock.ts';
import type { Cloud } from '../ports/cloud.ts';
import type { JobSource } from '../ports/job-source.ts';
import { amiMismatch, chooseAmi, type AmiChoice } from './ami-choice.ts';
import { simTaskBehaviour } from './sim-task-behaviour.ts';

/** The embedded backends, for what only they can tell (the demo's summary, tests). */
export interface EmbeddedBackends {
  readonly cloud: SimCloud;
  readonly queue: MemoryJobSource;
}

export interface Backends {
  readonly cloud: Cloud;
  readonly queue: JobSource;
  /** Set when both are embedded (`cloud: sim`, `queue: memory`). */
  readonly sim?: EmbeddedBackends;
  /** What a reloaded config would change that the running backends cannot follow; empty when nothing. */
  reloadIssues(next: LoadmasterConfig, nextCatalog: readonly InstanceType[]): readonly InputIssue[];
  /** Releases the SDK clients' connections. */
  close(): void;
}

export interface BackendContext {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Names the config in errors (its file path). */
  readonly source: string;
}

export async function buildBackends(config: LoadmasterConfig, catalog: readonly InstanceType[], context: BackendContext): Promise<Backends> {
  const { clock, logger } = context;
  const closers: (() => void)[] = [];
  let cloud: Cloud;
  let simCloud: SimCloud | undefined;
  let amiChoice: AmiChoice | undefined;
  if (config.cloud.kind === 'aws') {
    const aws = config.cloud.aws;
    const clients = createAwsClients(aws.region === undefined ? {} : { region: aws.region });
    closers.push(() => destroyAll(clients));
    amiChoice = chooseAmiOrThrow(aws, catalog, context);
    if (aws.idleAlarm.enabled && Object.keys(config.controller.warmNodes).length > 0) {
      logger.warn({ cloud: 'aws' }, 'cloud.aws.idleAlarm is on: it terminates idle warm nodes (controller.warmNodes) too, and loadmaster launches them again');
    }
    cloud = new AwsCloud({
      ecs: clients.ecs,
      startTaskEcs: clients.ecsStartTask,
      ec2: clients.ec2,
      ...(aws.eventsQueueUrl !== undefined && { sqs: clients.sqs, eventsQueueUrl: aws.eventsQueueUrl }),
      cluster: aws.cluster,
      launch: {
        ...(aws.launchTemplate !== undefined && { launchTemplate: aws.launchTemplate }),
        imageId: await imageIdOf(amiChoice, clients, logger),
        ...(aws.subnetIds !== undefined && { subnetIds: aws.subnetIds }),
        ...(aws.securityGroupIds !== undefined && { securityGroupIds: aws.securityGroupIds }),
        ...(aws.instanceProfileArn !== undefined && { instanceProfileArn: aws.instanceProfileArn }),
      },
      taskDefinitionOf: (algorithm) => taskDefinitionOf(aws, algorithm),
      algorithms: Object.keys(config.algorithms),
      // The config loaded at start: a changed command takes effect on restart, like the task definitions.
      commandOf: (algorithm) => config.algorithms[algorithm]?.command,
      memoryLimitOf: (algorithm) => config.algorithms[algorithm]?.resources.memorySuggestedMiB,
      ...(aws.autoScaling !== undefined && { autoScaling: { client: clients.autoscaling, ...aws.autoScaling } }),
      containerName: aws.containerName,
      extraTags: aws.tags,
      cloudwatch: clients.cloudwatch,
      idleAlarm: aws.idleAlarm,
      onWarning: (message) => logger.warn({ cloud: 'aws' }, message),
    });
  } else {
    simCloud = new SimCloud({ clock, catalog, ...config.cloud.sim, taskBehaviour: simTaskBehaviour(config.cloud.sim) });
    cloud = simCloud;
  }

  let queue: JobSource;
  let memoryQueue: MemoryJobSource | undefined;
  if (config.queue.kind === 'sqs') {
    const sqs = config.queue.sqs;
    const region = sqs.region ?? config.cloud.aws?.region;
    const client = createSqsClient(region === undefined ? {} : { region });
    closers.push(() => client.destroy());
    queue = new SqsJobSource({
      client,
      queueUrl: sqs.queueUrl,
      deadLetterQueueUrl: sqs.deadLetterQueueUrl,
      pollers: sqs.pollers,
      waitSeconds: sqs.waitSeconds,
      visibilitySeconds: config.controller.visibilitySeconds,
      clock,
      reportStaleReceipts: (summary) => logger.warn({ queue: 'sqs' }, summary),
    });
  } else {
    memoryQueue = new MemoryJobSource({ clock, ...config.queue.memory });
    queue = memoryQueue;
    if (config.cloud.kind === 'aws') logger.warn('queue.kind is "memory": queued and held jobs live only in this process and are lost when it stops');
  }

  const started = { cloud: JSON.stringify(config.cloud), queue: JSON.stringify(config.queue) };
  return {
    cloud,
    queue,
    ...(simCloud !== undefined && memoryQueue !== undefined && { sim: { cloud: simCloud, queue: memoryQueue } }),
    reloadIssues(next, nextCatalog) {
      const issues: InputIssue[] = [];
      if (amiChoice !== undefined && next.cloud.kind === 'aws') issues.push(...amiMismatch(amiChoice, next.cloud.aws, nextCatalog));
      if (issues.length === 0) {
        // Applied: policy, catalog, controller and job rules. The rest needs new clients or a new simulation.
        for (const section of ['cloud', 'queue'] as const) {
          if (JSON.stringify(next[section]) !== started[section]) logger.warn({ section }, `${section} section changed: it takes effect when loadmaster restarts`);
        }
      }
      return issues;
    },
    close() {
      for (const close of closers) close();
    },
  };
}

function chooseAmiOrThrow(aws: AwsCloudConfig, catalog: readonly InstanceType[], context: BackendContext): AmiChoice {
  const choice = chooseAmi(aws, catalog);
  if ('issues' in choice) throw new InputError(context.source, choice.issues);
  if (choice.kind === 'launch-template' && choice.warning !== undefined) context.logger.warn({ cloud: 'aws' }, choice.warning);
  return choice;
}

/** The AMI to launch: the configured one, the template's (undefined), or the ECS-optimized one from SSM. */
async function imageIdOf(choice: AmiChoice, clients: AwsClients, logger: Logger): Promise<string | undefined> {
  if (choice.kind === 'launch-template') return undefined;
  if (choice.kind === 'image-id') return choice.imageId;
  const parameter = choice.gpu ? ECS_GPU_AMI_PARAMETER : ECS_AMI_PARAMETERS[choice.architecture];
  try {
    const imageId = await resolveEcsAmi(clients.ssm, choice.architecture, { gpu: choice.gpu });
    logger.info({ cloud: 'aws', imageId, parameter }, `launching the ECS-optimized ${choice.architecture}${choice.gpu ? ' GPU' : ''} AMI ${imageId}`);
    return imageId;
  } catch (error) {
    throw new Error(
      `cloud.aws: cannot read the ECS-optimized AMI id from the SSM parameter ${parameter} (${(error as Error).message}); ` +
        'expected AWS credentials and a region that allow ssm:GetParameter, or cloud.aws.imageId / launchTemplate set',
      { cause: error },
    );
  }
}

function destroyAll(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
