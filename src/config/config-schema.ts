// The one schema of loadmaster's YAML config file. Every section lives here so that
// `loadmaster config check` and the daemon validate exactly the same thing. The daemon's
// sections (controller, cloud, queue, server, log) all have defaults, so a config written
// for `loadmaster plan` alone stays valid.
//
// This file checks each value on its own and within its section; what needs the
// instance type catalog (do patterns match anything? does an algorithm fit any type?)
// is checked afterwards by check-references.ts.
import { z } from 'zod';
import { DEFAULT_OVERHEAD } from '../core/catalog/allocatable.ts';
import type { Architecture } from '../core/catalog/instance-type.ts';
import { isValidTypePattern } from '../core/catalog/type-pattern.ts';
import { describeValue, listAlternatives } from './input-issues.ts';

/** The placeholders an algorithm's command may use; the controller fills them in per job. */
export const COMMAND_PLACEHOLDERS = {
  input: 'the first input (S3 URI)',
  inputs: 'all inputs, space-separated',
  outputPrefix: 'the S3 prefix the job writes under',
  jobId: 'the job id',
  attempt: 'the attempt number, starting at 1',
} as const;

/** Default job timeout: a safety net so a hung container does not hold an instance forever. */
export const DEFAULT_TIMEOUT_SECONDS = 24 * 60 * 60;

const ARCHITECTURE_VALUES = ['x86_64', 'arm64'] as const satisfies readonly Architecture[];

// ---- building blocks -------------------------------------------------------------

/** YAML's `section:` with nothing under it is null: read it as "use the defaults". */
function section<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => value ?? undefined, schema);
}

/** An instance type name or pattern ("c7g.2xlarge", "g5.*"); also used by the state snapshot. */
export const typePattern = z.string().refine(isValidTypePattern, {
  error: (issue) =>
    `expected an instance type name or pattern such as "c7g.2xlarge", "g5.*" or "*.4xlarge" ` +
    `(letters, digits, ".", "-" and the wildcards "*" and "?"), got ${describeValue(issue.input)}`,
});

const typeName = z.string().refine((name) => /^[a-z0-9-]+\.[a-z0-9-]+$/.test(name), {
  error: (issue) => `expected an instance type name such as "c7g.2xlarge" (no wildcards), got ${describeValue(issue.input)}`,
});

const architecture = z.enum(ARCHITECTURE_VALUES);

const envVarName = z.string().refine((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name), {
  error: (issue) => `expected an environment variable name (letters, digits and "_", not starting with a digit), got ${describeValue(issue.input)}`,
});

// ECS task definition families allow letters, digits, "-" and "_", up to 255 characters.
const algorithmName = z.string().refine((name) => /^[A-Za-z0-9_-]{1,255}$/.test(name), {
  error: (issue) => `expected an algorithm name of letters, digits, "-" and "_" (it names an ECS task definition), got ${describeValue(issue.input)}`,
});

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

const commandArgument = z.string().superRefine((argument, context) => {
  for (const [, name] of argument.matchAll(PLACEHOLDER)) {
    if (name !== undefined && !(name in COMMAND_PLACEHOLDERS)) {
      const known = listAlternatives(Object.keys(COMMAND_PLACEHOLDERS).map((p) => `{${p}}`));
      context.addIssue({ code: 'custom', input: argument, message: `unknown placeholder {${name}} in ${describeValue(argument)}; expected ${known}` });
    }
  }
});

// ---- catalog ----------------------------------------------------------------------

const addedInstanceType = z
  .strictObject({
    name: typeName,
    vcpu: z.int().min(1),
    memoryMiB: z.int().min(1),
    gpu: z.int().min(0).default(0),
    gpuModel: z.string().min(1).optional(),
    architecture,
    pricePerHour: z.number().positive(),
  })
  .superRefine((spec, context) => {
    if (spec.gpuModel !== undefined && spec.gpu === 0) {
      context.addIssue({ code: 'custom', path: ['gpuModel'], input: spec.gpuModel, message: `gpuModel ${describeValue(spec.gpuModel)} is set but gpu is 0; expected gpu >= 1 or no gpuModel` });
    }
    // Jobs narrow by GPU model, so a GPU type without one could never be chosen by them.
    if (spec.gpu > 0 && spec.gpuModel === undefined) {
      context.addIssue({ code: 'custom', path: ['gpuModel'], input: undefined, message: `missing: gpu is ${spec.gpu}, expected the GPU model, e.g. "L4"` });
    }
  });

