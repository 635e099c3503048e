// A stand-in for the running controller behind the HTTP edge: a fixed view, a
// readiness switch, and a submit that accepts any object with a string jobId.
import type { ControllerApi, ControllerView } from '../../src/controller/controller-view.ts';

export interface FakeControllerApi extends ControllerApi {
  ready: boolean;
  stopping: boolean;
  /** Every batch submit() was called with. */
  readonly submissions: unknown[][];
}

const NOW = Date.parse('2026-11-25T10:05:00Z');

export const SAMPLE_VIEW: ControllerView = {
  now: NOW,
  ready: true,
  pending: [
    { jobId: 'seg-1', algorithm: 'segment-cells', priority: 0, attempt: 1, waitingSeconds: 40, reason: { code: 'max-hourly-cost', message: 'launching a g5.xlarge would exceed policy.maxHourlyCost ($60/h)' } },
    { jobId: 'seg-2', algorithm: 'segment-cells', priority: 0, attempt: 1, waitingSeconds: 95, reason: { code: 'max-hourly-cost', message: 'launching a g5.xlarge would exceed policy.maxHourlyCost ($60/h)' } },
    { jobId: 'nuc-1', algorithm: 'detect-nuclei', priority: 1, attempt: 2, waitingSeconds: 12, boundTo: 'i-0b' },
    { jobId: 'thumb-1', algorithm: 'make-thumbnails', priority: 0, attempt: 1, waitingSeconds: 1, reason: { code: 'batching', message: 'collecting jobs for one launch' } },
    { jobId: 'thumb-2', algorithm: 'make-thumbnails', priority: 0, attempt: 1, waitingSeconds: 0 },
  ],
  nodes: [
    {
      id: 'i-0a',
      type: 'c7g.2xlarge',
      state: 'registered',
      launchedAt: NOW - 600_000,
      registeredAt: NOW - 560_000,
      allocatable: { cpu: 8192, memoryMiB: 15636, gpu: 0 },
      allocated: { cpu: 6144, memoryMiB: 12288, gpu: 0 },
      tasks: 3,
      boundJobs: 0,
      pricePerHour: 0.289,
    },
    {
      id: 'i-0b',
      type: 'g5.xlarge',
      state: 'launching',
      launchedAt: NOW - 20_000,
      allocatable: { cpu: 4096, memoryMiB: 15636, gpu: 1 },
      allocated: { cpu: 3072, memoryMiB: 12288, gpu: 1 },
      tasks: 0,
      boundJobs: 1,
      pricePerHour: 0.9,
    },
    {
      id: 'i-0c',
      type: 'm7g.large',
      state: 'registered',
      launchedAt: NOW - 3_600_000,
      registeredAt: NOW - 3_560_000,
      allocatable: { cpu: 2048, memoryMiB: 7690, gpu: 0 },
      allocated: { cpu: 0, memoryMiB: 0, gpu: 0 },
      tasks: 0,
      boundJobs: 0,
      idleSeconds: 125,
      pricePerHour: 0.0816,
    },
  ],
  running: [
    { jobId: 'seg-0', algorithm: 'segment-cells', attempt: 1, instanceId: 'i-0a', startedAt: NOW - 300_000 },
    { jobId: 'seg-00', algorithm: 'segment-cells', attempt: 1, instanceId: 'i-0a', startedAt: NOW - 200_000 },
    { jobId: 'feat-0', algorithm: 'extract-features', attempt: 1, instanceId: 'i-0a', startedAt: NOW - 100_000 },
  ],
  recentDecisions: Array.from({ length: 12 }, (_, index) => ({
    at: NOW - (12 - index) * 1000,
    kind: index % 2 === 0 ? 'start' : 'launch',
    message: `decision ${index + 1}`,
  })),
  hourlyCost: 1.2706,
  runTimes: { 'segment-cells': 42.5 },
  bootSeconds: 38.2,
  costSoFar: 3.5,
};

export function fakeControllerApi(view: ControllerView = SAMPLE_VIEW): FakeControllerApi {
  const fake: FakeControllerApi = {
    ready: true,
    stopping: false,
    submissions: [],
    view: () => view,
    isReady: () => fake.ready && !fake.stopping,
    isStopping: () => fake.stopping,
    submit: async (messages) => {
      fake.submissions.push([...messages]);
      const accepted: string[] = [];
      const rejected: { index: number; reason: string }[] = [];
      messages.forEach((message, index) => {
        const jobId = typeof message === 'object' && message !== null && 'jobId' in message ? message.jobId : undefined;
        if (typeof jobId === 'string') accepted.push(jobId);
        else rejected.push({ index, reason: 'jobId: missing: expected a non-empty string' });
      });
      return { accepted, rejected };
    },
  };
  return fake;
}
