// Launching through EC2 Auto Scaling groups, for organisations that want every instance in
// one. There is one group per instance type, named by a pattern (default
// `loadmaster-{cluster}-{type}`). A group that does not exist yet is created from the launch
// template, unless `createGroups` is off; then it must exist already. A launch raises the
// group's desired capacity, and a termination takes out exactly the chosen instance and
// lowers the desired capacity with it, so the group never picks an instance to kill on its
// own. loadmaster only scales a group that carries its ownership tags, propagated at launch
// so that the instances carry them too: describe() and terminate() recognise instances by
// those tags, whichever way they were launched.
import {
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  type AutoScalingClient,
  type AutoScalingGroup,
  type CreateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { CloudError } from '../../ports/cloud.ts';
import { callAws, toCloudError } from './aws-errors.ts';
import type { LaunchSettings } from './aws-launch-request.ts';
import { CLUSTER_TAG, MANAGED_BY_TAG, MANAGED_BY_VALUE } from './aws-tags.ts';

export interface AutoScalingSettings {
  /** The group of a type: `{cluster}` and `{type}` are filled in (`{type}` is required). */
  readonly groupName: string;
  /** Create a missing group from the launch template; when false, a type without a group cannot be launched. */
  readonly createGroups: boolean;
  /** MaxSize of the groups loadmaster creates. A launch never goes beyond a group's MaxSize. */
  readonly maxSize: number;
}

/** Auto Scaling's limits: names per DescribeAutoScalingGroups, ids per DescribeAutoScalingInstances. */
const GROUP_NAMES_PER_CALL = 100;
const INSTANCE_IDS_PER_CALL = 50;

export function autoScalingGroupName(pattern: string, clusterName: string, type: string): string {
  return pattern.replaceAll('{cluster}', clusterName).replaceAll('{type}', type);
}

/**
 * A group of one type from the launch template, empty, in the subnets, tagged as
 * loadmaster's with the tags propagated to its instances.
 */
export function createGroupRequest(request: {
  readonly name: string;
  readonly type: string;
  readonly launchTemplate: NonNullable<LaunchSettings['launchTemplate']>;
  readonly subnetIds: readonly string[];
  readonly maxSize: number;
  readonly tags: Readonly<Record<string, string>>;
}): CreateAutoScalingGroupCommandInput {
  const template = request.launchTemplate;
  return {
    AutoScalingGroupName: request.name,
    MinSize: 0,
    MaxSize: request.maxSize,
    DesiredCapacity: 0,
    VPCZoneIdentifier: request.subnetIds.join(','),
    // One template for every type: the override sets the type, as RunInstances would.
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: {
          ...(template.id !== undefined ? { LaunchTemplateId: template.id } : { LaunchTemplateName: template.name }),
          Version: template.version ?? '$Default',
        },
        Overrides: [{ InstanceType: request.type }],
      },
    },
    // Only loadmaster decides which instance goes: a lowered desired capacity (by hand, by a
    // policy) must not pick a busy one. TerminateInstanceInAutoScalingGroup is not affected.
    NewInstancesProtectedFromScaleIn: true,
    Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true, ResourceId: request.name, ResourceType: 'auto-scaling-group' })),
  };
}

/** What loadmaster reads of a group. */
type GroupView = Pick<AutoScalingGroup, 'AutoScalingGroupName' | 'DesiredCapacity' | 'MaxSize' | 'Instances'> & {
  readonly Tags?: readonly { readonly Key?: string | undefined; readonly Value?: string | undefined; readonly PropagateAtLaunch?: boolean | undefined }[] | undefined;
};

/** What keeps a group from being loadmaster's (in this cluster), or undefined when it is. */
export function groupOwnershipProblem(group: Pick<GroupView, 'Tags'>, clusterName: string): string | undefined {
  for (const [key, value] of [
    [MANAGED_BY_TAG, MANAGED_BY_VALUE],
    [CLUSTER_TAG, clusterName],
  ] as const) {
    const tag = group.Tags?.find((t) => t.Key === key);
    if (tag?.Value !== value) return `not tagged ${key}=${value}${tag === undefined ? '' : ` (it has ${JSON.stringify(tag.Value ?? '')})`}`;
    // Without it the group's instances are untagged: describe() would never find them.
    if (tag.PropagateAtLaunch !== true) return `its tag ${key} is not propagated at launch`;
  }
  return undefined;
}

