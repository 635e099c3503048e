// The least-privilege IAM policy for the loadmaster daemon on AWS: exactly the calls the
// adapters make, on exactly loadmaster's resources. What loadmaster creates or destroys is
// fenced by its own tags (an instance can only be launched tagged, and only a tagged
// instance of this cluster can be terminated); ECS calls are pinned to the one cluster,
// SQS calls to the configured queues, and roles can be passed only to the service that
// uses them. With Auto Scaling groups, only groups tagged as loadmaster's can be scaled or
// have an instance taken out. Pure: builds the document from settings, asks AWS nothing.
import { autoScalingGroupName } from './auto-scaling.ts';
import { ECS_AMI_PARAMETERS, ECS_GPU_AMI_PARAMETER } from './aws-clients.ts';
import { CLUSTER_TAG, clusterNameOf, MANAGED_BY_TAG, MANAGED_BY_VALUE } from './aws-tags.ts';
import { IDLE_ALARM_PREFIX } from './idle-alarms.ts';

/** Stands for an unknown region or account in an ARN. */
const ANY = '*';

export interface IamPolicyInput {
  /** Region of the cluster and instances; `*` in the ARNs when unknown (and not in a cluster ARN). */
  readonly region?: string;
  /** 12-digit account id; `*` in the ARNs when unknown (and not in the cluster or instance profile ARN). */
  readonly accountId?: string;
  /** Name or ARN of the ECS cluster. */
  readonly cluster: string;
  /** The job queue (receive, delete, change visibility, send). */
  readonly queueUrl?: string;
  /** Dead letters are sent here. */
  readonly deadLetterQueueUrl?: string;
  /** EventBridge → SQS: ECS/EC2 events are received and deleted here. */
  readonly eventsQueueUrl?: string;
  /** Region of the queues when their URLs do not name one (a local endpoint); default `region`. */
  readonly queueRegion?: string;
  /** ARN (or name) of the instance profile launched instances get. */
  readonly instanceProfileArn?: string;
  /** The role inside that profile; default: a role named like the profile (the console's convention). */
  readonly instanceRoleArn?: string;
  /** Task roles and task execution roles of the task definitions. */
  readonly taskRoleArns?: readonly string[];
  /** Task definitions StartTask may use (family, family:revision or ARN); absent = any in the account. */
  readonly taskDefinitions?: readonly string[];
  /** Launches go through a launch template (which then supplies AMI, network, profile as configured there). */
  readonly launchTemplate?: boolean;
  /** Its id (`lt-…`), to name it in the policy; without it any template in the account. */
  readonly launchTemplateId?: string;
  /** A fixed AMI; without it (and without a template) the AMI is looked up in SSM's public ECS parameters. */
  readonly imageId?: string;
  readonly subnetIds?: readonly string[];
  readonly securityGroupIds?: readonly string[];
  /** CloudWatch alarms that terminate idle instances. */
  readonly idleAlarms: boolean;
  /** Launches go through one Auto Scaling group per type (config `cloud.aws.autoScaling`) instead of RunInstances. */
  readonly autoScaling?: { readonly groupName: string; readonly createGroups: boolean };
}

/** Condition operator → condition key → value(s). */
export type IamCondition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface IamPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: IamCondition;
}

export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamPolicyStatement[];
}

export interface IamPolicyResult {
  readonly policy: IamPolicyDocument;
  /** The region, account and partition the ARNs use (`*` for unknown). */
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  /** What the policy assumed or could not know, for a human to check. */
  readonly notes: readonly IamPolicyNote[];
}

/** One thing to check; `about` names what would settle it. */
export interface IamPolicyNote {
  readonly about: 'region' | 'account' | 'task-roles' | 'task-definitions' | 'instance-role' | 'launch-template' | 'idle-alarms' | 'auto-scaling';
  readonly text: string;
}

export function leastPrivilegePolicy(input: IamPolicyInput): IamPolicyDocument {
  return buildIamPolicy(input).policy;
}

