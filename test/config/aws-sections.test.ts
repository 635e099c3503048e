import { describe, expect, it } from 'vitest';
import { taskDefinitionOf } from '../../src/config/config-schema.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { issueAt, issuesOf, MINIMAL_CONFIG } from './config-test-helpers.ts';

const JOBS_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/loadmaster-jobs';
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/loadmaster-dead';
const EVENTS_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/loadmaster-events';

const AWS_CONFIG = `
cloud:
  kind: aws
  aws:
    region: us-east-1
    cluster: loadmaster
    eventsQueueUrl: ${EVENTS_URL}
    subnetIds: [subnet-0abc1234, subnet-0def5678]
    securityGroupIds: [sg-0123abcd]
    instanceProfileArn: arn:aws:iam::123456789012:instance-profile/ecsInstanceRole
    taskDefinitions: { segment: "segment-cells:3" }
    tags: { team: imaging, "cost center": "lab/42" }
queue:
  kind: sqs
  sqs: { queueUrl: ${JOBS_URL}, deadLetterQueueUrl: ${DLQ_URL} }
${MINIMAL_CONFIG}`;

describe('cloud: aws and queue: sqs', () => {
  it('reads a full AWS config, with defaults for what is left out', () => {
    const config = parseConfig(AWS_CONFIG, 'test.yaml');
    expect(config.cloud.kind).toBe('aws');
    expect(config.cloud.aws).toEqual({
      region: 'us-east-1',
      cluster: 'loadmaster',
      eventsQueueUrl: EVENTS_URL,
      subnetIds: ['subnet-0abc1234', 'subnet-0def5678'],
      securityGroupIds: ['sg-0123abcd'],
      instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/ecsInstanceRole',
      taskDefinitions: { segment: 'segment-cells:3' },
      containerName: 'main',
      tags: { team: 'imaging', 'cost center': 'lab/42' },
      idleAlarm: { enabled: true, cpuBelowPercent: 1, periods: 3, periodSeconds: 300 },
    });
    expect(config.queue).toEqual({
      kind: 'sqs',
      memory: { visibilitySeconds: 300, maxReceives: 5 },
      sqs: { queueUrl: JOBS_URL, deadLetterQueueUrl: DLQ_URL, pollers: 2, waitSeconds: 1 },
    });
  });

  it('names the task definition of an algorithm: the configured one, else loadmaster-<algorithm>', () => {
    const config = parseConfig(AWS_CONFIG, 'test.yaml');
    expect(config.cloud.kind === 'aws' && taskDefinitionOf(config.cloud.aws, 'segment')).toBe('segment-cells:3');
    expect(config.cloud.kind === 'aws' && taskDefinitionOf(config.cloud.aws, 'stitch')).toBe('loadmaster-stitch');
  });

  it('takes a launch template instead of subnets, its version as a number or $Latest', () => {
    const byNumber = parseConfig(`cloud: { kind: aws, aws: { cluster: lm, launchTemplate: { id: lt-0abc123def4567890, version: 7 } } }\n${MINIMAL_CONFIG}`, 'test.yaml');
    expect(byNumber.cloud.aws?.launchTemplate).toEqual({ id: 'lt-0abc123def4567890', version: '7' });
    const byName = parseConfig(`cloud: { kind: aws, aws: { cluster: lm, launchTemplate: { name: loadmaster-nodes, version: $Latest } } }\n${MINIMAL_CONFIG}`, 'test.yaml');
    expect(byName.cloud.aws?.launchTemplate).toEqual({ name: 'loadmaster-nodes', version: '$Latest' });
  });

  it('keeps sim and memory the defaults, and ignores nothing: an aws section under kind sim is checked but not used', () => {
    const config = parseConfig(`cloud: { aws: { region: eu-west-1 } }\n${MINIMAL_CONFIG}`, 'test.yaml');
    expect(config.cloud.kind).toBe('sim');
    expect(config.cloud.aws).toBeUndefined();
    expect(issueAt(`cloud: { aws: { region: Europe } }\n${MINIMAL_CONFIG}`, 'cloud.aws.region').message).toBe('expected an AWS region such as "us-east-1", got "Europe"');
  });
});

