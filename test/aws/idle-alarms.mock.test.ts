// Idle alarms against mocked SDK clients: the exact alarm, the chunks and pages, and how
// AwsCloud keeps alarm failures out of launch, terminate and describe.
import { CloudWatchClient, CloudWatchServiceException, DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand, type Filter, type Instance } from '@aws-sdk/client-ec2';
import { ECSClient, ListContainerInstancesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsCloud, type AwsCloudOptions } from '../../src/adapters/aws/aws-cloud.ts';
import { deleteIdleAlarms, idleAlarmSettingsProblem, orphanedIdleAlarms, putIdleAlarms } from '../../src/adapters/aws/idle-alarms.ts';

const CLUSTER = 'imaging';
const REGION = 'eu-west-1';
const OWNED_TAGS = [
  { Key: 'loadmaster:managed-by', Value: 'loadmaster' },
  { Key: 'loadmaster:cluster', Value: CLUSTER },
];
const SETTINGS = { cpuBelowPercent: 1, periods: 3, periodSeconds: 300 };

const ecs = new ECSClient({ region: REGION });
const ec2 = new EC2Client({ region: REGION });
const cw = new CloudWatchClient({ region: REGION });
const ecsMock = mockClient(ecs);
const ec2Mock = mockClient(ec2);
const cwMock = mockClient(cw);

beforeEach(() => {
  ecsMock.reset();
  ec2Mock.reset();
  cwMock.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

function instanceId(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

function ec2Instance(n: number, extra: Partial<Instance> = {}): Instance {
  return { InstanceId: instanceId(n), InstanceType: 'm6i.xlarge', State: { Name: 'running' }, LaunchTime: new Date(1_700_000_000_000), Tags: OWNED_TAGS, ...extra };
}

function cwError(name: string, message: string): CloudWatchServiceException {
  return new CloudWatchServiceException({ name, message, $fault: 'client', $metadata: {} });
}

function cloud(overrides: Partial<AwsCloudOptions> = {}): AwsCloud {
  return new AwsCloud({
    ecs,
    ec2,
    cloudwatch: cw,
    cluster: CLUSTER,
    launch: { imageId: 'ami-0abc', subnetIds: ['subnet-a'] },
    taskDefinitionOf: (algorithm) => `lm-${algorithm}`,
    ...overrides,
  });
}

function putNames(): string[] {
  return cwMock.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName!);
}

function deletedNames(): string[] {
  return cwMock.commandCalls(DeleteAlarmsCommand).flatMap((c) => c.args[0].input.AlarmNames!);
}

describe('putIdleAlarms', () => {
  it('puts one terminate-on-idle alarm per instance', async () => {
    cwMock.on(PutMetricAlarmCommand).resolves({});
    await putIdleAlarms(cw, 'us-west-2', ['i-1', 'i-2'], SETTINGS);
    const inputs = cwMock.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    const { AlarmDescription, ...first } = inputs.find((i) => i.AlarmName === 'loadmaster-idle-i-1')!;
    expect(first).toEqual({
      AlarmName: 'loadmaster-idle-i-1',
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: ['arn:aws:automate:us-west-2:ec2:terminate'],
      Tags: [{ Key: 'loadmaster:managed-by', Value: 'loadmaster' }],
    });
    expect(AlarmDescription).toContain('i-1');
  });

  it('tries every instance and names those that failed', async () => {
    cwMock.on(PutMetricAlarmCommand).resolves({});
    cwMock.on(PutMetricAlarmCommand, { AlarmName: 'loadmaster-idle-i-2' }).rejects(cwError('AccessDenied', 'not allowed'));
    cwMock.on(PutMetricAlarmCommand, { AlarmName: 'loadmaster-idle-i-4' }).rejects(cwError('AccessDenied', 'not allowed'));
    const ids = ['i-1', 'i-2', 'i-3', 'i-4', 'i-5'];
    await expect(putIdleAlarms(cw, REGION, ids, SETTINGS)).rejects.toMatchObject({ message: expect.stringMatching(/i-2, i-4: PutMetricAlarm: AccessDenied/) });
    expect(putNames().sort()).toEqual(ids.map((id) => `loadmaster-idle-${id}`));
  });
});

describe('deleteIdleAlarms and orphanedIdleAlarms', () => {
  it('deletes 100 alarms per call', async () => {
    cwMock.on(DeleteAlarmsCommand).resolves({});
    const ids = Array.from({ length: 250 }, (_, i) => instanceId(i));
    await deleteIdleAlarms(cw, ids);
    const calls = cwMock.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames!);
    expect(calls.map((names) => names.length)).toEqual([100, 100, 50]);
    expect(calls.flat()).toEqual(ids.map((id) => `loadmaster-idle-${id}`));
  });

  it('reads every page of the prefix and leaves out live instances', async () => {
    const alarm = (id: string) => ({ AlarmName: `loadmaster-idle-${id}` });
    cwMock.on(DescribeAlarmsCommand).callsFake((input: { NextToken?: string }) =>
      input.NextToken === undefined ? { MetricAlarms: [alarm('i-1'), alarm('i-2')], NextToken: 'p2' } : { MetricAlarms: [alarm('i-3'), alarm('i-4')] },
    );
    expect(await orphanedIdleAlarms(cw, ['i-2', 'i-4', 'i-9'])).toEqual(['i-1', 'i-3']);
    expect(cwMock.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNamePrefix: 'loadmaster-idle-', MaxRecords: 100 },
      { AlarmNamePrefix: 'loadmaster-idle-', MaxRecords: 100, NextToken: 'p2' },
    ]);
  });

  it.each([
    [{ cpuBelowPercent: 0 }, /cpuBelowPercent/],
    [{ periods: 1.5 }, /periods must/],
    [{ periodSeconds: 90 }, /multiple of 60/],
    [{ periods: 300, periodSeconds: 300 }, /86400/],
  ])('rejects settings CloudWatch would refuse or never act on: %o', (change, problem) => {
    expect(idleAlarmSettingsProblem({ ...SETTINGS, ...change })).toMatch(problem);
  });
});

