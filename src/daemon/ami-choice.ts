// Which machine image the AWS cloud launches. One RunInstances request carries one AMI,
// and an AMI boots one CPU architecture, so without a launch template loadmaster can
// only launch a catalog of one architecture. Pure: the SSM look-up is the caller's.
import type { AwsCloudConfig } from '../config/config-schema.ts';
import type { Architecture, InstanceType } from '../core/catalog/instance-type.ts';
import type { InputIssue } from '../config/input-issues.ts';

/** How the AMI is chosen: given (imageId or the template's), or the ECS-optimized one from SSM. */
export type AmiChoice =
  | { readonly kind: 'launch-template'; readonly warning?: string }
  | { readonly kind: 'image-id'; readonly imageId: string; readonly architecture: Architecture; readonly gpu: boolean }
  | { readonly kind: 'ecs-optimized'; readonly architecture: Architecture; readonly gpu: boolean };

const NARROW_TO_ONE_ARCHITECTURE =
  'narrow catalog.include to one architecture (e.g. ["c7g.*", "m7g.*", "r7g.*"] for arm64, or ["c7i.*", "m7i.*", "r7i.*"] for x86_64), ' +
  'or run one loadmaster per architecture, or give cloud.aws.launchTemplate';

/** The AMI choice for this catalog, or the issues that make the config unlaunchable. */
export function chooseAmi(aws: Pick<AwsCloudConfig, 'launchTemplate' | 'imageId'>, catalog: readonly InstanceType[]): AmiChoice | { readonly issues: readonly InputIssue[] } {
  const architectures = [...new Set(catalog.map((t) => t.architecture))].sort();
  const mixed = architectures.length > 1 ? mixedArchitectures(catalog) : undefined;
  if (aws.launchTemplate !== undefined) {
    // The template's AMI is one architecture too, but only its author knows which.
    return mixed === undefined ? { kind: 'launch-template' } : { kind: 'launch-template', warning: `${mixed}: the launch template's AMI must boot every one of them` };
  }
  const where = aws.imageId === undefined ? 'cloud.aws' : 'cloud.aws.imageId';
  if (mixed !== undefined) {
    const what = aws.imageId === undefined ? 'the ECS-optimized AMI is resolved for one architecture' : `${aws.imageId} boots one architecture only`;
    return { issues: [{ path: where, message: `${mixed}, and ${what}; expected: ${NARROW_TO_ONE_ARCHITECTURE}` }] };
  }
  const architecture = architectures[0] ?? 'x86_64';
  const gpuTypes = catalog.filter((t) => t.gpu > 0);
  if (aws.imageId !== undefined) return { kind: 'image-id', imageId: aws.imageId, architecture, gpu: gpuTypes.length > 0 };
  // AWS publishes the ECS GPU AMI for x86_64 only; it also runs non-GPU x86_64 types (AWS
  // Batch uses it so), so a catalog with any GPU type takes it for every type.
  if (gpuTypes.length > 0 && architecture === 'arm64') {
    const names = gpuTypes.slice(0, 3).map((t) => t.name);
    return {
      issues: [
        {
          path: 'cloud.aws',
          message:
            `the catalog has arm64 GPU types (${names.join(', ')}${gpuTypes.length > 3 ? ', …' : ''}) and AWS publishes no ECS-optimized GPU AMI for arm64; ` +
            'expected cloud.aws.imageId (an arm64 AMI with the NVIDIA driver) or a launchTemplate, or those types left out by catalog.exclude',
        },
      ],
    };
  }
  return { kind: 'ecs-optimized', architecture, gpu: gpuTypes.length > 0 };
}

/**
 * Why a reloaded catalog does not suit the AMI chosen at start (a reload cannot change the
 * AMI: it is chosen, and for SSM resolved, once); empty when it does.
 */
export function amiMismatch(started: AmiChoice, aws: Pick<AwsCloudConfig, 'launchTemplate' | 'imageId'>, catalog: readonly InstanceType[]): readonly InputIssue[] {
  const next = chooseAmi(aws, catalog);
  if ('issues' in next) return next.issues;
  if (next.kind !== started.kind) {
    return [{ path: 'cloud.aws', message: 'the way the AMI is chosen (launchTemplate, imageId or SSM) changed; expected it unchanged on reload (restart loadmaster to change it)' }];
  }
  if (started.kind === 'launch-template' || next.kind === 'launch-template') return [];
  if (next.architecture !== started.architecture) {
    return [{ path: 'catalog', message: `the catalog is now ${next.architecture} but the AMI chosen at start boots ${started.architecture} only; expected ${started.architecture} types on reload (restart loadmaster to change the architecture)` }];
  }
  if (started.kind === 'ecs-optimized' && next.gpu && !started.gpu) {
    return [{ path: 'catalog', message: 'the catalog now has GPU types but the AMI resolved at start has no GPU driver; expected no GPU types on reload (restart loadmaster to add them)' }];
  }
  return [];
}

function mixedArchitectures(catalog: readonly InstanceType[]): string {
  const example = (architecture: Architecture) => catalog.find((t) => t.architecture === architecture)?.name ?? '?';
  return `the catalog has both x86_64 and arm64 types (e.g. ${example('x86_64')} and ${example('arm64')})`;
}
