// AwsCloud in Auto Scaling group mode against moto_server: a group created from a launch
// template, raised, its tagged instances seen by describe(), one taken out of it.
//
// Where moto differs from AWS: a group starts its instances the moment its desired capacity
// is raised (AWS takes seconds), and it takes the instance type from the launch template,
// not from the group's override, so the template here names the type launched.
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCloud, type AwsCloudAutoScaling } from '../../src/adapters/aws/aws-cloud.ts';
import { createClusterInDefaultVpc, MOTO_SKIP_REASON, motoAvailable, useMoto } from './moto-server.ts';

const CLUSTER = 'lm-asg';
const TYPE = 'm6i.xlarge';
const GROUP = `loadmaster-${CLUSTER}-${TYPE}`;
const motoReady = motoAvailable();

describe.skipIf(!motoReady)(motoReady ? 'AwsCloud with Auto Scaling groups on moto_server' : `AwsCloud with Auto Scaling groups: ${MOTO_SKIP_REASON}`, () => {
  const moto = useMoto((config) => ({ ecs: new ECSClient(config), ec2: new EC2Client(config), autoscaling: new AutoScalingClient(config) }));
  let subnetId: string;

  beforeEach(async () => {
    await moto.reset();
    subnetId = await createClusterInDefaultVpc(moto, CLUSTER);
    await moto.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'lm-nodes', LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: TYPE } }));
  });

  function cloud(autoScaling: Partial<AwsCloudAutoScaling> = {}): AwsCloud {
    return new AwsCloud({
      ecs: moto.ecs,
      ec2: moto.ec2,
      cluster: CLUSTER,
      launch: { launchTemplate: { name: 'lm-nodes' }, subnetIds: [subnetId] },
      taskDefinitionOf: (algorithm) => algorithm,
      extraTags: { team: 'imaging' },
      autoScaling: { client: moto.autoscaling, groupName: 'loadmaster-{cluster}-{type}', createGroups: true, maxSize: 5, waitForInstancesMs: 2_000, pollIntervalMs: 100, ...autoScaling },
    });
  }

  async function theGroup(name = GROUP): Promise<AutoScalingGroup | undefined> {
    return (await moto.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups?.[0];
  }

  async function ec2State(instanceId: string): Promise<string | undefined> {
    return (await moto.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name;
  }

  it('creates the group, raises it, finds its tagged instances, and takes exactly one out again', async () => {
    const aws = cloud();
    const launched = await aws.launch(TYPE, 2, 'lm-1-1');
    expect(launched).toHaveLength(2);
    expect(launched.every((i) => i.type === TYPE && i.state === 'pending')).toBe(true);

    const group = (await theGroup())!;
    expect(group).toMatchObject({ DesiredCapacity: 2, MinSize: 0, MaxSize: 5, NewInstancesProtectedFromScaleIn: true });
    expect(group.Instances!.map((i) => i.InstanceId).sort()).toEqual(launched.map((i) => i.instanceId).sort());
    expect(Object.fromEntries(group.Tags!.map((t) => [t.Key, [t.Value, t.PropagateAtLaunch]]))).toEqual({
      'loadmaster:managed-by': ['loadmaster', true],
      'loadmaster:cluster': [CLUSTER, true],
      team: ['imaging', true],
    });
    expect(group.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['AZRebalance']);

    // The group put its tags on the instances, so describe() — and a restarted daemon — sees them.
    const described = await cloud().describe();
    expect(described.instances.map((i) => i.instanceId).sort()).toEqual(launched.map((i) => i.instanceId).sort());

    // A second launch raises the same group further.
    const more = await aws.launch(TYPE, 1, 'lm-1-2');
    expect(more).toHaveLength(1);
    expect((await theGroup())!.DesiredCapacity).toBe(3);

    const [gone, ...kept] = [...launched, ...more];
    await aws.terminate([gone!.instanceId]);
    const after = (await theGroup())!;
    expect(after.DesiredCapacity).toBe(2);
    expect(after.Instances!.map((i) => i.InstanceId).sort()).toEqual(kept.map((i) => i.instanceId).sort());
    expect(await ec2State(gone!.instanceId)).toMatch(/shutting-down|terminated/);
    expect((await aws.describe()).instances.map((i) => i.instanceId).sort()).toEqual(kept.map((i) => i.instanceId).sort());
  });

  it('never scales a group of that name that is not tagged as loadmaster\'s', async () => {
    await moto.autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: GROUP,
        MinSize: 0,
        MaxSize: 5,
        DesiredCapacity: 0,
        VPCZoneIdentifier: subnetId,
        LaunchTemplate: { LaunchTemplateName: 'lm-nodes' },
      }),
    );
    await expect(cloud().launch(TYPE, 1, 'lm-2-1')).rejects.toMatchObject({ code: 'unsupported-type', message: expect.stringContaining('not tagged loadmaster:managed-by=loadmaster') });
    expect((await theGroup())!.DesiredCapacity).toBe(0);
  });

  it('with createGroups off, launches nothing for a type without a group', async () => {
    await expect(cloud({ createGroups: false }).launch(TYPE, 1, 'lm-3-1')).rejects.toMatchObject({ code: 'unsupported-type' });
    expect(await theGroup()).toBeUndefined();
  });
});
