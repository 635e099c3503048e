// SDK clients as loadmaster runs them: the default credential chain, the region from config
// or the environment, endpoints from the SDK's own conventions (AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_<SERVICE>), so a local emulator needs no code path of its own, and
// adaptive retries, which slow the client down when AWS throttles instead of hammering it.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Architecture } from '../../core/catalog/instance-type.ts';
import { callAws } from './aws-errors.ts';

export interface AwsClients {
  readonly ecs: ECSClient;
  /**
   * ECS without automatic retries, for StartTask: a retried StartTask whose first try ECS
   * accepted would start the task twice, so the adapter looks for started tasks itself.
   */
  readonly ecsStartTask: ECSClient;
  readonly ec2: EC2Client;
  readonly sqs: SQSClient;
  readonly ssm: SSMClient;
  /** Idle alarms (AwsCloudOptions.cloudwatch). */
  readonly cloudwatch: CloudWatchClient;
  /** Auto Scaling group mode (AwsCloudOptions.autoScaling). */
  readonly autoscaling: AutoScalingClient;
}

export interface AwsClientSettings {
  /** Default: AWS_REGION / the shared config file. */
  readonly region?: string;
  /** Tries per call including the first; the SDK's default is 3. */
  readonly maxAttempts?: number;
}

export function createAwsClients(settings: AwsClientSettings = {}): AwsClients {
  const config = {
    retryMode: 'adaptive',
    ...(settings.region !== undefined && { region: settings.region }),
    ...(settings.maxAttempts !== undefined && { maxAttempts: settings.maxAttempts }),
  };
  return {
    ecs: new ECSClient(config),
    ecsStartTask: new ECSClient({ ...config, maxAttempts: 1 }),
    ec2: new EC2Client(config),
    sqs: new SQSClient(config),
    ssm: new SSMClient(config),
    cloudwatch: new CloudWatchClient(config),
    autoscaling: new AutoScalingClient(config),
  };
}

/** AWS's public parameters naming the current ECS-optimized Amazon Linux 2023 AMI. */
export const ECS_AMI_PARAMETERS: { readonly [A in Architecture]: string } = {
  x86_64: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
  arm64: '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id',
};
/** The GPU variant (NVIDIA driver and container toolkit), x86_64 only. */
export const ECS_GPU_AMI_PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id';

/** The AMI id of the recommended ECS-optimized image for an architecture (or for GPUs) in the client's region. */
export async function resolveEcsAmi(ssm: SSMClient, architecture: Architecture, options: { readonly gpu?: boolean } = {}): Promise<string> {
  const name = options.gpu === true ? ECS_GPU_AMI_PARAMETER : ECS_AMI_PARAMETERS[architecture];
  const response = await callAws('GetParameter', () => ssm.send(new GetParameterCommand({ Name: name })));
  const imageId = response.Parameter?.Value;
  if (imageId === undefined || !imageId.startsWith('ami-')) throw new Error(`resolveEcsAmi: ${name} holds no AMI id (got ${JSON.stringify(imageId)})`);
  return imageId;
}
