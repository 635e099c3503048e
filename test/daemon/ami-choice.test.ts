import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERHEAD } from '../../src/core/catalog/allocatable.ts';
import { buildCatalog } from '../../src/core/catalog/build-catalog.ts';
import { amiMismatch, chooseAmi } from '../../src/daemon/ami-choice.ts';

const catalog = (...include: string[]) => buildCatalog({ include, overhead: DEFAULT_OVERHEAD });
const fromSsm = {};

describe('choosing the AMI for cloud: aws', () => {
  it('resolves the ECS-optimized AMI for a one-architecture catalog, the GPU one when it has GPU types', () => {
    expect(chooseAmi(fromSsm, catalog('c7g.*', 'm7g.*'))).toEqual({ kind: 'ecs-optimized', architecture: 'arm64', gpu: false });
    expect(chooseAmi(fromSsm, catalog('m7i.*', 'g5.*'))).toEqual({ kind: 'ecs-optimized', architecture: 'x86_64', gpu: true });
  });

  it('refuses a catalog of both architectures without a launch template, naming the fix', () => {
    const choice = chooseAmi(fromSsm, catalog('m7g.large', 'm7i.large'));
    expect(choice).toEqual({
      issues: [
        {
          path: 'cloud.aws',
          message: expect.stringMatching(/^the catalog has both x86_64 and arm64 types \(e\.g\. m7i\.large and m7g\.large\), and the ECS-optimized AMI is resolved for one architecture; expected: narrow catalog\.include to one architecture .*or give cloud\.aws\.launchTemplate$/),
        },
      ],
    });
    const withImage = chooseAmi({ imageId: 'ami-0abc1234' }, catalog('m7g.large', 'm7i.large'));
    expect(withImage).toEqual({ issues: [{ path: 'cloud.aws.imageId', message: expect.stringContaining('ami-0abc1234 boots one architecture only') }] });
  });

  it('leaves a mixed catalog to the launch template, with a warning', () => {
    expect(chooseAmi({ launchTemplate: { name: 'nodes' } }, catalog('m7g.large', 'm7i.large'))).toEqual({
      kind: 'launch-template',
      warning: "the catalog has both x86_64 and arm64 types (e.g. m7i.large and m7g.large): the launch template's AMI must boot every one of them",
    });
    expect(chooseAmi({ launchTemplate: { name: 'nodes' } }, catalog('m7g.large'))).toEqual({ kind: 'launch-template' });
  });

  it('refuses arm64 GPU types without an AMI of its own: AWS publishes no ECS GPU AMI for arm64', () => {
    const choice = chooseAmi(fromSsm, catalog('m7g.*', 'g5g.*'));
    expect('issues' in choice && choice.issues[0]!.message).toMatch(/^the catalog has arm64 GPU types \(g5g\.[0-9a-z]+, .*expected cloud\.aws\.imageId/);
    expect(chooseAmi({ imageId: 'ami-0abc1234' }, catalog('m7g.*', 'g5g.*'))).toMatchObject({ kind: 'image-id', architecture: 'arm64', gpu: true });
  });

  it('on reload, refuses a catalog the AMI chosen at start cannot boot', () => {
    const started = chooseAmi(fromSsm, catalog('m7i.*'));
    if ('issues' in started) throw new Error('expected a choice');
    expect(amiMismatch(started, fromSsm, catalog('m7i.*', 'c7i.*'))).toEqual([]);
    expect(amiMismatch(started, fromSsm, catalog('m7g.*'))[0]).toEqual({
      path: 'catalog',
      message: 'the catalog is now arm64 but the AMI chosen at start boots x86_64 only; expected x86_64 types on reload (restart loadmaster to change the architecture)',
    });
    expect(amiMismatch(started, fromSsm, catalog('m7i.*', 'g5.*'))[0]!.message).toMatch(/now has GPU types but the AMI resolved at start has no GPU driver/);
    expect(amiMismatch(started, { imageId: 'ami-0abc1234' }, catalog('m7i.*'))[0]!.message).toMatch(/the way the AMI is chosen .* changed/);
  });
});