const overheadSchema = z.strictObject({
  memoryPercent: z.number().min(0).max(50).default(DEFAULT_OVERHEAD.memoryPercent),
  reservedMemoryMiB: z.int().min(0).default(DEFAULT_OVERHEAD.reservedMemoryMiB),
  reservedCpuUnits: z.int().min(0).default(DEFAULT_OVERHEAD.reservedCpuUnits),
});

const catalogSchema = z.strictObject({
  /** Types to consider (names or patterns); absent = every built-in type. */
  include: z.array(typePattern).min(1).optional(),
  exclude: z.array(typePattern).default([]),
  /** USD/hour overrides (negotiated or regional prices). */
  prices: z.record(typeName, z.number().positive()).default({}),
  /** Types the built-in list lacks. */
  add: z.array(addedInstanceType).default([]),
  overhead: section(overheadSchema.prefault({})),
});

// ---- policy -----------------------------------------------------------------------

const policySchema = z.strictObject({
  maxInstances: z.int().min(0).default(100),
  maxHourlyCost: z.number().min(0).default(100),
  typeLimits: z.record(typePattern, z.int().min(0)).default({}),
  instancePenaltyPerHour: z.number().min(0).default(0),
  /**
   * A job waits for a registered node whose running tasks (by each algorithm's observed
   * run time) free room for it within this many seconds, rather than getting a new
   * instance. About a boot: it then usually starts no later, and nothing new is bought; it
   * waits this long at most in all. 0: never.
   */
  reuseWithinSeconds: z.number().min(0).default(45),
  /**
   * The share rule: a job joins an existing node only while the node's price split over its
   * jobs, the newcomer counted, is at most this many times the price of the job's own instance
   * (its cheapest type, with a boot and the 60 s billing minimum spread over its expected
   * run). Warm nodes are always joinable. 0: always join.
   */
  sharePriceRatio: z.number().min(0).default(3),
});

// ---- algorithms -------------------------------------------------------------------

const algorithmResources = z
  .strictObject({
    /** ECS cpu units, 1024 = 1 vCPU. */
    cpu: z.int().min(1),
    /** The minimum the container needs (ECS memoryReservation); what placement packs. */
    memoryMiB: z.int().min(1),
    /** What the container would like (ECS memory hard limit when set). */
    memorySuggestedMiB: z.int().min(1).optional(),
    gpu: z.int().min(0).default(0),
  })
  .superRefine((r, context) => {
    if (r.memorySuggestedMiB !== undefined && r.memorySuggestedMiB < r.memoryMiB) {
      context.addIssue({
        code: 'custom',
        path: ['memorySuggestedMiB'],
        input: r.memorySuggestedMiB,
        message: `expected memorySuggestedMiB >= memoryMiB (${r.memoryMiB}), got ${r.memorySuggestedMiB}`,
      });
    }
  });

const algorithmEnv = z
  .strictObject({
    required: z.array(envVarName).default([]),
    optional: z.array(envVarName).default([]),
  })
  .superRefine((env, context) => {
    env.optional.forEach((name, index) => {
      if (env.required.includes(name)) {
        context.addIssue({ code: 'custom', path: ['optional', index], input: name, message: `"${name}" is listed as both required and optional; expected it in one list only` });
      }
    });
  });

const algorithmSchema = z.strictObject({
  image: z.string().min(1),
  /** Overrides the image's CMD; may use COMMAND_PLACEHOLDERS. Absent = the image's own. */
  command: z.array(commandArgument).min(1).optional(),
  resources: algorithmResources,
  /** Narrows the instance types the algorithm may run on (names or patterns). */
  instanceTypes: z.array(typePattern).min(1).optional(),
  architecture: architecture.optional(),
  /** Allowed GPU models ("A10G", "L4"); only consulted when resources.gpu > 0. */
  gpuModels: z.array(z.string().min(1)).min(1).optional(),
  env: section(algorithmEnv.prefault({})),
  timeoutSeconds: z.int().min(1).default(DEFAULT_TIMEOUT_SECONDS),
  retry: section(
    z
      .strictObject({
        /** Total attempts, the first included. */
        attempts: z.int().min(1).max(100).default(1),
        /** Exit codes worth retrying; empty = any non-zero exit. */
        exitCodes: z.array(z.int().min(1).max(255)).default([]),
      })
      .prefault({}),
  ),
});