/** Instances of the group that were not there before and are launching or in service. */
export function newInstancesOf(group: Pick<GroupView, 'Instances'>, before: ReadonlySet<string>): { readonly instanceId: string; readonly type: string | undefined }[] {
  return (group.Instances ?? []).flatMap((i) =>
    i.InstanceId !== undefined && !before.has(i.InstanceId) && isComingOrThere(i.LifecycleState) ? [{ instanceId: i.InstanceId, type: i.InstanceType }] : [],
  );
}

function isComingOrThere(lifecycleState: string | undefined): boolean {
  return lifecycleState === undefined || lifecycleState.startsWith('Pending') || lifecycleState === 'InService';
}

export interface AutoScalingFleetOptions {
  readonly client: AutoScalingClient;
  readonly settings: AutoScalingSettings;
  readonly launchTemplate: LaunchSettings['launchTemplate'];
  readonly subnetIds: readonly string[] | undefined;
  readonly clusterName: string;
  /** Put on every group loadmaster creates, propagated to its instances. */
  readonly tags: Readonly<Record<string, string>>;
  /** How long launch() waits for the group to name its new instances. */
  readonly waitForInstancesMs: number;
  readonly pollIntervalMs: number;
  readonly onWarning: (message: string) => void;
}

export interface GroupLaunch {
  readonly groupName: string;
  /** The instances the group named in time; possibly fewer than it was raised by. */
  readonly instances: readonly { readonly instanceId: string; readonly type: string | undefined }[];
  /** When the desired capacity was raised. */
  readonly raisedAt: number;
}

export class AutoScalingFleet {
  readonly #options: AutoScalingFleetOptions;
  /** One change at a time per group: a launch reads the desired capacity, then raises it. */
  readonly #busy = new Map<string, Promise<unknown>>();

  constructor(options: AutoScalingFleetOptions) {
    this.#options = options;
  }