/** The policy, plus notes on what it assumed (unknown region or account, guessed role names). */
export function buildIamPolicy(input: IamPolicyInput): IamPolicyResult {
  const notes: IamPolicyNote[] = [];
  const clusterArnParts = input.cluster.startsWith('arn:') ? parseArn(input.cluster) : undefined;
  const profileArnParts = input.instanceProfileArn?.startsWith('arn:') === true ? parseArn(input.instanceProfileArn) : undefined;
  const region = nonEmpty(input.region) ?? nonEmpty(clusterArnParts?.region) ?? ANY;
  const accountId = nonEmpty(input.accountId) ?? nonEmpty(clusterArnParts?.account) ?? nonEmpty(profileArnParts?.account) ?? ANY;
  const partition = clusterArnParts?.partition ?? partitionOf(region);
  if (region === ANY) notes.push({ about: 'region', text: 'region unknown: the ARNs use * for it, which allows every region' });
  if (accountId === ANY) notes.push({ about: 'account', text: 'account unknown: the ARNs use * for it, which allows every account' });

  const clusterName = clusterNameOf(input.cluster);
  const arn = (service: string, resource: string, options: { readonly region?: string; readonly account?: string } = {}): string =>
    `arn:${partition}:${service}:${options.region ?? region}:${options.account ?? accountId}:${resource}`;
  const ec2 = (resource: string): string => arn('ec2', resource);
  const ecs = (resource: string): string => arn('ecs', resource);
  const clusterArn = clusterArnParts !== undefined ? input.cluster : ecs(`cluster/${clusterName}`);
  const onThisCluster: IamCondition = { ArnEquals: { 'ecs:cluster': clusterArn } };

  const statements: IamPolicyStatement[] = [];
  const add = (sid: string, actions: readonly string[], resource: string | readonly string[], condition?: IamCondition): void => {
    statements.push({ Sid: sid, Effect: 'Allow', Action: actions, Resource: resource, ...(condition !== undefined && { Condition: condition }) });
  };

  // ---- EC2 ----
  // EC2 has no resource-level permissions for Describe*: the answer is filtered by tag instead.
  add('DescribeInstances', ['ec2:DescribeInstances'], ANY);
  const groups = input.autoScaling;
  if (groups === undefined) {
    add('LaunchOnlyTaggedInstancesAndVolumes', ['ec2:RunInstances'], [ec2('instance/*'), ec2('volume/*')], {
      StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE, [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName },
    });
    add('LaunchWithTheseResources', ['ec2:RunInstances'], launchResources(input, ec2, arn, notes));
  } else if (groups.createGroups) {
    // Auto Scaling launches with its own service-linked role; creating a group from a launch
    // template only checks that the caller could run it, in a request that carries no tags.
    add('RunInstancesCheckedWhenCreatingGroups', ['ec2:RunInstances'], [ec2('instance/*'), ec2('volume/*'), ...launchResources(input, ec2, arn, notes)]);
    notes.push({
      about: 'auto-scaling',
      text:
        'autoScaling: ec2:RunInstances is allowed without tag conditions, since Auto Scaling checks it without loadmaster\'s tags when a group is created; ' +
        'the daemon itself never calls RunInstances, and the groups tag what they launch',
    });
  }
  if (groups === undefined || groups.createGroups) {
    add('TagOnlyWhileLaunching', ['ec2:CreateTags'], [ec2('instance/*'), ec2('volume/*')], { StringEquals: { 'ec2:CreateAction': 'RunInstances' } });
  }
  // Also with groups: an instance outside any group (launched before autoScaling was on) is terminated directly.
  add('TerminateOnlyOwnInstances', ['ec2:TerminateInstances'], ec2('instance/*'), {
    StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE, [`aws:ResourceTag/${CLUSTER_TAG}`]: clusterName },
  });
  if (groups === undefined && input.launchTemplate !== true && input.imageId === undefined) {
    const parameters = [...Object.values(ECS_AMI_PARAMETERS), ECS_GPU_AMI_PARAMETER];
    // Public parameters belong to no account: their ARNs have an empty account field.
    add('ReadEcsAmiParameters', ['ssm:GetParameter'], parameters.map((name) => arn('ssm', `parameter${name}`, { account: '' })));
  }

  // ---- ECS: the one cluster ----
  add('EcsCluster', ['ecs:ListContainerInstances', 'ecs:DeregisterContainerInstance'], clusterArn);
  add('EcsContainerInstancesInCluster', ['ecs:DescribeContainerInstances', 'ecs:UpdateContainerInstancesState'], ecs(`container-instance/${clusterName}/*`), onThisCluster);
  // ListTasks names no container instance here; the cluster condition is what scopes it.
  add('EcsListTasksInCluster', ['ecs:ListTasks'], ANY, onThisCluster);
  add('EcsDescribeTasksInCluster', ['ecs:DescribeTasks'], ecs(`task/${clusterName}/*`), onThisCluster);
  const taskDefinitions = (input.taskDefinitions ?? []).map((definition) => taskDefinitionArn(definition, ecs));
  if (taskDefinitions.length === 0) notes.push({ about: 'task-definitions', text: 'no task definitions given: StartTask is allowed for every task definition in the account (still only in this cluster)' });
  add('EcsStartTasksInCluster', ['ecs:StartTask'], taskDefinitions.length > 0 ? unique(taskDefinitions) : ecs('task-definition/*'), {
    ...onThisCluster,
    StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE },
  });
  add('EcsTagOnlyWhileStarting', ['ecs:TagResource'], ecs(`task/${clusterName}/*`), { StringEquals: { 'ecs:CreateAction': 'StartTask' } });
  // Tasks past their algorithm's timeoutSeconds are stopped; only loadmaster's own.
  add('EcsStopOwnTasksInCluster', ['ecs:StopTask'], ecs(`task/${clusterName}/*`), { ...onThisCluster, StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE } });

  // ---- Auto Scaling: the groups of the name pattern, and only those tagged as loadmaster's ----
  if (groups !== undefined) {
    const groupArns = arn('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${autoScalingGroupName(groups.groupName, clusterName, '*')}`);
    const taggedAsOurs = { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE, [`aws:ResourceTag/${CLUSTER_TAG}`]: clusterName };
    // Auto Scaling has no resource-level permissions for Describe*.
    add('DescribeAutoScaling', ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances'], ANY);
    add('ScaleOnlyOwnGroups', ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'], groupArns, { StringEquals: taggedAsOurs });
    if (groups.createGroups) {
      // Creating a group with tags needs CreateOrUpdateTags too.
      add('CreateOnlyTaggedGroups', ['autoscaling:CreateAutoScalingGroup', 'autoscaling:CreateOrUpdateTags'], groupArns, {
        StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE, [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName },
      });
      add('SuspendRebalancingInOwnGroups', ['autoscaling:SuspendProcesses'], groupArns, { StringEquals: taggedAsOurs });
      // Auto Scaling launches with this service-linked role, created with the account's first group.
      add('CreateAutoScalingServiceLinkedRole', ['iam:CreateServiceLinkedRole'], `arn:${partition}:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*`, {
        StringEquals: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' },
      });
    }
  }

  // ---- SQS: the configured queues, each only for what is done with it ----
  const queueRegion = nonEmpty(input.queueRegion) ?? region;
  const queueArn = (url: string): string => sqsQueueArn(url, queueRegion);
  if (input.queueUrl !== undefined) {
    add('JobQueue', ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage'], queueArn(input.queueUrl));
  }
  if (input.deadLetterQueueUrl !== undefined) add('DeadLetterQueue', ['sqs:SendMessage'], queueArn(input.deadLetterQueueUrl));
  if (input.eventsQueueUrl !== undefined) add('EventsQueue', ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], queueArn(input.eventsQueueUrl));

  // ---- IAM: roles go only to the service that uses them ----
  const instanceRole = instanceRoleArn(input, partition, accountId, notes);
  if (instanceRole !== undefined) {
    add('PassInstanceRoleToEc2', ['iam:PassRole'], instanceRole, { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
  }
  const taskRoles = unique(input.taskRoleArns ?? []);
  if (taskRoles.length > 0) {
    add('PassTaskRolesToEcsTasks', ['iam:PassRole'], taskRoles, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  } else {
    notes.push({
      about: 'task-roles',
      text: 'no task roles given: StartTask fails for a task definition with a task role or execution role until iam:PassRole allows them',
    });
  }

  // ---- CloudWatch: idle alarms ----
  if (input.idleAlarms) {
    const alarms = arn('cloudwatch', `alarm:${IDLE_ALARM_PREFIX}*`);
    const taggedAsOurs = { [`aws:RequestTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE, [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName };
    add('PutIdleAlarmsThatOnlyTerminate', ['cloudwatch:PutMetricAlarm'], alarms, {
      // The terminate action or none: a loadmaster alarm cannot be made to do anything else.
      'ForAllValues:StringLike': { 'cloudwatch:AlarmActions': `arn:${partition}:automate:${region}:ec2:terminate` },
      StringEquals: taggedAsOurs,
    });
    // PutMetricAlarm with Tags needs TagResource too.
    add('TagIdleAlarms', ['cloudwatch:TagResource'], alarms, { StringEquals: taggedAsOurs });
    add('DeleteIdleAlarms', ['cloudwatch:DeleteAlarms'], alarms);
    // DescribeAlarms by name prefix is authorized on every alarm, not on the prefix; it only reads.
    add('DescribeAlarms', ['cloudwatch:DescribeAlarms'], arn('cloudwatch', 'alarm:*'));
    // CloudWatch carries out EC2 alarm actions with this service-linked role, created with the account's first such alarm.
    add('CreateCloudWatchEventsServiceLinkedRole', ['iam:CreateServiceLinkedRole'], `arn:${partition}:iam::${accountId}:role/aws-service-role/events.amazonaws.com/AWSServiceRoleForCloudWatchEvents*`, {
      StringEquals: { 'iam:AWSServiceName': 'events.amazonaws.com' },
    });
    notes.push({
      about: 'idle-alarms',
      text:
        'idle alarms: CloudWatch carries out the terminate action with its own service-linked role, not with these permissions, so the tag conditions on ' +
        'ec2:TerminateInstances do not bound an alarm; the policy limits alarm names, tags and actions, not which instance an alarm watches',
    });
  }

  return { policy: { Version: '2012-10-17', Statement: statements }, region, accountId, partition, notes };
}

/** The resources RunInstances touches besides the instance and its volumes, as narrowly as the settings allow. */
function launchResources(
  input: IamPolicyInput,
  ec2: (resource: string) => string,
  arn: (service: string, resource: string, options?: { readonly account?: string }) => string,
  notes: IamPolicyNote[],
): string[] {
  const subnets = input.subnetIds ?? [];
  const groups = input.securityGroupIds ?? [];
  const resources = [
    // AMIs belong to their owner, not to this account: image ARNs have an empty account field.
    input.imageId !== undefined ? arn('ec2', `image/${input.imageId}`, { account: '' }) : arn('ec2', 'image/*', { account: '' }),
    ...(subnets.length > 0 ? subnets.map((id) => ec2(`subnet/${id}`)) : [ec2('subnet/*')]),
    ...(groups.length > 0 ? groups.map((id) => ec2(`security-group/${id}`)) : [ec2('security-group/*')]),
    ec2('network-interface/*'),
  ];
  if (input.launchTemplate === true) {
    resources.push(ec2(`launch-template/${input.launchTemplateId ?? '*'}`));
    notes.push({
      about: 'launch-template',
      text: 'launch template: a template that names a key pair, placement group or capacity reservation needs those resources added to LaunchWithTheseResources',
    });
  }
  return unique(resources);
}

/** `family` → every revision, `family:3` → that one, an ARN as it is (every revision when it has none). */
function taskDefinitionArn(definition: string, ecs: (resource: string) => string): string {
  if (definition.startsWith('arn:')) return /:task-definition\/[^:]+$/.test(definition) ? `${definition}:*` : definition;
  return ecs(`task-definition/${definition.includes(':') ? definition : `${definition}:*`}`);
}

function instanceRoleArn(input: IamPolicyInput, partition: string, accountId: string, notes: IamPolicyNote[]): string | undefined {
  if (input.instanceRoleArn !== undefined) return input.instanceRoleArn;
  const profile = input.instanceProfileArn;
  if (profile === undefined) {
    notes.push({
      about: 'instance-role',
      text:
        input.launchTemplate === true
          ? 'no instance profile given: if the launch template sets one, allow iam:PassRole on its role (iam:PassedToService ec2.amazonaws.com)'
          : 'no instance profile given: instances launched without one cannot join the ECS cluster',
    });
    return undefined;
  }
  // A profile ARN may carry a path (instance-profile/path/name); the name is the last part.
  const name = profile.slice(profile.lastIndexOf('/') + 1);
  notes.push({ about: 'instance-role', text: `iam:PassRole assumes the instance profile's role is named "${name}", like the profile; give the role's ARN if it is not` });
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}

/**
 * The ARN of the queue behind an SQS queue URL: `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`
 * → `arn:aws:sqs:REGION:ACCOUNT:NAME`. Also the legacy hosts (`REGION.queue.amazonaws.com`,
 * `queue.amazonaws.com` for us-east-1), China and GovCloud, dual-stack and VPC endpoint
 * hosts; a host that names no region (a local emulator) takes `fallbackRegion`.
 */
export function sqsQueueArn(queueUrl: string, fallbackRegion = ANY): string {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    throw new Error(`not an SQS queue URL: ${JSON.stringify(queueUrl)} (expected https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)`);
  }
  const path = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)\/?$/.exec(url.pathname);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || path === null) {
    throw new Error(`not an SQS queue URL: ${JSON.stringify(queueUrl)} (expected https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)`);
  }
  const host = url.hostname.toLowerCase();
  const region = host === 'queue.amazonaws.com' ? 'us-east-1' : (host.split('.').find((label) => REGION.test(label)) ?? fallbackRegion);
  return `arn:${partitionOf(region)}:sqs:${region}:${path[1]}:${path[2]}`;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function parseArn(arn: string): { partition: string; region: string; account: string } | undefined {
  const [prefix, partition, , region, account] = arn.split(':');
  return prefix === 'arn' && partition !== undefined && region !== undefined && account !== undefined ? { partition, region, account } : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