describe('cloud: aws and queue: sqs: errors name the path, the value and what was expected', () => {
  it('needs the cluster and where to launch for kind aws, even with no aws section', () => {
    const issues = issuesOf(`cloud: { kind: aws }\n${MINIMAL_CONFIG}`);
    expect(issues).toEqual([
      { path: 'cloud.aws.cluster', message: 'missing: cloud.kind is "aws"; expected the ECS cluster name, e.g. "loadmaster"', line: 1 },
      { path: 'cloud.aws.subnetIds', message: 'missing: cloud.kind is "aws"; expected subnetIds (the subnets instances launch into) or a launchTemplate', line: 1 },
    ]);
  });

  it('needs both queue URLs for kind sqs, and a dead-letter queue of its own', () => {
    expect(issuesOf(`queue: { kind: sqs, sqs: { pollers: 4 } }\n${MINIMAL_CONFIG}`).map((i) => i.path)).toEqual(['queue.sqs.queueUrl', 'queue.sqs.deadLetterQueueUrl']);
    expect(issueAt(`queue: { kind: sqs, sqs: { queueUrl: ${JOBS_URL}, deadLetterQueueUrl: ${JOBS_URL} } }\n${MINIMAL_CONFIG}`, 'queue.sqs.deadLetterQueueUrl').message).toBe(
      'the same URL as queueUrl; expected a separate dead-letter queue (dead letters would come back as jobs)',
    );
  });

  it('refuses the jobs queue as the events queue', () => {
    const text = AWS_CONFIG.replace(`eventsQueueUrl: ${EVENTS_URL}`, `eventsQueueUrl: ${JOBS_URL}`);
    expect(issueAt(text, 'cloud.aws.eventsQueueUrl').message).toBe('the same URL as queue.sqs.queueUrl; expected a queue of its own for ECS events');
  });

  it('checks ids, URLs and ranges value by value', () => {
    const at = (aws: string, path: string) => issueAt(`cloud: { kind: aws, aws: { cluster: lm, subnetIds: [subnet-0abc1234], ${aws} } }\n${MINIMAL_CONFIG}`, path).message;
    expect(at('imageId: ubuntu', 'cloud.aws.imageId')).toBe('expected an AMI id such as "ami-0abc123def4567890", got "ubuntu"');
    expect(at('securityGroupIds: [default]', 'cloud.aws.securityGroupIds[0]')).toBe('expected a security group id such as "sg-0abc123def4567890", got "default"');
    expect(at('eventsQueueUrl: loadmaster-events', 'cloud.aws.eventsQueueUrl')).toContain('expected an SQS queue URL such as');
    expect(at('taskDefinitions: { segment: "segment:0" }', 'cloud.aws.taskDefinitions.segment')).toContain('expected a task definition "family" or "family:revision"');
    expect(at('launchTemplate: { id: lt-0abc1234, name: nodes }', 'cloud.aws.launchTemplate.name')).toBe('both id ("lt-0abc1234") and name are set; expected one of them');
    expect(at('launchTemplate: { version: latest }', 'cloud.aws.launchTemplate.version')).toBe('expected "$Latest", "$Default" or a version number, got "latest"');
    expect(at('tags: { "aws:owner": me }', 'cloud.aws.tags["aws:owner"]')).toContain('not starting with "aws:"');
    expect(at('idleAlarm: { periodSeconds: 90 }', 'cloud.aws.idleAlarm.periodSeconds')).toBe('expected a multiple of 60, got 90');
    expect(at('idleAlarm: { periods: 300 }', 'cloud.aws.idleAlarm.periods')).toBe('periods × periodSeconds is 90000 s; expected at most 86400 s (one day, CloudWatch\'s limit)');
    expect(issueAt(`queue: { kind: sqs, sqs: { queueUrl: ${JOBS_URL}, deadLetterQueueUrl: ${DLQ_URL}, waitSeconds: 30 } }\n${MINIMAL_CONFIG}`, 'queue.sqs.waitSeconds').message).toBe('expected an integer <= 20, got 30');
  });

  it('wants the idle alarm slower than loadmaster\'s own idle shutdown', () => {
    const text = `controller: { idleSeconds: 900 }\ncloud: { kind: aws, aws: { cluster: lm, subnetIds: [subnet-0abc1234], idleAlarm: { periods: 2 } } }\n${MINIMAL_CONFIG}`;
    expect(issueAt(text, 'cloud.aws.idleAlarm.periods').message).toBe(
      'the idle alarm fires after periods × periodSeconds = 600 s; expected more than controller.idleSeconds (900 s), so that loadmaster retires idle nodes first',
    );
    expect(() => parseConfig(text.replace('periods: 2', 'enabled: false, periods: 2'), 'test.yaml')).not.toThrow();
  });

  it('names an unknown algorithm in taskDefinitions, with a likely fix', () => {
    const issue = issueAt(AWS_CONFIG.replace('taskDefinitions: { segment:', 'taskDefinitions: { segmnt:'), 'cloud.aws.taskDefinitions.segmnt');
    expect(issue.message).toBe(`unknown algorithm "segmnt"; expected one of the config's algorithms: segment; did you mean "segment"?`);
  });
});