// ---- controller --------------------------------------------------------------------

/** The cloud operations the controller rate-limits, each with its own concurrency and rate. */
export const CLOUD_API_OPERATIONS = ['launch', 'startTasks', 'terminate', 'describe'] as const;
export type CloudApiOperation = (typeof CLOUD_API_OPERATIONS)[number];

/** Defaults sized to stay well inside the EC2 and ECS API rate limits of one account. */
const DEFAULT_API_LIMITS: { readonly [Operation in CloudApiOperation]: { readonly concurrency: number; readonly perSecond: number } } = {
  launch: { concurrency: 2, perSecond: 2 },
  startTasks: { concurrency: 4, perSecond: 10 },
  terminate: { concurrency: 2, perSecond: 5 },
  describe: { concurrency: 1, perSecond: 1 },
};

/** Slower than a call per 100 s, the controller could not keep its fleet in view. */
const MIN_CALLS_PER_SECOND = 0.01;

function apiLimit(operation: CloudApiOperation) {
  const defaults = DEFAULT_API_LIMITS[operation];
  return section(
    z
      .strictObject({
        /** Calls in flight at once. */
        concurrency: z.int().min(1).default(defaults.concurrency),
        /** Calls started per second (a token bucket refilled at this rate); at least one call per 100 s. */
        perSecond: z.number().min(MIN_CALLS_PER_SECOND).default(defaults.perSecond),
      })
      .prefault({}),
  );
}

/** SQS caps a message's visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

const controllerSchema = z
  .strictObject({
    /** Loop period when nothing happens. */
    reconcileSeconds: z.number().positive().default(5),
    /** Period of a full describe() of the cloud, catching what events missed. */
    resyncSeconds: z.number().positive().default(60),
    /** Launch batching: wait until no new unplaceable job arrived for this long… */
    batchIdleSeconds: z.number().min(0).default(1),
    /** …but never longer than this after the first one. */
    batchMaxSeconds: z.number().min(0).default(10),
    /** A launched instance not registered with ECS after this long is failed and terminated. */
    registrationTimeoutSeconds: z.number().positive().default(300),
    /** A type that failed (capacity error, never registered) is avoided this long. */
    unavailableTypeSeconds: z.number().min(0).default(600),
    /** A node with no tasks and no bound jobs this long is drained and terminated. */
    idleSeconds: z.number().min(0).default(300),
    /**
     * Keep an empty node only as long as keeping it has paid, judged per type by how long
     * empty nodes waited for their next job so far (at most idleSeconds).
     */
    learnIdleSeconds: z.boolean().default(true),
    /** Type name or pattern -> nodes kept even when idle. */
    warmNodes: z.record(typePattern, z.int().min(0)).default({}),
    /** Backpressure: at most this many jobs held; the rest stay in the queue. */
    maxHeldJobs: z.int().min(1).default(1000),
    /**
     * A file where retries and dead letters the queue refused are kept until it takes them,
     * so a restart does not lose them (put it on a volume that outlives the container).
     * Absent: they are kept in memory only.
     */
    spoolFile: z.string().min(1).optional(),
    /** How long held messages stay invisible per extension. */
    visibilitySeconds: z.int().min(1).max(MAX_VISIBILITY_SECONDS).default(300),
    /**
     * Batch consolidation: a busy node whose most used resource is below
     * `utilizationBelow` gets no new jobs while the rest of the fleet can absorb its
     * share, so it empties as its tasks finish and idle shutdown removes it.
     */
    consolidation: section(
      z
        .strictObject({
          enabled: z.boolean().default(true),
          utilizationBelow: z.number().min(0).max(1).default(0.5),
        })
        .prefault({}),
    ),
    api: section(
      z
        .strictObject({
          launch: apiLimit('launch'),
          startTasks: apiLimit('startTasks'),
          terminate: apiLimit('terminate'),
          describe: apiLimit('describe'),
        })
        .prefault({}),
    ),
  })
  .superRefine((controller, context) => {
    if (controller.batchMaxSeconds < controller.batchIdleSeconds) {
      context.addIssue({
        code: 'custom',
        path: ['batchMaxSeconds'],
        input: controller.batchMaxSeconds,
        message: `expected batchMaxSeconds >= batchIdleSeconds (${controller.batchIdleSeconds}), got ${controller.batchMaxSeconds}`,
      });
    }
  });