  /**
   * Raises the type's group by `count` (at most to its MaxSize) and returns the new
   * instances it names within `waitForInstancesMs`. The group starts them asynchronously,
   * and the port's launch() must answer promptly, so waiting longer would hold the
   * reconcile round; instances named later are adopted by the next describe(), since they
   * carry the group's tags. Auto Scaling has no client token: a call repeated after a
   * failure that still raised the group raises it again (the extra instances are adopted
   * and retired as idle).
   */
  async launch(type: string, count: number): Promise<GroupLaunch> {
    const groupName = autoScalingGroupName(this.#options.settings.groupName, this.#options.clusterName, type);
    return this.#exclusive(groupName, async () => {
      const group = (await this.#describeGroups([groupName]))[0] ?? (await this.#createGroup(groupName, type));
      const problem = groupOwnershipProblem(group, this.#options.clusterName);
      // 'unsupported-type': the planner then avoids the type for a while instead of retrying it every round.
      if (problem !== undefined) throw new CloudError('unsupported-type', `launch: Auto Scaling group "${groupName}" is ${problem}; loadmaster only scales groups tagged as its own`);
      const desired = group.DesiredCapacity ?? 0;
      const maxSize = group.MaxSize ?? 0;
      const adding = Math.min(count, maxSize - desired);
      if (adding <= 0) {
        throw new CloudError(
          'insufficient-capacity',
          `launch: Auto Scaling group "${groupName}" is at its MaxSize (${maxSize}); expected room for ${count} more ${type} (raise the group's MaxSize, or cap the type with policy.typeLimits)`,
        );
      }
      const before = new Set((group.Instances ?? []).flatMap((i) => (i.InstanceId !== undefined ? [i.InstanceId] : [])));
      await callAws('SetDesiredCapacity', () =>
        this.#options.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: groupName, DesiredCapacity: desired + adding, HonorCooldown: false })),
      );
      const raisedAt = Date.now();
      return { groupName, instances: await this.#waitForNewInstances(groupName, before, adding), raisedAt };
    });
  }

  /** The group of each instance that is in one (instances on their way out are left out). */
  async groupsOf(instanceIds: readonly string[]): Promise<Map<string, string>> {
    const groupOf = new Map<string, string>();
    for (let i = 0; i < instanceIds.length; i += INSTANCE_IDS_PER_CALL) {
      const chunk = instanceIds.slice(i, i + INSTANCE_IDS_PER_CALL);
      let nextToken: string | undefined;
      do {
        const page = await callAws('DescribeAutoScalingInstances', () =>
          this.#options.client.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: chunk, ...(nextToken !== undefined && { NextToken: nextToken }) })),
        );
        for (const instance of page.AutoScalingInstances ?? []) {
          if (instance.InstanceId === undefined || instance.AutoScalingGroupName === undefined || instance.LifecycleState?.startsWith('Terminat') === true) continue;
          if (chunk.includes(instance.InstanceId)) groupOf.set(instance.InstanceId, instance.AutoScalingGroupName);
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    }
    return groupOf;
  }

  /** Throws, naming them, when any of the groups is not loadmaster's in this cluster. */
  async checkOwned(groupNames: readonly string[]): Promise<void> {
    const names = [...new Set(groupNames)];
    if (names.length === 0) return;
    const groups = await this.#describeGroups(names);
    const foreign = names.flatMap((name) => {
      const group = groups.find((g) => g.AutoScalingGroupName === name);
      const problem = group === undefined ? 'gone' : groupOwnershipProblem(group, this.#options.clusterName);
      return problem === undefined ? [] : [`"${name}" (${problem})`];
    });
    if (foreign.length > 0) throw new CloudError('other', `terminate: refusing instances of the Auto Scaling groups ${foreign.join(', ')}`);
  }

  /** Exactly this instance goes, and the group's desired capacity with it, so it is not replaced. */
  async terminate(instanceId: string): Promise<void> {
    await callAws('TerminateInstanceInAutoScalingGroup', () =>
      this.#options.client.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: true })),
    );
  }

  async #createGroup(name: string, type: string): Promise<GroupView> {
    const { settings, launchTemplate, subnetIds, tags } = this.#options;
    if (!settings.createGroups) {
      throw new CloudError('unsupported-type', `launch: there is no Auto Scaling group "${name}" for ${type}; expected one tagged as loadmaster's (autoScaling.createGroups is off)`);
    }
    if (launchTemplate === undefined || subnetIds === undefined || subnetIds.length === 0) {
      throw new CloudError('other', `launch: cannot create the Auto Scaling group "${name}" without a launch template and subnets`);
    }
    const request = createGroupRequest({ name, type, launchTemplate, subnetIds, maxSize: settings.maxSize, tags });
    try {
      await this.#options.client.send(new CreateAutoScalingGroupCommand(request));
    } catch (error) {
      // Created meanwhile (by another process): use that one, if it is ours.
      const existing = error instanceof Error && error.name.startsWith('AlreadyExists') ? (await this.#describeGroups([name]))[0] : undefined;
      if (existing === undefined) throw toCloudError('CreateAutoScalingGroup', error);
      return existing;
    }
    await this.#suspendRebalancing(name);
    // What was just created, without asking: a fresh group may not be listed yet.
    return { AutoScalingGroupName: name, DesiredCapacity: 0, MaxSize: settings.maxSize, Instances: [], Tags: request.Tags };
  }

  /**
   * Rebalancing across zones terminates instances to even them out, busy ones included.
   * Not worth failing a launch over: the group works without it, so a warning says it.
   */
  async #suspendRebalancing(name: string): Promise<void> {
    try {
      await callAws('SuspendProcesses', () => this.#options.client.send(new SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: ['AZRebalance'] })));
    } catch (error) {
      this.#options.onWarning(`Auto Scaling group "${name}": AZRebalance not suspended (${error instanceof Error ? error.message : String(error)}); it may terminate busy instances to balance zones`);
    }
  }

  async #waitForNewInstances(groupName: string, before: ReadonlySet<string>, count: number): Promise<{ readonly instanceId: string; readonly type: string | undefined }[]> {
    const deadline = Date.now() + this.#options.waitForInstancesMs;
    for (;;) {
      const group = (await this.#describeGroups([groupName]))[0];
      const found = group === undefined ? [] : newInstancesOf(group, before);
      if (found.length >= count || Date.now() >= deadline) return found.slice(0, count);
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.#options.pollIntervalMs, Math.max(0, deadline - Date.now()))));
    }
  }

  async #describeGroups(names: readonly string[]): Promise<AutoScalingGroup[]> {
    const groups: AutoScalingGroup[] = [];
    for (let i = 0; i < names.length; i += GROUP_NAMES_PER_CALL) {
      const chunk = names.slice(i, i + GROUP_NAMES_PER_CALL);
      let nextToken: string | undefined;
      do {
        const page = await callAws('DescribeAutoScalingGroups', () =>
          this.#options.client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: chunk, ...(nextToken !== undefined && { NextToken: nextToken }) })),
        );
        groups.push(...(page.AutoScalingGroups ?? []));
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    }
    return groups;
  }

  async #exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#busy.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.#busy.set(key, current);
    try {
      return await current;
    } finally {
      if (this.#busy.get(key) === current) this.#busy.delete(key);
    }
  }
}
