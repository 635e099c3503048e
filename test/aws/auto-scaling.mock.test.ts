// AwsCloud in Auto Scaling group mode against mocked SDK clients: the exact requests it
// sends to create, scale and shrink the groups, and what it refuses. The groups are a small
// fake behind the mock: SetDesiredCapacity adds instances that the group names after a
// given number of looks, as real groups name them a few seconds after the raise.
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  type AutoScalingGroup,
  type CreateAutoScalingGroupCommandInput,
  type TagDescription,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DeregisterContainerInstanceCommand, DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { autoScalingGroupName, createGroupRequest, groupOwnershipProblem, newInstancesOf } from '../../src/adapters/aws/auto-scaling.ts';
import { AwsCloud, type AwsCloudOptions } from '../../src/adapters/aws/aws-cloud.ts';

const CLUSTER = 'imaging';
const TYPE = 'm6i.xlarge';
const GROUP = `loadmaster-${CLUSTER}-${TYPE}`;
const OWNED: TagDescription[] = [
  { Key: 'loadmaster:managed-by', Value: 'loadmaster', PropagateAtLaunch: true },
  { Key: 'loadmaster:cluster', Value: CLUSTER, PropagateAtLaunch: true },
];

const ecs = new ECSClient({ region: 'eu-west-1' });
const ec2 = new EC2Client({ region: 'eu-west-1' });
const autoscaling = new AutoScalingClient({ region: 'eu-west-1' });
const ecsMock = mockClient(ecs);
const ec2Mock = mockClient(ec2);
const asgMock = mockClient(autoscaling);

beforeEach(() => {
  ecsMock.reset();
  ec2Mock.reset();
  asgMock.reset();
});

function cloud(overrides: Partial<AwsCloudOptions> = {}, autoScaling: Partial<NonNullable<AwsCloudOptions['autoScaling']>> = {}): AwsCloud {
  return new AwsCloud({
    ecs,
    ec2,
    cluster: CLUSTER,
    launch: { launchTemplate: { id: 'lt-0abc', version: '3' }, subnetIds: ['subnet-a', 'subnet-b'] },
    taskDefinitionOf: (algorithm) => `lm-${algorithm}`,
    extraTags: { team: 'imaging' },
    autoScaling: { client: autoscaling, groupName: 'loadmaster-{cluster}-{type}', createGroups: true, maxSize: 10, waitForInstancesMs: 200, pollIntervalMs: 1, ...autoScaling },
    ...overrides,
  });
}

interface FakeInstance {
  readonly InstanceId: string;
  readonly InstanceType: string;
  LifecycleState: 'Pending' | 'InService' | 'Terminating';
  /** Named by DescribeAutoScalingGroups only after this many more looks. */
  hiddenFor: number;
}

interface FakeGroup {
  readonly name: string;
  desired: number;
  readonly max: number;
  readonly tags: TagDescription[];
  readonly instances: FakeInstance[];
}

let nextInstance = 0;

/** Auto Scaling behind the mock: these groups, new instances named after `namedAfterLooks` looks. */
function fakeAutoScaling(groups: FakeGroup[], namedAfterLooks = 0): FakeGroup[] {
  const view = (g: FakeGroup): AutoScalingGroup =>
    ({
      AutoScalingGroupName: g.name,
      DesiredCapacity: g.desired,
      MaxSize: g.max,
      MinSize: 0,
      Tags: g.tags,
      Instances: g.instances.filter((i) => i.hiddenFor-- <= 0).map(({ InstanceId, InstanceType, LifecycleState }) => ({ InstanceId, InstanceType, LifecycleState })),
    }) as AutoScalingGroup;
  asgMock.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames: string[] }) => ({
    AutoScalingGroups: groups.filter((g) => input.AutoScalingGroupNames.includes(g.name)).map(view),
  }));
  asgMock.on(CreateAutoScalingGroupCommand).callsFake((input: CreateAutoScalingGroupCommandInput) => {
    groups.push({ name: input.AutoScalingGroupName!, desired: 0, max: input.MaxSize!, tags: input.Tags ?? [], instances: [] });
    return {};
  });
  asgMock.on(SuspendProcessesCommand).resolves({});
  asgMock.on(SetDesiredCapacityCommand).callsFake((input: { AutoScalingGroupName: string; DesiredCapacity: number }) => {
    const group = groups.find((g) => g.name === input.AutoScalingGroupName)!;
    group.desired = input.DesiredCapacity;
    while (group.instances.filter((i) => i.LifecycleState !== 'Terminating').length < group.desired) {
      group.instances.push({ InstanceId: `i-asg${String(++nextInstance).padStart(13, '0')}`, InstanceType: TYPE, LifecycleState: 'Pending', hiddenFor: namedAfterLooks });
    }
    return {};
  });
  asgMock.on(DescribeAutoScalingInstancesCommand).callsFake((input: { InstanceIds: string[] }) => ({
    AutoScalingInstances: groups.flatMap((g) =>
      g.instances.filter((i) => input.InstanceIds.includes(i.InstanceId)).map((i) => ({ InstanceId: i.InstanceId, AutoScalingGroupName: g.name, LifecycleState: i.LifecycleState })),
    ),
  }));
  asgMock.on(TerminateInstanceInAutoScalingGroupCommand).callsFake((input: { InstanceId: string }) => {
    const group = groups.find((g) => g.instances.some((i) => i.InstanceId === input.InstanceId))!;
    group.instances.find((i) => i.InstanceId === input.InstanceId)!.LifecycleState = 'Terminating';
    group.desired -= 1;
    return {};
  });
  return groups;
}