describe('AwsCloud with idle alarms', () => {
  it('puts alarms for launched instances, tagged like them, in the client region', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [ec2Instance(1, { State: { Name: 'pending' } }), ec2Instance(2, { State: { Name: 'pending' } })] });
    cwMock.on(PutMetricAlarmCommand).resolves({});
    const aws = cloud({ extraTags: { team: 'imaging' }, idleAlarm: { enabled: true, cpuBelowPercent: 2, periods: 4, periodSeconds: 600 } });
    await aws.launch('m6i.xlarge', 2, 'lm-1-1');
    const inputs = cwMock.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.AlarmName).sort()).toEqual([`loadmaster-idle-${instanceId(1)}`, `loadmaster-idle-${instanceId(2)}`]);
    expect(inputs[0]).toMatchObject({ Threshold: 2, EvaluationPeriods: 4, Period: 600, AlarmActions: [`arn:aws:automate:${REGION}:ec2:terminate`] });
    expect(Object.fromEntries(inputs[0]!.Tags!.map((t) => [t.Key, t.Value]))).toEqual({ 'loadmaster:managed-by': 'loadmaster', 'loadmaster:cluster': CLUSTER, team: 'imaging' });

    // A repeated token is answered from memory: no new alarms either.
    await aws.launch('m6i.xlarge', 2, 'lm-1-1');
    expect(cwMock.commandCalls(PutMetricAlarmCommand)).toHaveLength(2);
  });

  it('launches even when the alarms cannot be created, and warns', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [ec2Instance(1, { State: { Name: 'pending' } })] });
    cwMock.on(PutMetricAlarmCommand).rejects(cwError('AccessDenied', 'no cloudwatch:PutMetricAlarm'));
    const warnings: string[] = [];
    const launched = await cloud({ onWarning: (m) => warnings.push(m) }).launch('m6i.xlarge', 1, 'lm-2-1');
    expect(launched.map((i) => i.instanceId)).toEqual([instanceId(1)]);
    expect(warnings).toEqual([expect.stringContaining(`no idle alarm for ${instanceId(1)}`)]);
  });

  it('deletes the alarms of terminated instances', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [ec2Instance(1), ec2Instance(2, { State: { Name: 'terminated' } })] }] });
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    cwMock.on(DeleteAlarmsCommand).resolves({});
    await cloud().terminate([instanceId(1), instanceId(2)]);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [instanceId(1)] });
    expect(deletedNames()).toEqual([`loadmaster-idle-${instanceId(1)}`, `loadmaster-idle-${instanceId(2)}`]);
  });

  it('keeps the alarms when TerminateInstances fails, and terminates when they cannot be deleted', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [ec2Instance(1)] }] });
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    ec2Mock.on(TerminateInstancesCommand).rejectsOnce(new Error('boom')).resolves({});
    cwMock.on(DeleteAlarmsCommand).rejects(cwError('AccessDenied', 'no cloudwatch:DeleteAlarms'));
    const warnings: string[] = [];
    const aws = cloud({ onWarning: (m) => warnings.push(m) });
    await expect(aws.terminate([instanceId(1)])).rejects.toThrow(/boom/);
    expect(cwMock.commandCalls(DeleteAlarmsCommand)).toHaveLength(0);
    await aws.terminate([instanceId(1)]);
    expect(warnings).toEqual([expect.stringContaining('DeleteAlarms: AccessDenied')]);
  });

  describe('describe() sweeps the alarms', () => {
    /** EC2 has ours (1, 2), another cluster's live instance 7, and nothing else; alarms exist for 1, 7, 8 and 9. */
    function fleet(): void {
      ec2Mock.on(DescribeInstancesCommand).callsFake((input: { Filters?: Filter[] }) => {
        const byId = input.Filters?.find((f) => f.Name === 'instance-id');
        if (byId === undefined) return { Reservations: [{ Instances: [ec2Instance(1), ec2Instance(2)] }] };
        const existing = [7].filter((n) => byId.Values!.includes(instanceId(n)));
        return { Reservations: [{ Instances: existing.map((n) => ec2Instance(n, { Tags: [] })) }] };
      });
      ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
      ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
      cwMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [1, 7, 8, 9].map((n) => ({ AlarmName: `loadmaster-idle-${instanceId(n)}` })) });
      cwMock.on(DeleteAlarmsCommand).resolves({});
      cwMock.on(PutMetricAlarmCommand).resolves({});
    }

    it('deletes alarms whose instance EC2 no longer has, keeps other live ones, and creates missing ones', async () => {
      fleet();
      const observed = await cloud().describe();
      expect(observed.instances.map((i) => i.instanceId)).toEqual([instanceId(1), instanceId(2)]);
      expect(deletedNames()).toEqual([`loadmaster-idle-${instanceId(8)}`, `loadmaster-idle-${instanceId(9)}`]);
      expect(putNames()).toEqual([`loadmaster-idle-${instanceId(2)}`]);
      const byId = ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.Filters!.find((f) => f.Name === 'instance-id')?.Values);
      expect(byId).toContainEqual([7, 8, 9].map(instanceId));
    });

    it('sweeps at most every ten minutes, and a failed sweep warns without failing describe()', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(1_800_000_000_000);
      fleet();
      cwMock.on(DescribeAlarmsCommand).rejects(cwError('AccessDenied', 'no cloudwatch:DescribeAlarms'));
      const warnings: string[] = [];
      const aws = cloud({ onWarning: (m) => warnings.push(m) });
      expect((await aws.describe()).instances).toHaveLength(2);
      expect(warnings).toEqual([expect.stringContaining('idle alarm sweep: DescribeAlarms: AccessDenied')]);

      vi.setSystemTime(1_800_000_000_000 + 9 * 60_000);
      await aws.describe();
      expect(cwMock.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);

      vi.setSystemTime(1_800_000_000_000 + 10 * 60_000);
      await aws.describe();
      expect(cwMock.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
    });
  });

  it('calls CloudWatch not at all when disabled, and refuses a configured alarm without a client or with bad settings', async () => {
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [ec2Instance(1)] });
    await cloud({ idleAlarm: { enabled: false } }).launch('m6i.xlarge', 1, 'lm-3-1');
    await cloud({ cloudwatch: undefined }).launch('m6i.xlarge', 1, 'lm-3-2');
    expect(cwMock.calls()).toHaveLength(0);
    expect(() => cloud({ cloudwatch: undefined, idleAlarm: { enabled: true } })).toThrow(/needs a cloudwatch client/);
    expect(() => cloud({ idleAlarm: { periodSeconds: 30 } })).toThrow(/idleAlarm: periodSeconds/);
  });
});
