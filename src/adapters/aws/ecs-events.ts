// Reads the EventBridge events that reach loadmaster's events queue (directly, or wrapped in
// an SNS notification) into plain views. Deciding whether an event is loadmaster's is the
// caller's business; anything unreadable or of another kind comes back undefined.
import type { ContainerInstanceView } from './ecs-container-instances.ts';
import type { EcsTaskView } from './ecs-tasks.ts';

export type QueuedEvent =
  | { readonly kind: 'task'; readonly task: EcsTaskView }
  | { readonly kind: 'container-instance'; readonly clusterArn: string | undefined; readonly containerInstance: ContainerInstanceView }
  | { readonly kind: 'ec2-state'; readonly instanceId: string; readonly state: string };

type Json = Readonly<Record<string, unknown>>;

export function parseQueuedEvent(body: string | undefined): QueuedEvent | undefined {
  let event = parseObject(body);
  // SNS → SQS delivers the event as the notification's Message.
  if (event?.['Type'] === 'Notification' && typeof event['Message'] === 'string') event = parseObject(event['Message']);
  if (event === undefined) return undefined;
  const detail = objectOr(event['detail']);
  if (detail === undefined) return undefined;
  switch (event['detail-type']) {
    case 'ECS Task State Change':
      return { kind: 'task', task: taskViewOf(detail) };
    case 'ECS Container Instance State Change':
      return { kind: 'container-instance', clusterArn: text(detail['clusterArn']), containerInstance: containerInstanceViewOf(detail) };
    case 'EC2 Instance State-change Notification': {
      const instanceId = text(detail['instance-id']);
      const state = text(detail['state']);
      return instanceId !== undefined && state !== undefined ? { kind: 'ec2-state', instanceId, state } : undefined;
    }
    default:
      return undefined;
  }
}

function taskViewOf(detail: Json): EcsTaskView {
  return {
    taskArn: text(detail['taskArn']),
    clusterArn: text(detail['clusterArn']),
    containerInstanceArn: text(detail['containerInstanceArn']),
    lastStatus: text(detail['lastStatus']),
    startedBy: text(detail['startedBy']),
    stoppedReason: text(detail['stoppedReason']),
    taskDefinitionArn: text(detail['taskDefinitionArn']),
    startedAt: text(detail['startedAt']),
    createdAt: text(detail['createdAt']),
    version: num(detail['version']),
    cpu: text(detail['cpu']),
    memory: text(detail['memory']),
    containers: objects(detail['containers']).map((c) => ({ name: text(c['name']), exitCode: num(c['exitCode']) })),
    overrides: {
      containerOverrides: objects(objectOr(detail['overrides'])?.['containerOverrides']).map((o) => ({
        name: text(o['name']),
        environment: objects(o['environment']).map((e) => ({ name: text(e['name']), value: text(e['value']) })),
        cpu: num(o['cpu']),
        memory: num(o['memory']),
        memoryReservation: num(o['memoryReservation']),
        resourceRequirements: objects(o['resourceRequirements']).map((r) => ({ type: text(r['type']), value: text(r['value']) })),
      })),
    },
  };
}

function containerInstanceViewOf(detail: Json): ContainerInstanceView {
  const agentConnected = detail['agentConnected'];
  return {
    containerInstanceArn: text(detail['containerInstanceArn']),
    ec2InstanceId: text(detail['ec2InstanceId']),
    status: text(detail['status']),
    agentConnected: typeof agentConnected === 'boolean' ? agentConnected : undefined,
    registeredResources: objects(detail['registeredResources']).map((r) => ({
      name: text(r['name']),
      integerValue: num(r['integerValue']),
      stringSetValue: Array.isArray(r['stringSetValue']) ? r['stringSetValue'].filter((s): s is string => typeof s === 'string') : undefined,
    })),
  };
}

function parseObject(body: string | undefined): Json | undefined {
  if (body === undefined) return undefined;
  try {
    return objectOr(JSON.parse(body));
  } catch {
    return undefined;
  }
}

function objectOr(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function objects(value: unknown): Json[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown): Json[] => {
    const object = objectOr(v);
    return object === undefined ? [] : [object];
  });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
