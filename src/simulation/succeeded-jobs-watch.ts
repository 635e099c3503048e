// A Cloud that passes every call through unchanged and notes, from what the controller
// is shown (events and resyncs), the jobs that have a task which exited 0. A simulation
// asks "is every job done?" before every step of virtual time; this answers it without
// listing every task the cloud ever ran.
import type { Cloud, CloudTask } from '../ports/cloud.ts';

export class SucceededJobsWatch implements Cloud {
  readonly #inner: Cloud;
  readonly #succeeded = new Set<string>();
  readonly costSoFar?: () => number;

  constructor(inner: Cloud) {
    this.#inner = inner;
    if (inner.costSoFar) this.costSoFar = () => inner.costSoFar!();
  }

  /** Ids of jobs with a task the controller has seen stop with exit code 0. */
  succeeded(): ReadonlySet<string> {
    return this.#succeeded;
  }

  launch(type: string, count: number, clientToken: string): ReturnType<Cloud['launch']> {
    return this.#inner.launch(type, count, clientToken);
  }

  startTasks(instanceId: string, specs: Parameters<Cloud['startTasks']>[1]): ReturnType<Cloud['startTasks']> {
    return this.#inner.startTasks(instanceId, specs);
  }

  drain(instanceId: string): Promise<void> {
    return this.#inner.drain(instanceId);
  }

  terminate(instanceIds: readonly string[]): Promise<void> {
    return this.#inner.terminate(instanceIds);
  }

  stopTask(taskArn: string, reason: string): Promise<void> {
    return this.#inner.stopTask(taskArn, reason);
  }

  async describe(): ReturnType<Cloud['describe']> {
    const observed = await this.#inner.describe();
    for (const task of observed.tasks) this.#note(task);
    return observed;
  }

  async pollEvents(): ReturnType<Cloud['pollEvents']> {
    const events = await this.#inner.pollEvents();
    for (const event of events) if (event.kind === 'task-state') this.#note(event.task);
    return events;
  }

  #note(task: CloudTask): void {
    if (task.state === 'STOPPED' && task.exitCode === 0) this.#succeeded.add(task.jobId);
  }
}
