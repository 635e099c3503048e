// Idle alarms on moto_server: the real CloudWatch wire protocol. moto stores alarms but
// never evaluates them against EC2 metrics, so the terminate action itself is not tested.
import { CloudWatchClient, DescribeAlarmsCommand, ListTagsForResourceCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCloud } from '../../src/adapters/aws/aws-cloud.ts';
import { putIdleAlarms } from '../../src/adapters/aws/idle-alarms.ts';
import { createClusterInDefaultVpc, MOTO_SKIP_REASON, motoAvailable, useMoto } from './moto-server.ts';

const CLUSTER = 'lm-test';

const motoReady = motoAvailable();

describe.skipIf(!motoReady)(motoReady ? 'idle alarms on moto_server' : `idle alarms on moto_server: ${MOTO_SKIP_REASON}`, () => {
  const moto = useMoto((config) => ({ ecs: new ECSClient(config), ec2: new EC2Client(config), cw: new CloudWatchClient(config) }));
  let subnetId: string;

  beforeEach(async () => {
    await moto.reset();
    subnetId = await createClusterInDefaultVpc(moto, CLUSTER);
  });

  function cloud(): AwsCloud {
    return new AwsCloud({
      ecs: moto.ecs,
      ec2: moto.ec2,
      cloudwatch: moto.cw,
      cluster: CLUSTER,
      launch: { imageId: 'ami-12c6146b', subnetIds: [subnetId] },
      taskDefinitionOf: (algorithm) => algorithm,
      extraTags: { team: 'imaging' },
      idleAlarm: { enabled: true, cpuBelowPercent: 1, periods: 3, periodSeconds: 300 },
    });
  }

  async function alarms(): Promise<MetricAlarm[]> {
    return (await moto.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'loadmaster-idle-' }))).MetricAlarms ?? [];
  }

  it('creates an alarm with each launched instance and deletes it with the instance', async () => {
    const aws = cloud();
    const [first, second] = await aws.launch('m6i.xlarge', 2, 'lm-1-1');
    const created = await alarms();
    expect(created.map((a) => a.AlarmName).sort()).toEqual([`loadmaster-idle-${first!.instanceId}`, `loadmaster-idle-${second!.instanceId}`].sort());
    const alarm = created.find((a) => a.AlarmName === `loadmaster-idle-${first!.instanceId}`)!;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'InstanceId', Value: first!.instanceId }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: ['arn:aws:automate:us-east-1:ec2:terminate'],
    });
    const tags = (await moto.cw.send(new ListTagsForResourceCommand({ ResourceARN: alarm.AlarmArn }))).Tags!;
    expect(Object.fromEntries(tags.map((t) => [t.Key, t.Value]))).toEqual({ 'loadmaster:managed-by': 'loadmaster', 'loadmaster:cluster': CLUSTER, team: 'imaging' });

    await aws.terminate([first!.instanceId]);
    expect((await alarms()).map((a) => a.AlarmName)).toEqual([`loadmaster-idle-${second!.instanceId}`]);
  });

  it('describe() deletes alarms of instances that are gone, keeps those of other live instances, and adds missing ones', async () => {
    const aws = cloud();
    const ours = (await moto.ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1, SubnetId: subnetId, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'loadmaster:managed-by', Value: 'loadmaster' }, { Key: 'loadmaster:cluster', Value: CLUSTER }] }] }))).Instances![0]!.InstanceId!;
    // Another cluster's instance (or anyone's) that still runs, and one that no longer exists.
    const other = (await moto.ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
    const gone = 'i-0123456789abcdef0';
    await putIdleAlarms(moto.cw, 'us-east-1', [other, gone], { cpuBelowPercent: 1, periods: 3, periodSeconds: 300 });

    const observed = await aws.describe();
    expect(observed.instances.map((i) => i.instanceId)).toEqual([ours]);
    expect((await alarms()).map((a) => a.AlarmName).sort()).toEqual([`loadmaster-idle-${ours}`, `loadmaster-idle-${other}`].sort());
  });
});
