// `loadmaster run` with cloud: aws: what it refuses before touching AWS, and how it says
// that AWS could not be asked. The daemon on AWS itself is in test/aws/daemon-aws.moto.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, writeTempFiles } from './cli-test-helpers.ts';

const awsConfig = (catalog: string) => `
catalog: ${catalog}
algorithms:
  segment: { image: example/segment:1, resources: { cpu: 512, memoryMiB: 1024 } }
cloud: { kind: aws, aws: { region: us-east-1, cluster: lm, subnetIds: [subnet-0abc1234] } }
server: { port: 0 }
log: { level: silent }
`;

describe('loadmaster run on cloud: aws', () => {
  let savedEnv: NodeJS.ProcessEnv;
  beforeEach(() => {
    savedEnv = { ...process.env };
    // Nothing listens on port 9 (discard): any AWS call fails at once, and is tried once.
    const otherThanAws = Object.entries(savedEnv).filter(([name]) => !name.startsWith('AWS_'));
    process.env = { ...Object.fromEntries(otherThanAws), AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_MAX_ATTEMPTS: '1' };
  });
  afterEach(() => {
    process.env = savedEnv;
  });

  it('refuses --demo and --time-scale: the demo feeds the embedded queue, and AWS runs in real time', async () => {
    const { 'aws.yaml': file } = await writeTempFiles({ 'aws.yaml': awsConfig('{ include: ["m7i.*"] }') });
    const demo = await runCli('run', '--config', file!, '--demo');
    expect(demo.code).toBe(2);
    expect(demo.stderr).toBe(
      `${file}: --demo runs only on the embedded backends (cloud.kind: sim, queue.kind: memory); this config has cloud.kind: aws, queue.kind: memory. Submit real jobs with \`loadmaster submit\` or to the SQS queue instead\n`,
    );
    const scaled = await runCli('run', '--config', file!, '--time-scale', '10');
    expect(scaled.code).toBe(2);
    expect(scaled.stderr).toBe(`${file}: --time-scale 10: expected 1 with cloud.kind: aws (AWS runs in real time); only the simulated cloud can run faster\n`);
  });

  it('refuses a catalog of both architectures without a launch template, before any AWS call', async () => {
    const { 'aws.yaml': file } = await writeTempFiles({ 'aws.yaml': awsConfig('{ include: ["m7i.large", "m7g.large"] }') });
    const run = await runCli('run', '--config', file!);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${file}: cloud\\.aws: the catalog has both x86_64 and arm64 types \\(e\\.g\\. m7i\\.large and m7g\\.large\\).*give cloud\\.aws\\.launchTemplate\\n$`));
  });

  it('says so, without a stack, when the ECS-optimized AMI cannot be read from SSM', async () => {
    const { 'aws.yaml': file } = await writeTempFiles({ 'aws.yaml': awsConfig('{ include: ["m7i.*"] }') });
    const run = await runCli('run', '--config', file!);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^${file}: cannot start: cloud\\.aws: cannot read the ECS-optimized AMI id from the SSM parameter /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id \\(.+\\); expected AWS credentials and a region that allow ssm:GetParameter, or cloud\\.aws\\.imageId / launchTemplate set\\n$`),
    );
  });
});