// ---- cloud and queue --------------------------------------------------------------

const probability = z.number().min(0).max(1);

const simCloudSchema = z.strictObject({
  /** Seeds every random choice of the simulation: same seed, same run. */
  seed: z.int().default(1),
  /** Launch to ECS registration; an hour at most (real boots take about 40 s). */
  bootSeconds: z.number().min(0).max(3600).default(40),
  /** Boot time varies uniformly by up to this much either way (a boot is never shorter than 0 s). */
  bootJitterSeconds: z.number().min(0).default(10),
  /** Latency of every cloud call; a minute at most (a real call answers within seconds). */
  apiLatencyMs: z.number().min(0).max(60_000).default(50),
  /** Share of calls answered with a throttling error. */
  throttleRate: probability.default(0),
  /** Type name or pattern -> share of launches failing with insufficient capacity. */
  capacityErrors: z.record(typePattern, probability).default({}),
  /** Type name or pattern -> share of instances that boot but never register with ECS. */
  neverRegister: z.record(typePattern, probability).default({}),
  /** Algorithm -> how long its simulated tasks run. */
  durationSeconds: z.record(algorithmName, z.number().positive()).default({}),
  /** Run time of algorithms not in durationSeconds. */
  defaultDurationSeconds: z.number().positive().default(120),
  /** Share of tasks that exit non-zero. */
  failureRate: probability.default(0),
});

/** A string checked against a pattern, with an example of what was expected. */
function matching(pattern: RegExp, expected: string) {
  return z.string().refine((value) => pattern.test(value), {
    error: (issue) => `expected ${expected}, got ${describeValue(issue.input)}`,
  });
}

const awsRegion = matching(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as "us-east-1"');

const sqsQueueUrl = z.string().refine((url) => URL.canParse(url) && /^https?:\/\/[^/]+\/.+/.test(url), {
  error: (issue) => `expected an SQS queue URL such as "https://sqs.us-east-1.amazonaws.com/123456789012/loadmaster-jobs", got ${describeValue(issue.input)}`,
});

// Cluster names are letters, digits, "-" and "_", up to 255; an ARN names the cluster too.
const ecsCluster = matching(/^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/, 'an ECS cluster name such as "loadmaster" (letters, digits, "-" and "_") or its ARN');

// A family ("segment"), a family and revision ("segment:3"), or the task definition's ARN.
const taskDefinitionReference = matching(
  /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}(:[1-9]\d*)?$/,
  'a task definition "family" or "family:revision" (e.g. "segment-cells:3"), or its ARN',
);

const launchTemplateVersion = z.preprocess(
  // YAML reads `version: 3` as a number; EC2 takes the version as a string.
  (value) => (typeof value === 'number' ? String(value) : value),
  matching(/^(\$Latest|\$Default|[1-9]\d*)$/, '"$Latest", "$Default" or a version number'),
);

const launchTemplateSchema = z
  .strictObject({
    id: matching(/^lt-[0-9a-f]{8,17}$/, 'a launch template id such as "lt-0abc123def4567890"').optional(),
    name: matching(/^[A-Za-z0-9()./_-]{3,128}$/, 'a launch template name of 3 to 128 letters, digits and ( ) . / _ -').optional(),
    /** Absent: the template's default version. */
    version: launchTemplateVersion.optional(),
  })
  .superRefine((template, context) => {
    if (template.id !== undefined && template.name !== undefined) {
      context.addIssue({ code: 'custom', path: ['name'], input: template.name, message: `both id (${describeValue(template.id)}) and name are set; expected one of them` });
    } else if (template.id === undefined && template.name === undefined) {
      context.addIssue({ code: 'custom', input: template, message: 'missing: expected the launch template id ("lt-…") or name' });
    }
  });

