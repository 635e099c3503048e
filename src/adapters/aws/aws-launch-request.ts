// Builds the RunInstances request for one launch: N instances of one type that join the
// ECS cluster and carry loadmaster's tags, from a launch template or from plain settings.
import type { _InstanceType, RunInstancesCommandInput, Tag } from '@aws-sdk/client-ec2';
import { CLUSTER_TAG, MANAGED_BY_TAG, MANAGED_BY_VALUE } from './aws-tags.ts';

export interface LaunchSettings {
  /**
   * When given, the template supplies AMI, network and user data (which must set
   * ECS_CLUSTER); the request only adds type, count, tags and the subnet if configured.
   */
  readonly launchTemplate?: { readonly id?: string; readonly name?: string; readonly version?: string };
  /** The AMI (e.g. from `resolveEcsAmi`); required without a launch template. */
  readonly imageId?: string;
  /** Launches spread over them; a zone without capacity for the type falls through to the next. */
  readonly subnetIds?: readonly string[];
  readonly securityGroupIds?: readonly string[];
  /** An instance profile ARN, or its name. */
  readonly instanceProfileArn?: string;
}

export interface LaunchRequest {
  readonly type: string;
  readonly count: number;
  readonly clientToken: string;
  readonly subnetId: string | undefined;
  readonly clusterName: string;
  readonly tags: Readonly<Record<string, string>>;
}

export function runInstancesRequest(settings: LaunchSettings, request: LaunchRequest): RunInstancesCommandInput {
  const tags: Tag[] = Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
  const template = settings.launchTemplate;
  const profile = settings.instanceProfileArn;
  return {
    // The SDK's list of type names lags AWS's; EC2 itself judges the name.
    InstanceType: request.type as _InstanceType,
    MinCount: request.count,
    MaxCount: request.count,
    ClientToken: request.clientToken,
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
    // An instance that shuts itself down is gone, not a stopped instance that still bills its volume.
    InstanceInitiatedShutdownBehavior: 'terminate',
    ...(template
      ? {
          LaunchTemplate: {
            ...(template.id !== undefined ? { LaunchTemplateId: template.id } : { LaunchTemplateName: template.name }),
            Version: template.version ?? '$Default',
          },
        }
      : { UserData: clusterUserData(request.clusterName) }),
    ...(settings.imageId !== undefined && { ImageId: settings.imageId }),
    ...(request.subnetId !== undefined && { SubnetId: request.subnetId }),
    ...(settings.securityGroupIds !== undefined && settings.securityGroupIds.length > 0 && { SecurityGroupIds: [...settings.securityGroupIds] }),
    ...(profile !== undefined && { IamInstanceProfile: profile.startsWith('arn:') ? { Arn: profile } : { Name: profile } }),
  };
}

/**
 * Base64 user data for the ECS-optimized AMI: join the cluster, and tag the container
 * instance as loadmaster's so that it is recognisable in ECS too.
 */
export function clusterUserData(clusterName: string): string {
  // Cluster names are [A-Za-z0-9_-], and these tags hold no quote: safe inside the shell quotes.
  const containerInstanceTags = JSON.stringify({ [MANAGED_BY_TAG]: MANAGED_BY_VALUE, [CLUSTER_TAG]: clusterName });
  const script = [
    '#!/bin/bash',
    `echo ECS_CLUSTER=${clusterName} >> /etc/ecs/ecs.config`,
    `echo 'ECS_CONTAINER_INSTANCE_TAGS=${containerInstanceTags}' >> /etc/ecs/ecs.config`,
    '',
  ].join('\n');
  return Buffer.from(script, 'utf8').toString('base64');
}

/**
 * The subnets to try for a launch, starting at one chosen by the client token: spread over
 * launches, yet the same for a retried token (a retry in another subnet would be a
 * different request to EC2's idempotency check).
 */
export function subnetsInOrder(subnetIds: readonly string[] | undefined, clientToken: string): (string | undefined)[] {
  if (subnetIds === undefined || subnetIds.length === 0) return [undefined];
  let hash = 0;
  for (const char of clientToken) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const first = hash % subnetIds.length;
  return subnetIds.map((_, i) => subnetIds[(first + i) % subnetIds.length]!);
}