function group(desired: number, extra: Partial<FakeGroup> = {}): FakeGroup {
  return {
    name: GROUP,
    desired,
    max: 10,
    tags: OWNED,
    instances: Array.from({ length: desired }, (_, i) => ({ InstanceId: `i-old${i}`, InstanceType: TYPE, LifecycleState: 'InService' as const, hiddenFor: 0 })),
    ...extra,
  };
}

describe('Auto Scaling group mode: launch', () => {
  it('creates the missing group from the launch template, tagged and propagated, then raises it and returns its new instances', async () => {
    const groups = fakeAutoScaling([]);
    const before = Date.now();
    const launched = await cloud().launch(TYPE, 2, 'lm-1-1');

    expect(launched.map((i) => [i.type, i.state])).toEqual([
      [TYPE, 'pending'],
      [TYPE, 'pending'],
    ]);
    expect(launched.map((i) => i.instanceId)).toEqual(groups[0]!.instances.map((i) => i.InstanceId));
    expect(launched[0]!.launchedAt).toBeGreaterThanOrEqual(before);
    expect(asgMock.commandCalls(CreateAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([
      {
        AutoScalingGroupName: GROUP,
        MinSize: 0,
        MaxSize: 10,
        DesiredCapacity: 0,
        VPCZoneIdentifier: 'subnet-a,subnet-b',
        MixedInstancesPolicy: {
          LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0abc', Version: '3' }, Overrides: [{ InstanceType: TYPE }] },
        },
        NewInstancesProtectedFromScaleIn: true,
        Tags: [
          { Key: 'team', Value: 'imaging', PropagateAtLaunch: true, ResourceId: GROUP, ResourceType: 'auto-scaling-group' },
          { Key: 'loadmaster:managed-by', Value: 'loadmaster', PropagateAtLaunch: true, ResourceId: GROUP, ResourceType: 'auto-scaling-group' },
          { Key: 'loadmaster:cluster', Value: CLUSTER, PropagateAtLaunch: true, ResourceId: GROUP, ResourceType: 'auto-scaling-group' },
        ],
      },
    ]);
    expect(asgMock.commandCalls(SuspendProcessesCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: GROUP, ScalingProcesses: ['AZRebalance'] }]);
    expect(asgMock.commandCalls(SetDesiredCapacityCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: GROUP, DesiredCapacity: 2, HonorCooldown: false }]);
    // Never RunInstances, nor TerminateInstances, in this mode.
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });

  it('raises an existing group by n from its desired capacity, and returns only the instances it did not have', async () => {
    fakeAutoScaling([group(3)]);
    const launched = await cloud().launch(TYPE, 2, 'lm-2-1');
    expect(asgMock.commandCalls(CreateAutoScalingGroupCommand)).toHaveLength(0);
    expect(asgMock.commandCalls(SetDesiredCapacityCommand).map((c) => c.args[0].input.DesiredCapacity)).toEqual([5]);
    expect(launched).toHaveLength(2);
    expect(launched.every((i) => !i.instanceId.startsWith('i-old'))).toBe(true);
  });

  it('looks again until the group names its new instances', async () => {
    fakeAutoScaling([group(0)], 3);
    const launched = await cloud().launch(TYPE, 1, 'lm-3-1');
    expect(launched).toHaveLength(1);
    // One look before the raise, then until the instance shows.
    expect(asgMock.commandCalls(DescribeAutoScalingGroupsCommand).length).toBeGreaterThanOrEqual(5);
  });

  it('returns what the group named in time, fewer than asked, leaving the rest to describe()', async () => {
    fakeAutoScaling([group(0)], 1_000_000);
    const launched = await cloud({}, { waitForInstancesMs: 20 }).launch(TYPE, 2, 'lm-4-1');
    expect(launched).toEqual([]);
    expect(asgMock.commandCalls(SetDesiredCapacityCommand).map((c) => c.args[0].input.DesiredCapacity)).toEqual([2]);
  });

  it('answers a repeated client token from memory, without raising the group again', async () => {
    fakeAutoScaling([group(0)]);
    const aws = cloud();
    const first = await aws.launch(TYPE, 1, 'lm-5-1');
    expect(await aws.launch(TYPE, 1, 'lm-5-1')).toEqual(first);
    expect(asgMock.commandCalls(SetDesiredCapacityCommand)).toHaveLength(1);
  });

  it('raises one group one launch at a time, so concurrent launches add up', async () => {
    fakeAutoScaling([group(1)]);
    const aws = cloud();
    const [a, b] = await Promise.all([aws.launch(TYPE, 1, 'lm-6-1'), aws.launch(TYPE, 2, 'lm-6-2')]);
    expect(asgMock.commandCalls(SetDesiredCapacityCommand).map((c) => c.args[0].input.DesiredCapacity)).toEqual([2, 4]);
    expect(new Set([...a, ...b].map((i) => i.instanceId)).size).toBe(3);
  });

  it('stays within MaxSize: raises by the room left, and answers insufficient-capacity when there is none', async () => {
    fakeAutoScaling([group(8)]);
    const aws = cloud();
    expect(await aws.launch(TYPE, 5, 'lm-7-1')).toHaveLength(2);
    expect(asgMock.commandCalls(SetDesiredCapacityCommand).map((c) => c.args[0].input.DesiredCapacity)).toEqual([10]);
    await expect(aws.launch(TYPE, 1, 'lm-7-2')).rejects.toMatchObject({
      code: 'insufficient-capacity',
      message: `launch: Auto Scaling group "${GROUP}" is at its MaxSize (10); expected room for 1 more ${TYPE} (raise the group's MaxSize, or cap the type with policy.typeLimits)`,
    });
    expect(asgMock.commandCalls(SetDesiredCapacityCommand)).toHaveLength(1);
  });

  it.each([
    ['no tags', [], 'not tagged loadmaster:managed-by=loadmaster'],
    ['another cluster', [OWNED[0]!, { Key: 'loadmaster:cluster', Value: 'other', PropagateAtLaunch: true }], 'not tagged loadmaster:cluster=imaging (it has "other")'],
    ['tags not propagated', [OWNED[0]!, { ...OWNED[1]!, PropagateAtLaunch: false }], 'its tag loadmaster:cluster is not propagated at launch'],
  ])('never scales a group with %s', async (_, tags, problem) => {
    fakeAutoScaling([group(0, { tags })]);
    await expect(cloud().launch(TYPE, 1, 'lm-8-1')).rejects.toMatchObject({
      code: 'unsupported-type',
      message: `launch: Auto Scaling group "${GROUP}" is ${problem}; loadmaster only scales groups tagged as its own`,
    });
    expect(asgMock.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
  });

  it('with createGroups off, answers unsupported-type for a type without a group and creates nothing', async () => {
    fakeAutoScaling([]);
    await expect(cloud({}, { createGroups: false }).launch(TYPE, 1, 'lm-9-1')).rejects.toMatchObject({
      code: 'unsupported-type',
      message: `launch: there is no Auto Scaling group "${GROUP}" for ${TYPE}; expected one tagged as loadmaster's (autoScaling.createGroups is off)`,
    });
    expect(asgMock.commandCalls(CreateAutoScalingGroupCommand)).toHaveLength(0);
  });

  it('uses a group another process created meanwhile', async () => {
    const groups = fakeAutoScaling([]);
    asgMock.on(CreateAutoScalingGroupCommand).callsFake(() => {
      groups.push(group(0));
      throw Object.assign(new Error(`AutoScalingGroup by this name already exists - A group with the name ${GROUP} already exists`), { name: 'AlreadyExistsFault' });
    });
    expect(await cloud().launch(TYPE, 1, 'lm-10-1')).toHaveLength(1);
    expect(asgMock.commandCalls(SuspendProcessesCommand)).toHaveLength(0);
  });

  it('warns, and launches all the same, when rebalancing cannot be suspended', async () => {
    fakeAutoScaling([]);
    asgMock.on(SuspendProcessesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied', $fault: 'client' }));
    const warnings: string[] = [];
    expect(await cloud({ onWarning: (w) => warnings.push(w) }).launch(TYPE, 1, 'lm-11-1')).toHaveLength(1);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^Auto Scaling group "${GROUP}": AZRebalance not suspended .*not authorized`))]);
  });
});

describe('Auto Scaling group mode: terminate', () => {
  const ownedEc2Tags = [
    { Key: 'loadmaster:managed-by', Value: 'loadmaster' },
    { Key: 'loadmaster:cluster', Value: CLUSTER },
  ];
  const ec2Instance = (id: string): Instance => ({ InstanceId: id, InstanceType: TYPE, State: { Name: 'running' }, Tags: ownedEc2Tags });

  function ec2Knows(...ids: string[]): void {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: ids.map(ec2Instance) }] });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    ecsMock.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [] });
  }

  it('takes exactly the chosen instance out of its group and lowers the desired capacity; one outside any group is terminated directly', async () => {
    const [owned] = fakeAutoScaling([group(3)]);
    ec2Knows('i-old1', 'i-loose');
    await cloud().terminate(['i-old1', 'i-loose']);

    expect(asgMock.commandCalls(DescribeAutoScalingInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-old1', 'i-loose'] }]);
    expect(asgMock.commandCalls(TerminateInstanceInAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([{ InstanceId: 'i-old1', ShouldDecrementDesiredCapacity: true }]);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-loose'] }]);
    expect(owned!.desired).toBe(2);
    expect(asgMock.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
  });

  it('refuses the whole call, touching nothing, when an instance is in a group that is not loadmaster\'s', async () => {
    fakeAutoScaling([group(1, { name: 'someone-elses', tags: [] })]);
    ec2Knows('i-old0');
    ecsMock.on(DeregisterContainerInstanceCommand).resolves({});
    await expect(cloud().terminate(['i-old0'])).rejects.toMatchObject({
      code: 'other',
      message: 'terminate: refusing instances of the Auto Scaling groups "someone-elses" (not tagged loadmaster:managed-by=loadmaster)',
    });
    expect(asgMock.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(DeregisterContainerInstanceCommand)).toHaveLength(0);
  });
});

describe('Auto Scaling group mode: settings', () => {
  it('refuses idle alarms, which the group would undo, and group creation without a template or subnets', () => {
    const cloudwatch = new CloudWatchClient({ region: 'eu-west-1' });
    expect(() => cloud({ cloudwatch })).toThrow(/idle alarms and autoScaling do not mix/);
    expect(() => cloud({ cloudwatch, idleAlarm: { enabled: false } })).not.toThrow();
    expect(() => cloud({ launch: { subnetIds: ['subnet-a'] } })).toThrow(/autoScaling.createGroups needs launch.launchTemplate and launch.subnetIds/);
    expect(() => cloud({ launch: { launchTemplate: { name: 'lm' } } })).toThrow(/autoScaling.createGroups needs/);
    // Existing groups bring their own template.
    expect(() => cloud({ launch: {} }, { createGroups: false })).not.toThrow();
  });

  it('launches with RunInstances when the section says enabled: false', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-run', InstanceType: TYPE, State: { Name: 'pending' } }] });
    const launched = await cloud({}, { enabled: false }).launch(TYPE, 1, 'lm-12-1');
    expect(launched.map((i) => i.instanceId)).toEqual(['i-run']);
    expect(asgMock.calls()).toHaveLength(0);
  });
});

describe('Auto Scaling helpers', () => {
  it('names a group from the pattern', () => {
    expect(autoScalingGroupName('loadmaster-{cluster}-{type}', 'imaging', 'g5.xlarge')).toBe('loadmaster-imaging-g5.xlarge');
    expect(autoScalingGroupName('{type}.{type}', 'c', 't')).toBe('t.t');
  });

  it('creates a group from a template by name, at its default version when none is set', () => {
    const request = createGroupRequest({ name: 'g', type: 'c7g.large', launchTemplate: { name: 'nodes' }, subnetIds: ['subnet-1'], maxSize: 4, tags: {} });
    expect(request.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification).toEqual({ LaunchTemplateName: 'nodes', Version: '$Default' });
  });

  it('reads a group as loadmaster\'s only with both tags, right values, propagated', () => {
    expect(groupOwnershipProblem({ Tags: OWNED }, CLUSTER)).toBeUndefined();
    expect(groupOwnershipProblem({ Tags: OWNED }, 'other')).toBe(`not tagged loadmaster:cluster=other (it has "${CLUSTER}")`);
    expect(groupOwnershipProblem({ Tags: [{ ...OWNED[0]!, PropagateAtLaunch: false }, OWNED[1]!] }, CLUSTER)).toBe('its tag loadmaster:managed-by is not propagated at launch');
  });

  it('counts as new only instances it did not have that are launching or in service', () => {
    const instances = [
      { InstanceId: 'i-old', LifecycleState: 'InService' },
      { InstanceId: 'i-new', InstanceType: TYPE, LifecycleState: 'Pending:Wait' },
      { InstanceId: 'i-going', LifecycleState: 'Terminating' },
      { InstanceId: 'i-up', LifecycleState: 'InService' },
    ] as AutoScalingGroup['Instances'];
    expect(newInstancesOf({ Instances: instances }, new Set(['i-old']))).toEqual([
      { instanceId: 'i-new', type: TYPE },
      { instanceId: 'i-up', type: undefined },
    ]);
  });
});