// AWS's tag rules (ECS is the strictest of the services tagged): 1-128 characters for a
// key, up to 256 for a value, letters, digits, spaces and _ . : / = + - @.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** AWS allows 50 tags per resource; loadmaster puts up to 4 of its own on a task. */
const MAX_EXTRA_TAGS = 46;
const RESERVED_TAG_PREFIXES = ['aws:', 'loadmaster:'];

const tagKey = z.string().refine((key) => key.length >= 1 && key.length <= 128 && TAG_TEXT.test(key) && !RESERVED_TAG_PREFIXES.some((p) => key.toLowerCase().startsWith(p)), {
  error: (issue) =>
    `expected a tag key of 1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with "aws:" (AWS's) or "loadmaster:" (loadmaster's own), got ${describeValue(issue.input)}`,
});
const tagValue = z.string().refine((value) => value.length <= 256 && TAG_TEXT.test(value), {
  error: (issue) => `expected a tag value of at most 256 letters, digits, spaces and _ . : / = + - @, got ${describeValue(issue.input)}`,
});

/** CloudWatch evaluates at most one day of periods. */
const MAX_ALARM_WINDOW_SECONDS = 24 * 60 * 60;

const idleAlarmSchema = z
  .strictObject({
    /**
     * A CloudWatch alarm per instance that terminates it when its CPU stays low: a safety net
     * should loadmaster be down. Default: on, except with autoScaling (which refuses it).
     */
    enabled: z.boolean().optional(),
    cpuBelowPercent: z.number().positive().max(100).default(1),
    /** Consecutive periods below the threshold before the alarm fires. */
    periods: z.int().min(1).default(3),
    /** EC2 basic monitoring reports every 5 minutes, so shorter periods only add missing data. */
    periodSeconds: z.int().min(60).multipleOf(60).default(300),
  })
  .superRefine((alarm, context) => {
    if (alarm.periods * alarm.periodSeconds > MAX_ALARM_WINDOW_SECONDS) {
      context.addIssue({
        code: 'custom',
        path: ['periods'],
        input: alarm.periods,
        message: `periods × periodSeconds is ${alarm.periods * alarm.periodSeconds} s; expected at most ${MAX_ALARM_WINDOW_SECONDS} s (one day, CloudWatch's limit)`,
      });
    }
  });

// Letters, digits, "-", "_" and "." (instance type names have one), and the placeholders:
// names that are also safe inside the IAM policy's group ARNs.
const AUTO_SCALING_GROUP_NAME = /^([A-Za-z0-9._-]|\{cluster\}|\{type\})+$/;

const autoScalingSchema = z.strictObject({
  /** Present means on; `enabled: false` keeps the settings but launches with RunInstances. */
  enabled: z.boolean().default(true),
  /** One group per instance type: the name with {cluster} and {type} filled in. */
  groupName: z
    .string()
    .max(255)
    .refine((name) => AUTO_SCALING_GROUP_NAME.test(name) && name.includes('{type}'), {
      error: (issue) =>
        `expected a group name pattern with {type} (one group per instance type) and optionally {cluster}, otherwise letters, digits, "-", "_" and ".", such as "loadmaster-{cluster}-{type}", got ${describeValue(issue.input)}`,
    })
    .default('loadmaster-{cluster}-{type}'),
  /** Create a type's missing group from launchTemplate in subnetIds; false: every group must exist. */
  createGroups: z.boolean().default(true),
  /** MaxSize of the groups loadmaster creates; a launch stays within a group's MaxSize. */
  maxSize: z.int().min(1).max(10_000).default(100),
});

function autoScalingOn(autoScaling: { readonly enabled: boolean } | undefined): boolean {
  return autoScaling?.enabled === true;
}

/** Settings RunInstances takes that a group cannot: with autoScaling, the launch template must carry them. */
const NOT_WITH_AUTO_SCALING = {
  imageId: 'the AMI',
  securityGroupIds: 'the security groups',
  instanceProfileArn: 'the instance profile',
} as const;

