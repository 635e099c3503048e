// `cloud.aws.autoScaling` in the config: off unless written, what it needs (a launch template,
// subnets to create groups in), what it refuses (settings a group cannot take, idle alarms),
// and errors that name the path, the value and what was expected.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { issueAt, issuesOf, MINIMAL_CONFIG } from '../config/config-test-helpers.ts';

function awsConfig(aws: string): string {
  return `
cloud:
  kind: aws
  aws:
    cluster: imaging
${aws
  .trim()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
${MINIMAL_CONFIG}`;
}

const TEMPLATE_AND_SUBNETS = `
launchTemplate: { name: loadmaster-nodes }
subnetIds: [subnet-0abc1234]`;

describe('cloud.aws.autoScaling', () => {
  it('is off unless written, and the idle alarm stays on by default then', () => {
    const config = parseConfig(awsConfig(TEMPLATE_AND_SUBNETS), 'test.yaml');
    expect(config.cloud.aws).not.toHaveProperty('autoScaling');
    expect(config.cloud.aws?.idleAlarm.enabled).toBe(true);
  });

  it('takes its defaults from an empty section, and turns the idle alarm off by default', () => {
    for (const section of ['autoScaling:', 'autoScaling: {}']) {
      const config = parseConfig(awsConfig(`${TEMPLATE_AND_SUBNETS}\n${section}`), 'test.yaml');
      expect(config.cloud.aws?.autoScaling, section).toEqual({ enabled: true, groupName: 'loadmaster-{cluster}-{type}', createGroups: true, maxSize: 100 });
      expect(config.cloud.aws?.idleAlarm).toEqual({ enabled: false, cpuBelowPercent: 1, periods: 3, periodSeconds: 300 });
    }
  });

  it('reads every setting; existing groups need no subnets', () => {
    const config = parseConfig(awsConfig('launchTemplate: { id: lt-0abc123def4567890 }\nautoScaling: { groupName: "batch-{type}", createGroups: false, maxSize: 20 }'), 'test.yaml');
    expect(config.cloud.aws?.autoScaling).toEqual({ enabled: true, groupName: 'batch-{type}', createGroups: false, maxSize: 20 });
  });

  it('keeps the settings but launches with RunInstances (and keeps the idle alarm) with enabled: false', () => {
    const config = parseConfig(awsConfig('subnetIds: [subnet-0abc1234]\nimageId: ami-0abc1234\nautoScaling: { enabled: false }'), 'test.yaml');
    expect(config.cloud.aws?.autoScaling?.enabled).toBe(false);
    expect(config.cloud.aws?.idleAlarm.enabled).toBe(true);
  });
});

describe('cloud.aws.autoScaling: errors name the path, the value and what was expected', () => {
  it('needs the launch template the groups launch from', () => {
    const issue = issueAt(awsConfig('subnetIds: [subnet-0abc1234]\nautoScaling: {}'), 'cloud.aws.launchTemplate');
    expect(issue.message).toBe('missing: autoScaling is on; expected the launch template the groups launch from');
  });

  it('needs subnets to create groups in', () => {
    const issue = issueAt(awsConfig('launchTemplate: { name: loadmaster-nodes }\nautoScaling: {}'), 'cloud.aws.subnetIds');
    expect(issue.message).toBe('missing: autoScaling.createGroups is on; expected subnetIds, the subnets of the groups loadmaster creates');
  });

  it('refuses the RunInstances settings a group cannot take, each at its own path', () => {
    const text = awsConfig(
      `${TEMPLATE_AND_SUBNETS}\nimageId: ami-0abc1234\nsecurityGroupIds: [sg-0abc1234]\ninstanceProfileArn: ecsInstanceRole\nautoScaling: {}`,
    );
    expect(issueAt(text, 'cloud.aws.imageId').message).toBe(
      'not used with autoScaling: groups launch from the launch template alone; expected the AMI in the launch template and no imageId here',
    );
    expect(issueAt(text, 'cloud.aws.securityGroupIds').message).toContain('expected the security groups in the launch template');
    expect(issueAt(text, 'cloud.aws.instanceProfileArn').message).toContain('expected the instance profile in the launch template');
  });

  it('refuses idle alarms, which a group would undo by launching replacements', () => {
    const issue = issueAt(awsConfig(`${TEMPLATE_AND_SUBNETS}\nidleAlarm: { enabled: true }\nautoScaling: {}`), 'cloud.aws.idleAlarm.enabled');
    expect(issue.message).toMatch(/^idle alarms terminate instances behind their Auto Scaling group's back.*expected enabled: false/);
  });

  it.each([
    ['"loadmaster-{cluster}"', 'no {type}'],
    ['"lm/{type}"', 'a "/"'],
    ['"lm-{region}-{type}"', 'an unknown placeholder'],
  ])('refuses the group name %s (%s)', (name) => {
    const issue = issueAt(awsConfig(`${TEMPLATE_AND_SUBNETS}\nautoScaling: { groupName: ${name} }`), 'cloud.aws.autoScaling.groupName');
    expect(issue.message).toMatch(/^expected a group name pattern with \{type\}.*got "/);
  });

  it('checks maxSize and unknown keys', () => {
    const issues = issuesOf(awsConfig(`${TEMPLATE_AND_SUBNETS}\nautoScaling: { maxSize: 0, createGroup: false }`));
    expect(issues.map((i) => i.path).sort()).toEqual(['cloud.aws.autoScaling.createGroup', 'cloud.aws.autoScaling.maxSize']);
    expect(issues.find((i) => i.path === 'cloud.aws.autoScaling.createGroup')!.message).toContain('did you mean "createGroups"?');
  });
});
