// The least-privilege policy: what every statement may do and on what, and the
// `loadmaster iam-policy` command around it.
import { describe, expect, it } from 'vitest';
import {
  buildIamPolicy,
  leastPrivilegePolicy,
  sqsQueueArn,
  type IamPolicyDocument,
  type IamPolicyInput,
  type IamPolicyStatement,
} from '../../src/adapters/aws/iam-policy.ts';
import { policyInputFromConfig, type IamPolicyConfig } from '../../src/cli/commands/iam-policy.ts';
import { runCli, writeTempFiles } from '../cli/cli-test-helpers.ts';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const CLUSTER = 'imaging';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
const queue = (name: string): string => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;

const FULL: IamPolicyInput = {
  region: REGION,
  accountId: ACCOUNT,
  cluster: CLUSTER,
  queueUrl: queue('loadmaster-jobs'),
  deadLetterQueueUrl: queue('loadmaster-dead'),
  eventsQueueUrl: queue('loadmaster-events'),
  instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/loadmaster-node`,
  taskRoleArns: [`arn:aws:iam::${ACCOUNT}:role/imaging-task`, `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`],
  taskDefinitions: ['segment-cells', 'detect-nuclei:7'],
  subnetIds: ['subnet-0a1', 'subnet-0b2'],
  securityGroupIds: ['sg-0c3'],
  idleAlarms: true,
};

/** Every action the adapters call that changes something, with the condition that fences it. */
const FENCED_ACTIONS: Readonly<Record<string, (statement: IamPolicyStatement) => boolean>> = {
  'ec2:CreateTags': (s) => s.Condition?.['StringEquals']?.['ec2:CreateAction'] === 'RunInstances',
  'ec2:TerminateInstances': (s) =>
    s.Condition?.['StringEquals']?.['aws:ResourceTag/loadmaster:managed-by'] === 'loadmaster' &&
    s.Condition['StringEquals']['aws:ResourceTag/loadmaster:cluster'] === CLUSTER,
  'ecs:StartTask': (s) => s.Condition?.['ArnEquals']?.['ecs:cluster'] === CLUSTER_ARN && s.Condition['StringEquals']?.['aws:RequestTag/loadmaster:managed-by'] === 'loadmaster',
  'ecs:TagResource': (s) => s.Condition?.['StringEquals']?.['ecs:CreateAction'] === 'StartTask',
  'ecs:StopTask': (s) => s.Condition?.['ArnEquals']?.['ecs:cluster'] === CLUSTER_ARN && s.Condition['StringEquals']?.['aws:ResourceTag/loadmaster:managed-by'] === 'loadmaster',
  'ecs:UpdateContainerInstancesState': (s) => s.Condition?.['ArnEquals']?.['ecs:cluster'] === CLUSTER_ARN,
  'iam:PassRole': (s) => typeof s.Condition?.['StringEquals']?.['iam:PassedToService'] === 'string',
  'cloudwatch:PutMetricAlarm': (s) =>
    s.Condition?.['ForAllValues:StringLike']?.['cloudwatch:AlarmActions'] === `arn:aws:automate:${REGION}:ec2:terminate` &&
    s.Condition['StringEquals']?.['aws:RequestTag/loadmaster:managed-by'] === 'loadmaster',
  'cloudwatch:TagResource': (s) => s.Condition?.['StringEquals']?.['aws:RequestTag/loadmaster:managed-by'] === 'loadmaster',
  'iam:CreateServiceLinkedRole': (s) => s.Condition?.['StringEquals']?.['iam:AWSServiceName'] === 'events.amazonaws.com',
};

/** Changes that AWS cannot condition on tags or the cluster key: fenced by the exact resource instead. */
const SCOPED_BY_RESOURCE: Readonly<Record<string, (resources: readonly string[]) => boolean>> = {
  'ecs:DeregisterContainerInstance': (r) => r.length === 1 && r[0] === CLUSTER_ARN,
  'cloudwatch:DeleteAlarms': (r) => r.every((arn) => arn === `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:loadmaster-idle-*`),
  'sqs:DeleteMessage': (r) => r.every((arn) => arn.startsWith(`arn:aws:sqs:${REGION}:${ACCOUNT}:loadmaster-`)),
  'sqs:ChangeMessageVisibility': (r) => r.every((arn) => arn.startsWith(`arn:aws:sqs:${REGION}:${ACCOUNT}:loadmaster-`)),
  'sqs:SendMessage': (r) => r.every((arn) => arn.startsWith(`arn:aws:sqs:${REGION}:${ACCOUNT}:loadmaster-`)),
};

function resourcesOf(statement: IamPolicyStatement): readonly string[] {
  return typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource;
}

function statementsWith(policy: IamPolicyDocument, action: string): IamPolicyStatement[] {
  return policy.Statement.filter((s) => s.Action.includes(action));
}

function statement(policy: IamPolicyDocument, sid: string): IamPolicyStatement {
  const found = policy.Statement.find((s) => s.Sid === sid);
  if (found === undefined) throw new Error(`no statement ${sid}`);
  return found;
}

describe('leastPrivilegePolicy', () => {
  const policy = leastPrivilegePolicy(FULL);

  it('is a 2012-10-17 document of Allow statements with unique alphanumeric Sids', () => {
    expect(policy.Version).toBe('2012-10-17');
    const sids = policy.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const s of policy.Statement) {
      expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
      expect(s.Effect).toBe('Allow');
      expect(s.Action.length).toBeGreaterThan(0);
    }
    // Survives the JSON round trip unchanged: nothing undefined, nothing that is not JSON.
    expect(JSON.parse(JSON.stringify(policy))).toEqual(policy);
  });

  it('grants exactly the calls the adapters make', () => {
    const actions = new Set(policy.Statement.flatMap((s) => s.Action));
    expect([...actions].sort()).toEqual(
      [
        'ec2:RunInstances',
        'ec2:CreateTags',
        'ec2:DescribeInstances',
        'ec2:TerminateInstances',
        'ecs:ListContainerInstances',
        'ecs:DescribeContainerInstances',
        'ecs:StartTask',
        'ecs:StopTask',
        'ecs:TagResource',
        'ecs:UpdateContainerInstancesState',
        'ecs:DeregisterContainerInstance',
        'ecs:ListTasks',
        'ecs:DescribeTasks',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
        'ssm:GetParameter',
        'iam:PassRole',
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:TagResource',
        'cloudwatch:DeleteAlarms',
        'cloudwatch:DescribeAlarms',
        'iam:CreateServiceLinkedRole',
      ].sort(),
    );
  });

  it('has no wildcard action', () => {
    for (const s of policy.Statement) {
      for (const action of s.Action) expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
    }
  });

  it('fences every mutating action with its tag, cluster or service condition', () => {
    for (const [action, isFenced] of Object.entries(FENCED_ACTIONS)) {
      const granting = statementsWith(policy, action);
      expect(granting, action).not.toHaveLength(0);
      for (const s of granting) expect(isFenced(s), `${action} in ${s.Sid}`).toBe(true);
    }
    for (const [action, isScoped] of Object.entries(SCOPED_BY_RESOURCE)) {
      const granting = statementsWith(policy, action);
      expect(granting, action).not.toHaveLength(0);
      for (const s of granting) expect(isScoped(resourcesOf(s)), `${action} in ${s.Sid}`).toBe(true);
    }
  });

  it('launches instances and volumes only with loadmaster tags; the unconditioned part names neither', () => {
    const launches = statementsWith(policy, 'ec2:RunInstances');
    expect(launches).toHaveLength(2);
    for (const s of launches) {
      const createsSomething = resourcesOf(s).some((arn) => /:(instance|volume)\//.test(arn));
      if (createsSomething) {
        expect(s.Condition).toEqual({
          StringEquals: { 'aws:RequestTag/loadmaster:managed-by': 'loadmaster', 'aws:RequestTag/loadmaster:cluster': CLUSTER },
        });
      } else {
        expect(s.Condition).toBeUndefined();
      }
    }
    expect(resourcesOf(statement(policy, 'LaunchWithTheseResources'))).toEqual([
      `arn:aws:ec2:${REGION}::image/*`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0a1`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0b2`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0c3`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`,
    ]);
  });

  it('uses * as a resource only where AWS has no resource-level permission, and pins ListTasks to the cluster', () => {
    const onEverything = policy.Statement.filter((s) => resourcesOf(s).includes('*'));
    expect(onEverything.map((s) => s.Action)).toEqual([['ec2:DescribeInstances'], ['ecs:ListTasks']]);
    expect(statement(policy, 'EcsListTasksInCluster').Condition).toEqual({ ArnEquals: { 'ecs:cluster': CLUSTER_ARN } });
  });

  it('scopes ECS calls to the cluster and StartTask to the configured task definitions', () => {
    expect(resourcesOf(statement(policy, 'EcsContainerInstancesInCluster'))).toEqual([`arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${CLUSTER}/*`]);
    expect(resourcesOf(statement(policy, 'EcsDescribeTasksInCluster'))).toEqual([`arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/*`]);
    expect(resourcesOf(statement(policy, 'EcsTagOnlyWhileStarting'))).toEqual([`arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/*`]);
    expect(resourcesOf(statement(policy, 'EcsStartTasksInCluster'))).toEqual([
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/segment-cells:*`,
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/detect-nuclei:7`,
    ]);
  });

  it('gives each queue only what is done with it, on the ARN derived from its URL', () => {
    expect(statement(policy, 'JobQueue')).toMatchObject({
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage'],
      Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:loadmaster-jobs`,
    });
    expect(statement(policy, 'DeadLetterQueue')).toMatchObject({ Action: ['sqs:SendMessage'], Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:loadmaster-dead` });
    expect(statement(policy, 'EventsQueue')).toMatchObject({
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
      Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:loadmaster-events`,
    });
  });

  it('passes the instance role only to EC2 and the task roles only to ECS tasks, never any role', () => {
    const passes = statementsWith(policy, 'iam:PassRole');
    expect(passes.map((s) => [resourcesOf(s), s.Condition])).toEqual([
      [[`arn:aws:iam::${ACCOUNT}:role/loadmaster-node`], { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }],
      [FULL.taskRoleArns, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }],
    ]);
    for (const s of passes) for (const arn of resourcesOf(s)) expect(arn).not.toContain('*');
  });

  it('takes the instance role as given instead of guessing it from the profile', () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/nodes/ecs-instance-role`;
    const result = buildIamPolicy({ ...FULL, instanceRoleArn: role });
    expect(statement(result.policy, 'PassInstanceRoleToEc2').Resource).toBe(role);
    expect(result.notes.map((n) => n.about)).not.toContain('instance-role');
  });

  it('has the alarm statements only with idle alarms, limited to loadmaster-idle- alarms that can only terminate', () => {
    const alarmActions = (p: IamPolicyDocument): string[] => p.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith('cloudwatch:') || a === 'iam:CreateServiceLinkedRole');
    expect(alarmActions(leastPrivilegePolicy({ ...FULL, idleAlarms: false }))).toEqual([]);
    expect(alarmActions(policy).sort()).toEqual([
      'cloudwatch:DeleteAlarms',
      'cloudwatch:DescribeAlarms',
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:TagResource',
      'iam:CreateServiceLinkedRole',
    ]);
    const alarms = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:loadmaster-idle-*`;
    for (const sid of ['PutIdleAlarmsThatOnlyTerminate', 'TagIdleAlarms', 'DeleteIdleAlarms']) expect(statement(policy, sid).Resource).toBe(alarms);
    expect(statement(policy, 'DescribeAlarms').Resource).toBe(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*`);
    expect(statement(policy, 'CreateCloudWatchEventsServiceLinkedRole').Resource).toBe(
      `arn:aws:iam::${ACCOUNT}:role/aws-service-role/events.amazonaws.com/AWSServiceRoleForCloudWatchEvents*`,
    );
  });

  it('reads the public ECS AMI parameters only when it must look the AMI up', () => {
    expect(resourcesOf(statement(policy, 'ReadEcsAmiParameters'))).toEqual([
      `arn:aws:ssm:${REGION}::parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id`,
      `arn:aws:ssm:${REGION}::parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id`,
      `arn:aws:ssm:${REGION}::parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id`,
    ]);
    const fixedAmi = leastPrivilegePolicy({ ...FULL, imageId: 'ami-0123' });
    expect(statementsWith(fixedAmi, 'ssm:GetParameter')).toEqual([]);
    expect(resourcesOf(statement(fixedAmi, 'LaunchWithTheseResources'))[0]).toBe(`arn:aws:ec2:${REGION}::image/ami-0123`);
    const template = leastPrivilegePolicy({ ...FULL, launchTemplate: true, launchTemplateId: 'lt-0abc' });
    expect(statementsWith(template, 'ssm:GetParameter')).toEqual([]);
    expect(resourcesOf(statement(template, 'LaunchWithTheseResources'))).toContain(`arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0abc`);
  });

  it('uses * for an unknown region and account and says so', () => {
    const result = buildIamPolicy({ cluster: CLUSTER, idleAlarms: true });
    expect(result).toMatchObject({ region: '*', accountId: '*', partition: 'aws' });
    expect(result.notes.map((n) => n.about)).toEqual(expect.arrayContaining(['region', 'account', 'task-roles', 'task-definitions']));
    expect(statement(result.policy, 'EcsCluster').Resource).toBe('arn:aws:ecs:*:*:cluster/imaging');
    expect(statement(result.policy, 'EcsStartTasksInCluster').Resource).toBe('arn:aws:ecs:*:*:task-definition/*');
    expect(statement(result.policy, 'PutIdleAlarmsThatOnlyTerminate').Condition).toEqual({
      'ForAllValues:StringLike': { 'cloudwatch:AlarmActions': 'arn:aws:automate:*:ec2:terminate' },
      StringEquals: { 'aws:RequestTag/loadmaster:managed-by': 'loadmaster', 'aws:RequestTag/loadmaster:cluster': CLUSTER },
    });
    expect(statementsWith(result.policy, 'iam:PassRole')).toEqual([]);
    expect(statementsWith(result.policy, 'sqs:ReceiveMessage')).toEqual([]);
  });

  it('takes region and account from a cluster ARN', () => {
    const result = buildIamPolicy({ cluster: 'arn:aws-cn:ecs:cn-north-1:210987654321:cluster/imaging', idleAlarms: false });
    expect(result).toMatchObject({ region: 'cn-north-1', accountId: '210987654321', partition: 'aws-cn', notes: expect.not.arrayContaining([expect.objectContaining({ about: 'region' })]) });
    expect(statement(result.policy, 'TerminateOnlyOwnInstances').Resource).toBe('arn:aws-cn:ec2:cn-north-1:210987654321:instance/*');
    expect(statement(result.policy, 'EcsListTasksInCluster').Condition).toEqual({ ArnEquals: { 'ecs:cluster': 'arn:aws-cn:ecs:cn-north-1:210987654321:cluster/imaging' } });
  });
});

describe('leastPrivilegePolicy with Auto Scaling groups', () => {
  const GROUP_ARNS = `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/loadmaster-${CLUSTER}-*`;
  const OWN_GROUPS = { StringEquals: { 'aws:ResourceTag/loadmaster:managed-by': 'loadmaster', 'aws:ResourceTag/loadmaster:cluster': CLUSTER } };
  const asg: IamPolicyInput = {
    ...FULL,
    instanceProfileArn: undefined,
    launchTemplate: true,
    launchTemplateId: 'lt-0abc',
    idleAlarms: false,
    autoScaling: { groupName: 'loadmaster-{cluster}-{type}', createGroups: true },
  };
  const actions = (p: IamPolicyDocument): string[] => [...new Set(p.Statement.flatMap((s) => s.Action))].sort();

  it('scales and takes instances out of its own groups only: the name pattern and the ownership tags', () => {
    const policy = leastPrivilegePolicy(asg);
    expect(statement(policy, 'ScaleOnlyOwnGroups')).toEqual({
      Sid: 'ScaleOnlyOwnGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: GROUP_ARNS,
      Condition: OWN_GROUPS,
    });
    expect(statement(policy, 'SuspendRebalancingInOwnGroups')).toMatchObject({ Action: ['autoscaling:SuspendProcesses'], Resource: GROUP_ARNS, Condition: OWN_GROUPS });
    expect(statement(policy, 'CreateOnlyTaggedGroups')).toMatchObject({
      Action: ['autoscaling:CreateAutoScalingGroup', 'autoscaling:CreateOrUpdateTags'],
      Resource: GROUP_ARNS,
      Condition: { StringEquals: { 'aws:RequestTag/loadmaster:managed-by': 'loadmaster', 'aws:RequestTag/loadmaster:cluster': CLUSTER } },
    });
    expect(statement(policy, 'DescribeAutoScaling')).toMatchObject({ Action: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances'], Resource: '*' });
    expect(statement(policy, 'CreateAutoScalingServiceLinkedRole')).toMatchObject({
      Resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*`,
      Condition: { StringEquals: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' } },
    });
  });

  it('replaces the daemon\'s own RunInstances by the check Auto Scaling makes when creating a group, and says why it has no tag condition', () => {
    const result = buildIamPolicy(asg);
    expect(statementsWith(result.policy, 'ec2:RunInstances').map((s) => s.Sid)).toEqual(['RunInstancesCheckedWhenCreatingGroups']);
    const check = statement(result.policy, 'RunInstancesCheckedWhenCreatingGroups');
    expect(check.Condition).toBeUndefined();
    expect(resourcesOf(check)).toEqual([
      `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/*`,
      `arn:aws:ec2:${REGION}::image/*`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0a1`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0b2`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0c3`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0abc`,
    ]);
    expect(result.notes.filter((n) => n.about === 'auto-scaling').map((n) => n.text)).toEqual([expect.stringContaining('without tag conditions')]);
    // Terminating an instance outside any group stays tag-fenced.
    expect(statement(result.policy, 'TerminateOnlyOwnInstances').Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/loadmaster:managed-by': 'loadmaster', 'aws:ResourceTag/loadmaster:cluster': CLUSTER },
    });
  });

  it('with groups that already exist, only describes, scales and terminates: no RunInstances, no group creation', () => {
    const policy = leastPrivilegePolicy({ ...asg, autoScaling: { groupName: 'batch-{type}', createGroups: false } });
    const granted = actions(policy);
    for (const absent of ['ec2:RunInstances', 'ec2:CreateTags', 'autoscaling:CreateAutoScalingGroup', 'autoscaling:CreateOrUpdateTags', 'autoscaling:SuspendProcesses', 'iam:CreateServiceLinkedRole']) {
      expect(granted, absent).not.toContain(absent);
    }
    expect(statement(policy, 'ScaleOnlyOwnGroups').Resource).toBe(`arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/batch-*`);
  });

  it('has no Auto Scaling action without autoScaling', () => {
    expect(actions(leastPrivilegePolicy(FULL)).filter((a) => a.startsWith('autoscaling:'))).toEqual([]);
  });
});

describe('sqsQueueArn', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/jobs', 'arn:aws:sqs:eu-west-1:123456789012:jobs'],
    ['https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo', 'arn:aws:sqs:us-east-1:123456789012:jobs.fifo'],
    ['https://ap-southeast-2.queue.amazonaws.com/123456789012/jobs', 'arn:aws:sqs:ap-southeast-2:123456789012:jobs'],
    ['https://queue.amazonaws.com/123456789012/jobs', 'arn:aws:sqs:us-east-1:123456789012:jobs'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs', 'arn:aws-cn:sqs:cn-north-1:123456789012:jobs'],
    ['https://sqs.us-gov-west-1.amazonaws.com/123456789012/jobs', 'arn:aws-us-gov:sqs:us-gov-west-1:123456789012:jobs'],
    ['https://sqs.eu-central-1.api.aws/123456789012/jobs', 'arn:aws:sqs:eu-central-1:123456789012:jobs'],
    ['https://vpce-0a1b2c3d4e5f-12345678.sqs.eu-west-1.vpce.amazonaws.com/123456789012/jobs', 'arn:aws:sqs:eu-west-1:123456789012:jobs'],
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/jobs/', 'arn:aws:sqs:eu-west-1:123456789012:jobs'],
  ])('%s → %s', (url, arn) => {
    expect(sqsQueueArn(url)).toBe(arn);
  });

  it('takes the fallback region for a host that names none (a local emulator), else *', () => {
    expect(sqsQueueArn('http://localhost:4566/000000000000/jobs', 'eu-west-1')).toBe('arn:aws:sqs:eu-west-1:000000000000:jobs');
    expect(sqsQueueArn('http://localhost:4566/000000000000/jobs')).toBe('arn:aws:sqs:*:000000000000:jobs');
  });

  it.each(['jobs', 'https://sqs.eu-west-1.amazonaws.com/jobs', 'https://sqs.eu-west-1.amazonaws.com/1234/jobs', 'ftp://sqs.eu-west-1.amazonaws.com/123456789012/jobs'])(
    'refuses %s',
    (url) => {
      expect(() => sqsQueueArn(url)).toThrow(/not an SQS queue URL/);
    },
  );
});

// ---- the command ----

const SUBNET = 'subnet-0a1b2c3d4e5f60718';
const PROFILE = `arn:aws:iam::${ACCOUNT}:instance-profile/loadmaster-node`;

const AWS_FIXTURE: IamPolicyConfig = {
  algorithms: { segment: {}, thumbs: {} },
  cloud: {
    kind: 'aws',
    aws: {
      region: REGION,
      cluster: CLUSTER,
      eventsQueueUrl: queue('loadmaster-events'),
      imageId: 'ami-0123456789abcdef0',
      subnetIds: [SUBNET],
      instanceProfileArn: PROFILE,
      taskDefinitions: { segment: 'segment-cells:3' },
      idleAlarm: { enabled: false },
    },
  },
  queue: { kind: 'sqs', sqs: { queueUrl: queue('loadmaster-jobs'), deadLetterQueueUrl: queue('loadmaster-dead') } },
};

const SIM_CONFIG = `
algorithms:
  segment: { image: x, resources: { cpu: 1024, memoryMiB: 2048 } }
`;

function awsConfig(extraAws = ''): string {
  return `
algorithms:
  segment: { image: x, resources: { cpu: 1024, memoryMiB: 2048 } }
  thumbs: { image: y, resources: { cpu: 256, memoryMiB: 512 } }
cloud:
  kind: aws
  aws:
    region: ${REGION}
    cluster: ${CLUSTER}
    subnetIds: [${SUBNET}]
    instanceProfileArn: ${PROFILE}
    taskDefinitions: { segment: segment-cells:3 }
${extraAws}
queue:
  kind: sqs
  sqs:
    queueUrl: ${queue('loadmaster-jobs')}
    deadLetterQueueUrl: ${queue('loadmaster-dead')}
`;
}

describe('policyInputFromConfig', () => {
  it('maps cloud.aws and queue.sqs to the policy input, flags over config', () => {
    expect(policyInputFromConfig(AWS_FIXTURE, { accountId: ACCOUNT, taskRoleArn: [`arn:aws:iam::${ACCOUNT}:role/t`] })).toEqual({
      cluster: CLUSTER,
      idleAlarms: false,
      launchTemplate: false,
      // thumbs has no task definition configured: the daemon runs loadmaster-thumbs.
      taskDefinitions: ['segment-cells:3', 'loadmaster-thumbs'],
      region: REGION,
      accountId: ACCOUNT,
      queueRegion: REGION,
      queueUrl: queue('loadmaster-jobs'),
      deadLetterQueueUrl: queue('loadmaster-dead'),
      eventsQueueUrl: queue('loadmaster-events'),
      imageId: 'ami-0123456789abcdef0',
      subnetIds: [SUBNET],
      instanceProfileArn: PROFILE,
      taskRoleArns: [`arn:aws:iam::${ACCOUNT}:role/t`],
    });
    expect(policyInputFromConfig(AWS_FIXTURE, { region: 'us-east-2' })?.region).toBe('us-east-2');
  });

  it('passes autoScaling on only when it is enabled', () => {
    const withGroups = (enabled: boolean): IamPolicyConfig => ({
      ...AWS_FIXTURE,
      cloud: { kind: 'aws', aws: { ...AWS_FIXTURE.cloud.aws!, autoScaling: { enabled, groupName: 'lm-{type}', createGroups: false } } },
    });
    expect(policyInputFromConfig(withGroups(true))?.autoScaling).toEqual({ groupName: 'lm-{type}', createGroups: false });
    expect(policyInputFromConfig(withGroups(false))).not.toHaveProperty('autoScaling');
  });

  it('has no input for another cloud, and no queue statements for the memory queue', () => {
    expect(policyInputFromConfig({ algorithms: {}, cloud: { kind: 'sim' }, queue: { kind: 'memory' } })).toBeUndefined();
    const input = policyInputFromConfig({ ...AWS_FIXTURE, queue: { kind: 'memory' } });
    expect(input).toBeDefined();
    expect(statementsWith(leastPrivilegePolicy(input!), 'sqs:SendMessage')).toEqual([]);
  });
});

describe('loadmaster iam-policy', () => {
  it('prints the policy as 2-space JSON on stdout and the notes on stderr', async () => {
    const { aws } = await writeTempFiles({ aws: awsConfig() });
    const run = await runCli('iam-policy', '--config', aws!, '--account-id', ACCOUNT);
    expect(run.code).toBe(0);
    const policy: IamPolicyDocument = JSON.parse(run.stdout);
    expect(run.stdout).toBe(`${JSON.stringify(policy, null, 2)}\n`);
    expect(statement(policy, 'JobQueue').Resource).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:loadmaster-jobs`);
    expect(statement(policy, 'DeadLetterQueue').Resource).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:loadmaster-dead`);
    expect(statement(policy, 'EcsStartTasksInCluster').Resource).toEqual([
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/segment-cells:3`,
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/loadmaster-thumbs:*`,
    ]);
    expect(statement(policy, 'TerminateOnlyOwnInstances').Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/loadmaster:managed-by': 'loadmaster', 'aws:ResourceTag/loadmaster:cluster': CLUSTER },
    });
    // Idle alarms are on by default.
    expect(statementsWith(policy, 'cloudwatch:PutMetricAlarm')).toHaveLength(1);
    expect(run.stderr).toContain('note: no task roles given');
    expect(run.stderr).toContain('(pass --task-role-arn for each)');
    expect(run.stderr).not.toContain('account unknown');
  });

  it('leaves the alarms out when they are off, and takes the task roles from the flags', async () => {
    const { aws } = await writeTempFiles({ aws: awsConfig('    idleAlarm: { enabled: false }') });
    const role = `arn:aws:iam::${ACCOUNT}:role/imaging-task`;
    const execution = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
    const run = await runCli('iam-policy', '--config', aws!, '--task-role-arn', role, execution);
    expect(run.code).toBe(0);
    const policy: IamPolicyDocument = JSON.parse(run.stdout);
    expect(policy.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith('cloudwatch:'))).toEqual([]);
    expect(statement(policy, 'PassTaskRolesToEcsTasks').Resource).toEqual([role, execution]);
    expect(run.stderr).not.toContain('no task roles');
  });

  it('prints the Auto Scaling statements for a config with autoScaling', async () => {
    const config = `
algorithms:
  segment: { image: x, resources: { cpu: 1024, memoryMiB: 2048 } }
cloud:
  kind: aws
  aws:
    region: ${REGION}
    cluster: ${CLUSTER}
    subnetIds: [${SUBNET}]
    launchTemplate: { id: lt-0abc123def4567890 }
    autoScaling: { groupName: "lm-{cluster}-{type}" }
`;
    const { aws } = await writeTempFiles({ aws: config });
    const run = await runCli('iam-policy', '--config', aws!, '--account-id', ACCOUNT);
    expect(run.code).toBe(0);
    const policy: IamPolicyDocument = JSON.parse(run.stdout);
    expect(statement(policy, 'ScaleOnlyOwnGroups').Resource).toBe(`arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/lm-${CLUSTER}-*`);
    // Idle alarms default to off with autoScaling.
    expect(statementsWith(policy, 'cloudwatch:PutMetricAlarm')).toEqual([]);
    expect(run.stderr).toContain('note: autoScaling: ec2:RunInstances is allowed without tag conditions');
  });

  it('says which flag settles an unknown account', async () => {
    // A profile given by name: no ARN to read the account from.
    const { aws } = await writeTempFiles({ aws: awsConfig().replace(PROFILE, 'loadmaster-node') });
    const run = await runCli('iam-policy', '--config', aws!);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('note: account unknown: the ARNs use * for it, which allows every account (pass --account-id)');
    expect(statement(JSON.parse(run.stdout), 'PassInstanceRoleToEc2').Resource).toBe('arn:aws:iam::*:role/loadmaster-node');
  });

  it('refuses a config whose cloud is not aws, with exit code 2', async () => {
    const { sim } = await writeTempFiles({ sim: SIM_CONFIG });
    const run = await runCli('iam-policy', '--config', sim!);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `${sim}: cloud.kind: the IAM policy is for loadmaster on AWS (cloud.kind "aws" with a cloud.aws section), got cloud.kind "sim"\n`,
    });
  });

  it('refuses a malformed --account-id or role ARN before reading the config', async () => {
    const badAccount = await runCli('iam-policy', '--config', '/nonexistent/loadmaster.yaml', '--account-id', '1234');
    expect(badAccount).toEqual({ code: 2, stdout: '', stderr: '--account-id: expected 12 digits, got "1234"\n' });
    const badRole = await runCli('iam-policy', '--config', '/nonexistent/loadmaster.yaml', '--task-role-arn', 'imaging-task');
    expect(badRole).toEqual({ code: 2, stdout: '', stderr: '--task-role-arn: expected a role ARN (arn:aws:iam::ACCOUNT:role/NAME), got "imaging-task"\n' });
  });

  it('reports an unreadable or invalid config like every other command', async () => {
    const missing = await runCli('iam-policy', '--config', '/nonexistent/loadmaster.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^\/nonexistent\/loadmaster\.yaml: /);
    const { bad } = await writeTempFiles({ bad: awsConfig().replace(`cluster: ${CLUSTER}`, '') });
    const invalid = await runCli('iam-policy', '--config', bad!);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`${bad}: cloud.aws.cluster: missing`);
  });
});