/** The `cloud.aws` section as written; what `kind: aws` needs of it is checked in the cloud section. */
const awsCloudSchema = z
  .strictObject({
    /** Absent: the SDK's default chain (AWS_REGION, the shared config file). */
    region: awsRegion.optional(),
    cluster: ecsCluster.optional(),
    /** SQS queue fed by an EventBridge rule with ECS task and container-instance events. */
    eventsQueueUrl: sqsQueueUrl.optional(),
    /** Supplies AMI, network and user data; otherwise imageId, subnetIds, … below. */
    launchTemplate: launchTemplateSchema.optional(),
    /** Absent (and no launch template): the ECS-optimized AMI from SSM, by the catalog's architecture. */
    imageId: matching(/^ami-[0-9a-f]{8,17}$/, 'an AMI id such as "ami-0abc123def4567890"').optional(),
    subnetIds: z.array(matching(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id such as "subnet-0abc123def4567890"')).min(1).optional(),
    securityGroupIds: z.array(matching(/^sg-[0-9a-f]{8,17}$/, 'a security group id such as "sg-0abc123def4567890"')).min(1).optional(),
    instanceProfileArn: matching(
      /^(arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]{1,128}|[\w+=,.@-]{1,128})$/,
      'an instance profile ARN such as "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole" (or its name)',
    ).optional(),
    /** Algorithm -> task definition; an algorithm not listed runs "loadmaster-<algorithm>". */
    taskDefinitions: z.record(algorithmName, taskDefinitionReference).default({}),
    /** The container in each task definition that runs the job. */
    containerName: z.string().min(1).max(255).default('main'),
    /** Extra tags on every instance, volume and task loadmaster creates. */
    tags: z
      .record(tagKey, tagValue)
      .refine((tags) => Object.keys(tags).length <= MAX_EXTRA_TAGS, {
        error: (issue) => `expected at most ${MAX_EXTRA_TAGS} tags (AWS allows 50 per resource and loadmaster adds up to 4), got ${Object.keys(issue.input as object).length}`,
      })
      .default({}),
    idleAlarm: section(idleAlarmSchema.prefault({})),
    /** Launch through one EC2 Auto Scaling group per instance type instead of RunInstances. */
    autoScaling: z.preprocess((value) => (value === null ? {} : value), autoScalingSchema.optional()),
  })
  .superRefine((aws, context) => {
    if (!autoScalingOn(aws.autoScaling)) return;
    if (aws.launchTemplate === undefined) {
      context.addIssue({ code: 'custom', path: ['launchTemplate'], input: undefined, message: 'missing: autoScaling is on; expected the launch template the groups launch from' });
    }
    if (aws.autoScaling?.createGroups === true && aws.subnetIds === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['subnetIds'],
        input: undefined,
        message: 'missing: autoScaling.createGroups is on; expected subnetIds, the subnets of the groups loadmaster creates',
      });
    }
    for (const [key, what] of Object.entries(NOT_WITH_AUTO_SCALING)) {
      const value = aws[key as keyof typeof NOT_WITH_AUTO_SCALING];
      if (value === undefined) continue;
      context.addIssue({
        code: 'custom',
        path: [key],
        input: value,
        message: `not used with autoScaling: groups launch from the launch template alone; expected ${what} in the launch template and no ${key} here`,
      });
    }
    if (aws.idleAlarm.enabled === true) {
      context.addIssue({
        code: 'custom',
        path: ['idleAlarm', 'enabled'],
        input: true,
        message: 'idle alarms terminate instances behind their Auto Scaling group\'s back, and the group launches replacements; expected enabled: false (the default with autoScaling)',
      });
    }
  })
  .transform((aws) => ({ ...aws, idleAlarm: { ...aws.idleAlarm, enabled: aws.idleAlarm.enabled ?? !autoScalingOn(aws.autoScaling) } }));

type AwsCloudSection = z.output<typeof awsCloudSchema>;
/** `cloud.aws` of a config whose `cloud.kind` is aws: the cluster is known. */
export type AwsCloudConfig = Omit<AwsCloudSection, 'cluster'> & { readonly cluster: string };
export type IdleAlarmConfig = AwsCloudConfig['idleAlarm'];
export type LaunchTemplateConfig = NonNullable<AwsCloudConfig['launchTemplate']>;
export type AutoScalingConfig = NonNullable<AwsCloudConfig['autoScaling']>;

export const DEFAULT_TASK_DEFINITION_PREFIX = 'loadmaster-';

