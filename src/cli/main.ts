// The loadmaster command line. bin/loadmaster.js calls main(); tests call it with their
// own argv and streams. Exit codes: 0 ok, 2 the user's mistake (flags, config,
// snapshot), 1 loadmaster's own failure.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { outputFailed, processIo, watchOutputErrors, type CliIo } from './cli-io.ts';
import { runConfigCheck } from './commands/config-check.ts';
import { runIamPolicy, type IamPolicyOptions } from './commands/iam-policy.ts';
import { runPlan, type PlanOptions } from './commands/plan.ts';
import { runDaemon, type RunOptions } from './commands/run.ts';
import { runSimulate, type SimulateOptions } from './commands/simulate.ts';
import { runStatus, type StatusOptions } from './commands/status.ts';
import { POLICY_NAMES } from '../core/policies/fleet-policy.ts';
import { runSubmit, type SubmitOptions } from './commands/submit.ts';
import { runTraceConvert, runTraceSynth, type TraceConvertOptions, type TraceSynthOptions } from './commands/trace.ts';
import { DEFAULT_DAEMON_URL } from './daemon-client.ts';
import { EXIT_INTERNAL, EXIT_USAGE } from './report-input-error.ts';

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) watchOutputErrors();
  let exitCode = 0;
  const program = new Command('loadmaster')
    .description('Schedules batch container jobs onto right-sized EC2 instances for Amazon ECS.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)');

  const config = program.command('config').description('work with config files');
  config
    .command('check')
    .description('validate config files offline, exactly as the daemon does at start')
    .argument('<files...>', 'YAML config files')
    .action(async (files: string[]) => {
      exitCode = await runConfigCheck(files, io);
    });

  program
    .command('plan')
    .description('show what loadmaster would start, launch and leave waiting for a state snapshot')
    .requiredOption('--config <file>', 'YAML config file')
    .requiredOption('--state <file>', 'state snapshot (JSON: pending jobs and nodes)')
    .option('--json', 'print the plan as JSON')
    .action(async (options: PlanOptions) => {
      exitCode = await runPlan(options, io);
    });

  program
    .command('iam-policy')
    .description('print the least-privilege IAM policy (JSON) the daemon needs for the config\'s cloud: aws and queue: sqs')
    .requiredOption('--config <file>', 'YAML config file')
    .option('--region <region>', 'region for the ARNs (default: cloud.aws.region, else *)')
    .option('--account-id <id>', '12-digit account id for the ARNs (default: from the cluster ARN, else *)')
    .option('--instance-role-arn <arn>', 'the role in the instance profile (default: named like the profile)')
    .option('--task-role-arn <arns...>', 'task roles and task execution roles StartTask passes to ECS')
    .action(async (options: IamPolicyOptions) => {
      exitCode = await runIamPolicy(options, io);
    });

  program
    .command('run')
    .description('run the daemon: the reconcile loop on the configured cloud and queue, with /metrics, /healthz, /readyz, /v1/state and POST /v1/jobs')
    .requiredOption('--config <file>', 'YAML config file')
    .option('--demo', 'submit a stream of image-processing jobs (bursts of uploads) and run 60x faster than real time')
    .option('--time-scale <factor>', 'seconds of simulated time per wall-clock second (default 1, or 60 with --demo)')
    .option('--exit-when-idle', 'with --demo: stop once the stream is done, every job finished and the fleet is idle')
    .option('--watch', 'reload the config when the file changes (SIGHUP does too)')
    .action(async (options: RunOptions) => {
      exitCode = await runDaemon(options, io);
    });

  program
    .command('submit')
    .description('send job messages to a running daemon: one JSON object, a JSON array, or JSON lines')
    .argument('<file>', 'file with the job messages, or - for standard input')
    .option('--url <url>', 'the daemon\'s HTTP address', DEFAULT_DAEMON_URL)
    .action(async (file: string, options: SubmitOptions) => {
      exitCode = await runSubmit(file, options, io);
    });

  program
    .command('status')
    .description('show what a running daemon is doing: pending jobs and why, nodes, running jobs, recent decisions, cost')
    .option('--url <url>', 'the daemon\'s HTTP address', DEFAULT_DAEMON_URL)
    .option('--json', 'print the state as JSON (the body of GET /v1/state)')
    .action(async (options: StatusOptions) => {
      exitCode = await runStatus(options, io);
    });

  program
    .command('simulate')
    .description('replay a job trace through the real controller on the simulated cloud, in virtual time, once per placement policy, against lower bounds on its cost')
    .requiredOption('--trace <file>', 'the trace: JSON lines (loadmaster trace synth/convert) or an Alibaba GPU 2023 pod CSV')
    .requiredOption('--config <file>', 'YAML config: catalog, policy limits, algorithms, controller timing, cloud.sim')
    .option('--policy <names>', `loadmaster (default), all, or a comma-separated list of ${POLICY_NAMES.join(', ')}`)
    .option('--format <format>', 'trace format: jsonl or alibaba (default: alibaba for .csv files, else jsonl)')
    .option('--report <dir>', 'also write report.json and report.html (charts) into this directory')
    .action(async (options: SimulateOptions) => {
      exitCode = await runSimulate(options, io);
    });

  const trace = program.command('trace').description('write job traces (JSON lines: arrival, job message, run time, exit code) for simulations to replay');
  trace
    .command('synth')
    .description('generate a seeded working day of image-processing uploads (bursts of plates, per-image and whole-plate steps)')
    .option('--seed <n>', 'random seed (default 1)')
    .option('--uploads <n>', 'plates uploaded over the day, 20 to 200 images each (default 40)')
    .option('--config <file>', 'YAML config whose algorithms and cloud.sim durations the jobs use (default examples/config.yaml)')
    .option('--out <file>', 'write the trace to this file instead of standard output')
    .action(async (options: TraceSynthOptions) => {
      exitCode = await runTraceSynth(options, io);
    });
  trace
    .command('convert')
    .description('convert a cluster trace to loadmaster\'s format (Alibaba GPU 2023: see src/simulation/traces/README.md)')
    .requiredOption('--alibaba <csv>', 'an openb_pod_list_*.csv file of Alibaba\'s cluster-trace-gpu-v2023')
    .option('--out <file>', 'write the trace to this file instead of standard output')
    .action(async (options: TraceConvertOptions) => {
      exitCode = await runTraceConvert(options, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode === 0 && outputFailed() ? EXIT_INTERNAL : exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here too, with exit code 0; the message is already printed.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    io.stderr.write(`loadmaster: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env['LOADMASTER_DEBUG'] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT_INTERNAL;
  }
}

/** Read at run time: the same relative path works from src/cli and dist/cli. */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string' ? parsed.version : 'unknown';
}
