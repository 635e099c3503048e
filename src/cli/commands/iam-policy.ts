// `loadmaster iam-policy --config FILE`: prints the least-privilege IAM policy the daemon
// needs for the config's AWS cloud and SQS queue, as JSON ready for
// `aws iam create-policy --policy-document file://…`. What the policy had to assume goes
// to stderr, so stdout stays a valid policy document.
import { buildIamPolicy, type IamPolicyInput, type IamPolicyNote, type IamPolicyResult } from '../../adapters/aws/iam-policy.ts';
import { taskDefinitionOf } from '../../config/config-schema.ts';
import { InputError } from '../../config/input-issues.ts';
import { loadConfigFile } from '../../config/load-config.ts';
import type { CliIo } from '../cli-io.ts';
import { EXIT_USAGE, reportInputError } from '../report-input-error.ts';

export interface IamPolicyOptions {
  readonly config: string;
  readonly region?: string;
  readonly accountId?: string;
  readonly instanceRoleArn?: string;
  readonly taskRoleArn?: readonly string[];
}

/** The parts of the config the policy is built from (`cloud.aws`, `queue.sqs`, the algorithms' names). */
export interface IamPolicyConfig {
  readonly algorithms: Readonly<Record<string, unknown>>;
  readonly cloud: {
    readonly kind: string;
    readonly aws?:
      | {
          readonly region?: string | undefined;
          readonly cluster: string;
          readonly eventsQueueUrl?: string | undefined;
          readonly launchTemplate?: { readonly id?: string | undefined; readonly name?: string | undefined } | undefined;
          readonly imageId?: string | undefined;
          readonly subnetIds?: readonly string[] | undefined;
          readonly securityGroupIds?: readonly string[] | undefined;
          readonly instanceProfileArn?: string | undefined;
          readonly taskDefinitions?: Readonly<Record<string, string>> | undefined;
          readonly idleAlarm?: { readonly enabled: boolean } | undefined;
          readonly autoScaling?: { readonly enabled: boolean; readonly groupName: string; readonly createGroups: boolean } | undefined;
        }
      | undefined;
  };
  readonly queue: {
    readonly kind: string;
    readonly sqs?: { readonly queueUrl: string; readonly deadLetterQueueUrl: string; readonly region?: string | undefined } | undefined;
  };
}

export async function runIamPolicy(options: IamPolicyOptions, io: CliIo): Promise<number> {
  const flagIssue = checkFlags(options);
  if (flagIssue !== undefined) {
    io.stderr.write(`${flagIssue}\n`);
    return EXIT_USAGE;
  }
  let config: IamPolicyConfig;
  try {
    config = await loadConfigFile(options.config);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return reportInputError(io, error);
  }
  const input = policyInputFromConfig(config, options);
  if (input === undefined) {
    io.stderr.write(
      `${options.config}: cloud.kind: the IAM policy is for loadmaster on AWS (cloud.kind "aws" with a cloud.aws section), ` +
        `got cloud.kind ${JSON.stringify(config.cloud.kind)}${config.cloud.kind === 'aws' ? ' without cloud.aws' : ''}\n`,
    );
    return EXIT_USAGE;
  }
  let result: IamPolicyResult;
  try {
    result = buildIamPolicy(input);
  } catch (error) {
    // Only a queue URL the policy cannot read an ARN from ends here.
    io.stderr.write(`${options.config}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
  io.stdout.write(`${JSON.stringify(result.policy, null, 2)}\n`);
  for (const note of result.notes) io.stderr.write(`note: ${note.text}${HINTS[note.about] ?? ''}\n`);
  return 0;
}

/** The policy input for a config whose cloud is AWS; undefined for any other cloud. */
export function policyInputFromConfig(config: IamPolicyConfig, overrides: Omit<IamPolicyOptions, 'config'> = {}): IamPolicyInput | undefined {
  const aws = config.cloud.aws;
  if (config.cloud.kind !== 'aws' || aws === undefined) return undefined;
  const sqs = config.queue.kind === 'sqs' ? config.queue.sqs : undefined;
  const region = overrides.region ?? aws.region;
  const queueRegion = sqs?.region ?? region;
  const input: IamPolicyInput = {
    cluster: aws.cluster,
    idleAlarms: aws.idleAlarm?.enabled === true,
    launchTemplate: aws.launchTemplate !== undefined,
    // Every algorithm's, configured or by the default name, exactly as the daemon picks them.
    taskDefinitions: [...new Set(Object.keys(config.algorithms).map((algorithm) => taskDefinitionOf({ taskDefinitions: aws.taskDefinitions ?? {} }, algorithm)))],
    ...(region !== undefined && { region }),
    ...(overrides.accountId !== undefined && { accountId: overrides.accountId }),
    ...(queueRegion !== undefined && { queueRegion }),
    ...(sqs !== undefined && { queueUrl: sqs.queueUrl, deadLetterQueueUrl: sqs.deadLetterQueueUrl }),
    ...(aws.eventsQueueUrl !== undefined && { eventsQueueUrl: aws.eventsQueueUrl }),
    ...(aws.autoScaling?.enabled === true && { autoScaling: { groupName: aws.autoScaling.groupName, createGroups: aws.autoScaling.createGroups } }),
    ...(aws.launchTemplate?.id !== undefined && { launchTemplateId: aws.launchTemplate.id }),
    ...(aws.imageId !== undefined && { imageId: aws.imageId }),
    ...(aws.subnetIds !== undefined && { subnetIds: aws.subnetIds }),
    ...(aws.securityGroupIds !== undefined && { securityGroupIds: aws.securityGroupIds }),
    ...(aws.instanceProfileArn !== undefined && { instanceProfileArn: aws.instanceProfileArn }),
    ...(overrides.instanceRoleArn !== undefined && { instanceRoleArn: overrides.instanceRoleArn }),
    ...(overrides.taskRoleArn !== undefined && { taskRoleArns: overrides.taskRoleArn }),
  };
  return input;
}

function checkFlags(options: IamPolicyOptions): string | undefined {
  if (options.accountId !== undefined && !/^\d{12}$/.test(options.accountId)) return `--account-id: expected 12 digits, got ${JSON.stringify(options.accountId)}`;
  for (const [flag, arns] of [['--instance-role-arn', options.instanceRoleArn === undefined ? [] : [options.instanceRoleArn]], ['--task-role-arn', options.taskRoleArn ?? []]] as const) {
    const bad = arns.find((arn) => !/^arn:[a-z-]+:iam::(\d{12}|\*):role\/./.test(arn));
    if (bad !== undefined) return `${flag}: expected a role ARN (arn:aws:iam::ACCOUNT:role/NAME), got ${JSON.stringify(bad)}`;
  }
  return undefined;
}

/** The flag or setting that settles a note, when one does. */
const HINTS: Partial<Record<IamPolicyNote['about'], string>> = {
  region: ' (set cloud.aws.region or pass --region)',
  account: ' (pass --account-id)',
  'task-roles': ' (pass --task-role-arn for each)',
  'instance-role': ' (--instance-role-arn gives the role)',
  'task-definitions': ' (set cloud.aws.taskDefinitions)',
};