/** The task definition that runs an algorithm: the configured one, else "loadmaster-<algorithm>". */
export function taskDefinitionOf(aws: Pick<AwsCloudConfig, 'taskDefinitions'>, algorithm: string): string {
  return aws.taskDefinitions[algorithm] ?? `${DEFAULT_TASK_DEFINITION_PREFIX}${algorithm}`;
}

type SimCloudSection = z.output<typeof simCloudSchema>;

const cloudSchema = z
  .strictObject({
    kind: z.enum(['sim', 'aws']).default('sim'),
    sim: section(simCloudSchema.prefault({})),
    aws: section(awsCloudSchema.optional()),
  })
  .superRefine((cloud, context) => {
    if (cloud.kind !== 'aws') return;
    const aws: Partial<AwsCloudSection> = cloud.aws ?? {};
    if (aws.cluster === undefined) {
      context.addIssue({ code: 'custom', path: ['aws', 'cluster'], input: undefined, message: 'missing: cloud.kind is "aws"; expected the ECS cluster name, e.g. "loadmaster"' });
    }
    if (aws.launchTemplate === undefined && aws.subnetIds === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['aws', 'subnetIds'],
        input: undefined,
        message: 'missing: cloud.kind is "aws"; expected subnetIds (the subnets instances launch into) or a launchTemplate',
      });
    }
  })
  // Narrowed by kind, so that code reading `cloud.aws` after checking the kind needs no checks of its own.
  .transform(
    (cloud): { readonly kind: 'sim'; readonly sim: SimCloudSection; readonly aws?: undefined } | { readonly kind: 'aws'; readonly sim: SimCloudSection; readonly aws: AwsCloudConfig } =>
      cloud.kind === 'aws' ? { kind: 'aws', sim: cloud.sim, aws: { ...cloud.aws!, cluster: cloud.aws!.cluster! } } : { kind: 'sim', sim: cloud.sim },
  );

const memoryQueueSchema = z.strictObject({
  /** How long a received message stays invisible unless extended. */
  visibilitySeconds: z.int().min(1).max(MAX_VISIBILITY_SECONDS).default(300),
  /** After this many receives a message goes to the dead-letter queue. */
  maxReceives: z.int().min(1).default(5),
});

const sqsQueueSchema = z.strictObject({
  queueUrl: sqsQueueUrl.optional(),
  /** Where invalid messages and failed jobs go, with the reason as a message attribute. */
  deadLetterQueueUrl: sqsQueueUrl.optional(),
  /** ReceiveMessage calls in flight at once (each brings at most 10 messages). */
  pollers: z.int().min(1).max(10).default(2),
  /**
   * Long polling. The reconcile round waits for the receive, so this stays short: a long
   * wait on an empty queue would delay starts, launches and shutdowns by as much.
   */
  waitSeconds: z.int().min(0).max(20).default(1),
  /** Absent: cloud.aws.region, else the SDK's default chain. */
  region: awsRegion.optional(),
});

type SqsQueueSection = z.output<typeof sqsQueueSchema>;
/** `queue.sqs` of a config whose `queue.kind` is sqs: both queues are known. */
export type SqsQueueConfig = Omit<SqsQueueSection, 'queueUrl' | 'deadLetterQueueUrl'> & { readonly queueUrl: string; readonly deadLetterQueueUrl: string };

type MemoryQueueSection = z.output<typeof memoryQueueSchema>;

