// Which ECS container instance is which EC2 instance, and what it registered. ECS names
// container instances by ARN, loadmaster by EC2 instance id; this keeps the mapping
// (cached, since it never changes for a registration) and reads it in pages of 100.
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { Resources } from '../../core/resources.ts';
import { callAws } from './aws-errors.ts';

/** ECS's DescribeContainerInstances limit. */
export const DESCRIBE_CONTAINER_INSTANCES_LIMIT = 100;

export interface ContainerInstanceInfo {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
  /** REGISTERING, ACTIVE, DRAINING, DEREGISTERING, … */
  readonly status: string;
  readonly agentConnected: boolean;
  readonly resources: Resources;
}

/** What both DescribeContainerInstances and the container-instance state-change event carry. */
export interface ContainerInstanceView {
  readonly containerInstanceArn?: string | undefined;
  readonly ec2InstanceId?: string | undefined;
  readonly status?: string | undefined;
  readonly agentConnected?: boolean | undefined;
  readonly registeredResources?: readonly { readonly name?: string | undefined; readonly integerValue?: number | undefined; readonly stringSetValue?: readonly string[] | undefined }[] | undefined;
}

export function containerInstanceInfoOf(view: ContainerInstanceView): ContainerInstanceInfo | undefined {
  if (view.containerInstanceArn === undefined || view.ec2InstanceId === undefined) return undefined;
  const resource = (name: string) => view.registeredResources?.find((r) => r.name === name);
  return {
    containerInstanceArn: view.containerInstanceArn,
    ec2InstanceId: view.ec2InstanceId,
    status: view.status ?? 'UNKNOWN',
    agentConnected: view.agentConnected ?? true,
    resources: {
      cpu: resource('CPU')?.integerValue ?? 0,
      memoryMiB: resource('MEMORY')?.integerValue ?? 0,
      // GPUs register as a set of device ids.
      gpu: resource('GPU')?.stringSetValue?.length ?? 0,
    },
  };
}

/** Registered means ECS may place tasks on it (or is draining it): ACTIVE or DRAINING. */
export function isRegistered(info: ContainerInstanceInfo): boolean {
  return info.status === 'ACTIVE' || info.status === 'DRAINING';
}

export class ContainerInstanceDirectory {
  readonly #ecs: ECSClient;
  readonly #cluster: string;
  readonly #arnByInstanceId = new Map<string, string>();
  readonly #instanceIdByArn = new Map<string, string>();

  constructor(ecs: ECSClient, cluster: string) {
    this.#ecs = ecs;
    this.#cluster = cluster;
  }

  /** Every container instance of the cluster except INACTIVE ones (ECS's default), described. */
  async listAll(): Promise<ContainerInstanceInfo[]> {
    return this.#describe(await this.#list(undefined));
  }

  /** The container instance ARN of an EC2 instance, or undefined when it is not registered. */
  async arnOf(ec2InstanceId: string): Promise<string | undefined> {
    const cached = this.#arnByInstanceId.get(ec2InstanceId);
    if (cached !== undefined) return cached;
    // The filter narrows the listing in ECS; describing fills the cache by id, which keeps
    // this right even where a filter is ignored (moto returns every container instance).
    await this.#describe(await this.#list(`ec2InstanceId == ${ec2InstanceId}`));
    return this.#arnByInstanceId.get(ec2InstanceId);
  }

  /** EC2 instance ids of container instance ARNs, describing the ones not seen yet (deregistered ones included). */
  async instanceIdsOf(arns: Iterable<string>): Promise<ReadonlyMap<string, string>> {
    const unknown = [...new Set(arns)].filter((arn) => !this.#instanceIdByArn.has(arn));
    if (unknown.length > 0) await this.#describe(unknown);
    return this.#instanceIdByArn;
  }

  /** Records a container instance seen by a describe or an event. */
  remember(info: ContainerInstanceInfo): void {
    this.#instanceIdByArn.set(info.containerInstanceArn, info.ec2InstanceId);
    // Only a usable registration is where tasks go; a stale one (DEREGISTERING) must not shadow it.
    if (isRegistered(info)) this.#arnByInstanceId.set(info.ec2InstanceId, info.containerInstanceArn);
  }

  /** After deregistration: a later registration of the same instance would get a new ARN. */
  forget(ec2InstanceId: string): void {
    this.#arnByInstanceId.delete(ec2InstanceId);
  }

  async #list(filter: string | undefined): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await callAws('ListContainerInstances', () =>
        this.#ecs.send(new ListContainerInstancesCommand({ cluster: this.#cluster, ...(filter !== undefined && { filter }), ...(nextToken !== undefined && { nextToken }) })),
      );
      arns.push(...(page.containerInstanceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return arns;
  }

  async #describe(arns: readonly string[]): Promise<ContainerInstanceInfo[]> {
    const infos: ContainerInstanceInfo[] = [];
    for (let i = 0; i < arns.length; i += DESCRIBE_CONTAINER_INSTANCES_LIMIT) {
      const chunk = arns.slice(i, i + DESCRIBE_CONTAINER_INSTANCES_LIMIT);
      const page = await callAws('DescribeContainerInstances', () =>
        this.#ecs.send(new DescribeContainerInstancesCommand({ cluster: this.#cluster, containerInstances: chunk })),
      );
      for (const view of page.containerInstances ?? []) {
        const info = containerInstanceInfoOf(view);
        if (info === undefined) continue;
        this.remember(info);
        infos.push(info);
      }
    }
    return infos;
  }
}
