// The safety net under the daemon: every instance loadmaster launches gets a CloudWatch
// alarm that terminates it once it has stayed idle, so a daemon that died (or lost its
// credentials, or was partitioned) cannot leave a fleet billing forever. The daemon
// itself retires idle nodes after `controller.idleSeconds`; the alarm only acts when it
// did not. Alarms are named after their instance, so they are found and removed without
// any state of their own.
//
// Settings and the daemon's idle timeout: the alarm fires after `periods × periodSeconds`
// of idle CPU, which must stay well above `idleSeconds` (default 900 s against 300 s),
// or the alarm races the daemon and kills nodes it is about to reuse. Nodes kept idle on
// purpose (`controller.warmNodes`) are not exempt: with the alarm on, it retires them
// after that time all the same.
import { DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, type CloudWatchClient, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudError } from '../../ports/cloud.ts';
import { callAws, toCloudError } from './aws-errors.ts';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from './aws-tags.ts';

export interface IdleAlarmSettings {
  /** Idle means the busiest moment of a period stayed below this CPU percentage. */
  readonly cpuBelowPercent: number;
  /** Consecutive idle periods before the instance is terminated. */
  readonly periods: number;
  /**
   * A multiple of 60. Without detailed monitoring (loadmaster does not enable it) EC2
   * reports CPU every 300 s: shorter periods are mostly empty, count as not idle, and
   * the alarm never fires.
   */
  readonly periodSeconds: number;
}

export const DEFAULT_IDLE_ALARM: IdleAlarmSettings = { cpuBelowPercent: 1, periods: 3, periodSeconds: 300 };

export const IDLE_ALARM_PREFIX = 'loadmaster-idle-';

/** CloudWatch's quotas: one day of evaluation, 100 names per DeleteAlarms, 100 alarms per DescribeAlarms page. */
const MAX_EVALUATION_SECONDS = 86_400;
const DELETE_ALARMS_LIMIT = 100;
const DESCRIBE_ALARMS_PAGE = 100;
/** PutMetricAlarm is throttled at a few calls per second per account: a large launch goes a few at a time. */
const PUT_CONCURRENCY = 3;

export function idleAlarmName(instanceId: string): string {
  return `${IDLE_ALARM_PREFIX}${instanceId}`;
}

/** What is wrong with the settings for CloudWatch, or undefined. */
export function idleAlarmSettingsProblem(settings: IdleAlarmSettings): string | undefined {
  const { cpuBelowPercent, periods, periodSeconds } = settings;
  if (!(cpuBelowPercent > 0 && cpuBelowPercent <= 100)) return `cpuBelowPercent must be in (0, 100], got ${cpuBelowPercent}`;
  if (!(Number.isInteger(periods) && periods >= 1)) return `periods must be a positive integer, got ${periods}`;
  if (!(Number.isInteger(periodSeconds) && periodSeconds >= 60 && periodSeconds % 60 === 0)) return `periodSeconds must be a multiple of 60, got ${periodSeconds}`;
  if (periods * periodSeconds > MAX_EVALUATION_SECONDS) return `periods × periodSeconds must be at most ${MAX_EVALUATION_SECONDS} s (CloudWatch's limit), got ${periods * periodSeconds}`;
  return undefined;
}

/**
 * One alarm per instance (PutMetricAlarm creates or overwrites, so repeating it is
 * harmless). Every instance is tried; if any failed, one CloudError names them all.
 */
export async function putIdleAlarms(
  cw: CloudWatchClient,
  region: string,
  instanceIds: readonly string[],
  settings: IdleAlarmSettings,
  tags: Readonly<Record<string, string>> = { [MANAGED_BY_TAG]: MANAGED_BY_VALUE },
): Promise<void> {
  const failures: { readonly instanceId: string; readonly error: CloudError }[] = [];
  const pending = [...instanceIds];
  const worker = async (): Promise<void> => {
    for (let instanceId = pending.shift(); instanceId !== undefined; instanceId = pending.shift()) {
      try {
        await cw.send(new PutMetricAlarmCommand(idleAlarmRequest(region, instanceId, settings, tags)));
      } catch (error) {
        failures.push({ instanceId, error: toCloudError('PutMetricAlarm', error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUT_CONCURRENCY, pending.length) }, worker));
  if (failures.length > 0) {
    const first = failures[0]!.error;
    throw new CloudError(first.code, `no idle alarm for ${failures.map((f) => f.instanceId).join(', ')}: ${first.message}`);
  }
}

function idleAlarmRequest(region: string, instanceId: string, settings: IdleAlarmSettings, tags: Readonly<Record<string, string>>): PutMetricAlarmCommandInput {
  return {
    AlarmName: idleAlarmName(instanceId),
    AlarmDescription: `loadmaster safety net: terminates ${instanceId} when its CPU stays below ${settings.cpuBelowPercent} % for ${settings.periods} × ${settings.periodSeconds} s`,
    Namespace: 'AWS/EC2',
    MetricName: 'CPUUtilization',
    Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
    // Maximum, not Average: a node running a job peaks well above 1 % in every period, even
    // while it mostly waits on I/O, so only a node with nothing at all to do looks idle.
    Statistic: 'Maximum',
    Period: settings.periodSeconds,
    EvaluationPeriods: settings.periods,
    Threshold: settings.cpuBelowPercent,
    ComparisonOperator: 'LessThanThreshold',
    // A booting instance has no data yet (nor has a stopped one): that is not idleness.
    TreatMissingData: 'notBreaching',
    AlarmActions: [`arn:aws:automate:${region}:ec2:terminate`],
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

/** Deletes the instances' alarms; names without an alarm are ignored by CloudWatch. */
export async function deleteIdleAlarms(cw: CloudWatchClient, instanceIds: readonly string[]): Promise<void> {
  for (let i = 0; i < instanceIds.length; i += DELETE_ALARMS_LIMIT) {
    const names = instanceIds.slice(i, i + DELETE_ALARMS_LIMIT).map(idleAlarmName);
    await callAws('DeleteAlarms', () => cw.send(new DeleteAlarmsCommand({ AlarmNames: names })));
  }
}

/** The instances that have an idle alarm, whoever's they are: every page of the prefix. */
export async function idleAlarmInstanceIds(cw: CloudWatchClient): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callAws('DescribeAlarms', () =>
      cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: IDLE_ALARM_PREFIX, MaxRecords: DESCRIBE_ALARMS_PAGE, ...(nextToken !== undefined && { NextToken: nextToken }) })),
    );
    for (const alarm of page.MetricAlarms ?? []) {
      if (alarm.AlarmName?.startsWith(IDLE_ALARM_PREFIX)) ids.push(alarm.AlarmName.slice(IDLE_ALARM_PREFIX.length));
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return ids;
}

/**
 * Instances with an idle alarm that are not among `liveInstanceIds`. The prefix is shared
 * by every loadmaster in the account and region, so with more than one cluster the caller
 * must pass (or check) more than its own instances before deleting.
 */
export async function orphanedIdleAlarms(cw: CloudWatchClient, liveInstanceIds: Iterable<string>): Promise<string[]> {
  const live = new Set(liveInstanceIds);
  return (await idleAlarmInstanceIds(cw)).filter((id) => !live.has(id));
}