const queueSchema = z
  .strictObject({
    kind: z.enum(['memory', 'sqs']).default('memory'),
    memory: section(memoryQueueSchema.prefault({})),
    sqs: section(sqsQueueSchema.optional()),
  })
  .superRefine((queue, context) => {
    if (queue.kind !== 'sqs') return;
    const sqs: Partial<SqsQueueSection> = queue.sqs ?? {};
    if (sqs.queueUrl === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['sqs', 'queueUrl'],
        input: undefined,
        message: 'missing: queue.kind is "sqs"; expected the jobs queue URL, e.g. "https://sqs.us-east-1.amazonaws.com/123456789012/loadmaster-jobs"',
      });
    }
    if (sqs.deadLetterQueueUrl === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['sqs', 'deadLetterQueueUrl'],
        input: undefined,
        message: 'missing: queue.kind is "sqs"; expected the dead-letter queue URL (invalid messages and failed jobs go there with the reason)',
      });
    } else if (sqs.deadLetterQueueUrl === sqs.queueUrl) {
      context.addIssue({
        code: 'custom',
        path: ['sqs', 'deadLetterQueueUrl'],
        input: sqs.deadLetterQueueUrl,
        message: 'the same URL as queueUrl; expected a separate dead-letter queue (dead letters would come back as jobs)',
      });
    }
  })
  .transform(
    (queue): { readonly kind: 'memory'; readonly memory: MemoryQueueSection; readonly sqs?: undefined } | { readonly kind: 'sqs'; readonly memory: MemoryQueueSection; readonly sqs: SqsQueueConfig } =>
      queue.kind === 'sqs'
        ? { kind: 'sqs', memory: queue.memory, sqs: { ...queue.sqs!, queueUrl: queue.sqs!.queueUrl!, deadLetterQueueUrl: queue.sqs!.deadLetterQueueUrl! } }
        : { kind: 'memory', memory: queue.memory },
  );

// ---- server and log ---------------------------------------------------------------

const serverSchema = z.strictObject({
  /** Loopback by default: the state and submit endpoints have no authentication. */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port. */
  port: z.int().min(0).max(65535).default(9464),
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const logSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
});

// ---- the whole file ---------------------------------------------------------------

export const configSchema = z
  .strictObject({
    catalog: section(catalogSchema.prefault({})),
    policy: section(policySchema.prefault({})),
    /** The registered algorithms, one ECS task definition each. */
    algorithms: z.record(algorithmName, algorithmSchema),
    controller: section(controllerSchema.prefault({})),
    cloud: section(cloudSchema.prefault({})),
    queue: section(queueSchema.prefault({})),
    server: section(serverSchema.prefault({})),
    log: section(logSchema.prefault({})),
  })
  .superRefine((config, context) => {
    if (Object.keys(config.algorithms).length === 0) {
      context.addIssue({ code: 'custom', path: ['algorithms'], input: config.algorithms, message: 'expected at least one algorithm, got none' });
    }
    // The alarm is the safety net for a daemon that is gone: firing before the daemon's own
    // idle shutdown, it would terminate nodes the daemon is about to reuse.
    const alarm = config.cloud.aws?.idleAlarm;
    if (alarm?.enabled && alarm.periods * alarm.periodSeconds <= config.controller.idleSeconds) {
      context.addIssue({
        code: 'custom',
        path: ['cloud', 'aws', 'idleAlarm', 'periods'],
        input: alarm.periods,
        message: `the idle alarm fires after periods × periodSeconds = ${alarm.periods * alarm.periodSeconds} s; expected more than controller.idleSeconds (${config.controller.idleSeconds} s), so that loadmaster retires idle nodes first`,
      });
    }
    // ECS events read as job messages would all be dead-lettered, and job messages read as events lost.
    const eventsQueueUrl = config.cloud.aws?.eventsQueueUrl;
    const sqs = config.queue.sqs;
    const sameAs = sqs === undefined || eventsQueueUrl === undefined ? undefined : eventsQueueUrl === sqs.queueUrl ? 'queueUrl' : eventsQueueUrl === sqs.deadLetterQueueUrl ? 'deadLetterQueueUrl' : undefined;
    if (sameAs !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['cloud', 'aws', 'eventsQueueUrl'],
        input: eventsQueueUrl,
        message: `the same URL as queue.sqs.${sameAs}; expected a queue of its own for ECS events`,
      });
    }
  });

export type LoadmasterConfig = z.output<typeof configSchema>;
export type AlgorithmConfig = LoadmasterConfig['algorithms'][string];
export type CatalogConfig = LoadmasterConfig['catalog'];
export type PolicyConfig = LoadmasterConfig['policy'];
export type ControllerConfig = LoadmasterConfig['controller'];
export type ApiLimitConfig = ControllerConfig['api'][CloudApiOperation];
export type CloudConfig = LoadmasterConfig['cloud'];
export type SimCloudConfig = CloudConfig['sim'];
export type QueueConfig = LoadmasterConfig['queue'];
export type MemoryQueueConfig = QueueConfig['memory'];
export type ServerConfig = LoadmasterConfig['server'];
export type LogConfig = LoadmasterConfig['log'];
