// The built-in instance type catalog: current-generation types that image-processing
// jobs are placed on, with the us-east-1 on-demand Linux price.
//
// Sources (looked up 2026; the table is only as current as they are):
// - Prices, every row: Karpenter's generated us-east-1 on-demand table
//   (aws/karpenter-provider-aws, pkg/providers/pricing/zz_generated.pricing_aws.go,
//   "generated at 2026-01-19T13:23:24Z for us-east-1", read from the AWS Pricing API).
//   It already carries the June 2025 P4d price cut (p4d.24xlarge 21.957642, was 32.7726).
// - vCPU / memory / GPU, checked per type against:
//   Karpenter's generated instance-types reference (from DescribeInstanceTypes): c5.large,
//     c7a, c7g, c7i up to 24xlarge, r5 4xlarge-24xlarge, r7a, r7g, r7i.48xlarge;
//   OpenShift ROSA instance type list: m5, m6a, m6i, m7a, m7i, r5, r6a, r6i, c5, c6a, c6i
//     (xlarge and up), p3, p4d, g4dn, g5;
//   AWS Batch "GPU jobs" guide: g4dn, g5, g5g and g6 up to 4xlarge (GPU counts and memory);
//   torchx named AWS resources: g6e (all sizes), GPU counts of g4dn, g5, p3, p4d;
//   third-party code listings: g6 12xlarge-48xlarge.
// - NOT individually verified (best-known figures; they follow AWS's regular size ladder,
//   which the tests check): m6g, m7g, c6g, r6g vCPU/memory; the .large size of m5, m6i,
//   m6a, m7a, m7i, c6i, c6a, r5, r6i, r6a; r7i below 48xlarge.
//
// Memory is the advertised GiB × 1024; what ECS can hand to tasks is computed from it
// in allocatable.ts. metal sizes are left out except where they are the only way to
// get a GPU count (g4dn.metal: 8 × T4) or complete a GPU family (g5g.metal).

import type { Architecture, InstanceTypeSpec } from './instance-type.ts';

/** The month the prices reflect (Karpenter's table generated 2026-01-19). */
export const PRICES_AS_OF = '2026-01';

const GIB = 1024;

function cpuType(name: string, vcpu: number, memoryGiB: number, architecture: Architecture, pricePerHour: number): InstanceTypeSpec {
  return Object.freeze({ name, vcpu, memoryMiB: memoryGiB * GIB, gpu: 0, architecture, pricePerHour });
}

function gpuType(
  name: string,
  vcpu: number,
  memoryGiB: number,
  gpu: number,
  gpuModel: string,
  architecture: Architecture,
  pricePerHour: number,
): InstanceTypeSpec {
  return Object.freeze({ name, vcpu, memoryMiB: memoryGiB * GIB, gpu, gpuModel, architecture, pricePerHour });
}

const X86 = 'x86_64';
const ARM = 'arm64';

export const BUILTIN_INSTANCE_TYPES: readonly InstanceTypeSpec[] = Object.freeze([
  // ── General purpose: 4 GiB per vCPU ──────────────────────────────────────────
  // m5: Intel Xeon Platinum (Skylake / Cascade Lake)
  cpuType('m5.large', 2, 8, X86, 0.096),
  cpuType('m5.xlarge', 4, 16, X86, 0.192),
  cpuType('m5.2xlarge', 8, 32, X86, 0.384),
  cpuType('m5.4xlarge', 16, 64, X86, 0.768),
  cpuType('m5.8xlarge', 32, 128, X86, 1.536),
  cpuType('m5.12xlarge', 48, 192, X86, 2.304),
  cpuType('m5.16xlarge', 64, 256, X86, 3.072),
  cpuType('m5.24xlarge', 96, 384, X86, 4.608),
  // m6i: Intel Xeon 3rd gen (Ice Lake)
  cpuType('m6i.large', 2, 8, X86, 0.096),
  cpuType('m6i.xlarge', 4, 16, X86, 0.192),
  cpuType('m6i.2xlarge', 8, 32, X86, 0.384),
  cpuType('m6i.4xlarge', 16, 64, X86, 0.768),
  cpuType('m6i.8xlarge', 32, 128, X86, 1.536),
  cpuType('m6i.12xlarge', 48, 192, X86, 2.304),
  cpuType('m6i.16xlarge', 64, 256, X86, 3.072),
  cpuType('m6i.24xlarge', 96, 384, X86, 4.608),
  cpuType('m6i.32xlarge', 128, 512, X86, 6.144),
  // m7i: Intel Xeon 4th gen (Sapphire Rapids)
  cpuType('m7i.large', 2, 8, X86, 0.1008),
  cpuType('m7i.xlarge', 4, 16, X86, 0.2016),
  cpuType('m7i.2xlarge', 8, 32, X86, 0.4032),
  cpuType('m7i.4xlarge', 16, 64, X86, 0.8064),
  cpuType('m7i.8xlarge', 32, 128, X86, 1.6128),
  cpuType('m7i.12xlarge', 48, 192, X86, 2.4192),
  cpuType('m7i.16xlarge', 64, 256, X86, 3.2256),
  cpuType('m7i.24xlarge', 96, 384, X86, 4.8384),
  cpuType('m7i.48xlarge', 192, 768, X86, 9.6768),
  // m6a: AMD EPYC 3rd gen (Milan)
  cpuType('m6a.large', 2, 8, X86, 0.0864),
  cpuType('m6a.xlarge', 4, 16, X86, 0.1728),
  cpuType('m6a.2xlarge', 8, 32, X86, 0.3456),
  cpuType('m6a.4xlarge', 16, 64, X86, 0.6912),
  cpuType('m6a.8xlarge', 32, 128, X86, 1.3824),
  cpuType('m6a.12xlarge', 48, 192, X86, 2.0736),
  cpuType('m6a.16xlarge', 64, 256, X86, 2.7648),
  cpuType('m6a.24xlarge', 96, 384, X86, 4.1472),
  cpuType('m6a.32xlarge', 128, 512, X86, 5.5296),
  cpuType('m6a.48xlarge', 192, 768, X86, 8.2944),
  // m7a: AMD EPYC 4th gen (Genoa); one vCPU is a physical core (no SMT)
  cpuType('m7a.large', 2, 8, X86, 0.11592),
  cpuType('m7a.xlarge', 4, 16, X86, 0.23184),
  cpuType('m7a.2xlarge', 8, 32, X86, 0.46368),
  cpuType('m7a.4xlarge', 16, 64, X86, 0.92736),
  cpuType('m7a.8xlarge', 32, 128, X86, 1.85472),
  cpuType('m7a.12xlarge', 48, 192, X86, 2.78208),
  cpuType('m7a.16xlarge', 64, 256, X86, 3.70944),
  cpuType('m7a.24xlarge', 96, 384, X86, 5.56416),
  cpuType('m7a.32xlarge', 128, 512, X86, 7.41888),
  cpuType('m7a.48xlarge', 192, 768, X86, 11.12832),
  // m6g: AWS Graviton2 (Arm)
  cpuType('m6g.large', 2, 8, ARM, 0.077),
  cpuType('m6g.xlarge', 4, 16, ARM, 0.154),
  cpuType('m6g.2xlarge', 8, 32, ARM, 0.308),
  cpuType('m6g.4xlarge', 16, 64, ARM, 0.616),
  cpuType('m6g.8xlarge', 32, 128, ARM, 1.232),
  cpuType('m6g.12xlarge', 48, 192, ARM, 1.848),
  cpuType('m6g.16xlarge', 64, 256, ARM, 2.464),
  // m7g: AWS Graviton3 (Arm)
  cpuType('m7g.large', 2, 8, ARM, 0.0816),
  cpuType('m7g.xlarge', 4, 16, ARM, 0.1632),
  cpuType('m7g.2xlarge', 8, 32, ARM, 0.3264),
  cpuType('m7g.4xlarge', 16, 64, ARM, 0.6528),
  cpuType('m7g.8xlarge', 32, 128, ARM, 1.3056),
  cpuType('m7g.12xlarge', 48, 192, ARM, 1.9584),
  cpuType('m7g.16xlarge', 64, 256, ARM, 2.6112),

  // ── Compute optimized: 2 GiB per vCPU ────────────────────────────────────────
  // c5: Intel Xeon Platinum (Skylake / Cascade Lake); its sizes step 9x/18x, not 8x/16x
  cpuType('c5.large', 2, 4, X86, 0.085),
  cpuType('c5.xlarge', 4, 8, X86, 0.17),
  cpuType('c5.2xlarge', 8, 16, X86, 0.34),
  cpuType('c5.4xlarge', 16, 32, X86, 0.68),
  cpuType('c5.9xlarge', 36, 72, X86, 1.53),
  cpuType('c5.12xlarge', 48, 96, X86, 2.04),
  cpuType('c5.18xlarge', 72, 144, X86, 3.06),
  cpuType('c5.24xlarge', 96, 192, X86, 4.08),
  // c6i: Intel Xeon 3rd gen (Ice Lake)
  cpuType('c6i.large', 2, 4, X86, 0.085),
  cpuType('c6i.xlarge', 4, 8, X86, 0.17),
  cpuType('c6i.2xlarge', 8, 16, X86, 0.34),
  cpuType('c6i.4xlarge', 16, 32, X86, 0.68),
  cpuType('c6i.8xlarge', 32, 64, X86, 1.36),
  cpuType('c6i.12xlarge', 48, 96, X86, 2.04),
  cpuType('c6i.16xlarge', 64, 128, X86, 2.72),
  cpuType('c6i.24xlarge', 96, 192, X86, 4.08),
  cpuType('c6i.32xlarge', 128, 256, X86, 5.44),
  // c7i: Intel Xeon 4th gen (Sapphire Rapids)
  cpuType('c7i.large', 2, 4, X86, 0.08925),
  cpuType('c7i.xlarge', 4, 8, X86, 0.1785),
  cpuType('c7i.2xlarge', 8, 16, X86, 0.357),
  cpuType('c7i.4xlarge', 16, 32, X86, 0.714),
  cpuType('c7i.8xlarge', 32, 64, X86, 1.428),
  cpuType('c7i.12xlarge', 48, 96, X86, 2.142),
  cpuType('c7i.16xlarge', 64, 128, X86, 2.856),
  cpuType('c7i.24xlarge', 96, 192, X86, 4.284),
  cpuType('c7i.48xlarge', 192, 384, X86, 8.568),
  // c6a: AMD EPYC 3rd gen (Milan)
  cpuType('c6a.large', 2, 4, X86, 0.0765),
  cpuType('c6a.xlarge', 4, 8, X86, 0.153),
  cpuType('c6a.2xlarge', 8, 16, X86, 0.306),
  cpuType('c6a.4xlarge', 16, 32, X86, 0.612),
  cpuType('c6a.8xlarge', 32, 64, X86, 1.224),
  cpuType('c6a.12xlarge', 48, 96, X86, 1.836),
  cpuType('c6a.16xlarge', 64, 128, X86, 2.448),
  cpuType('c6a.24xlarge', 96, 192, X86, 3.672),
  cpuType('c6a.32xlarge', 128, 256, X86, 4.896),
  cpuType('c6a.48xlarge', 192, 384, X86, 7.344),
  // c7a: AMD EPYC 4th gen (Genoa); one vCPU is a physical core (no SMT)
  cpuType('c7a.large', 2, 4, X86, 0.10264),
  cpuType('c7a.xlarge', 4, 8, X86, 0.20528),
  cpuType('c7a.2xlarge', 8, 16, X86, 0.41056),
  cpuType('c7a.4xlarge', 16, 32, X86, 0.82112),
  cpuType('c7a.8xlarge', 32, 64, X86, 1.64224),
  cpuType('c7a.12xlarge', 48, 96, X86, 2.46336),
  cpuType('c7a.16xlarge', 64, 128, X86, 3.28448),
  cpuType('c7a.24xlarge', 96, 192, X86, 4.92672),
  cpuType('c7a.32xlarge', 128, 256, X86, 6.56896),
  cpuType('c7a.48xlarge', 192, 384, X86, 9.85344),
  // c6g: AWS Graviton2 (Arm)
  cpuType('c6g.large', 2, 4, ARM, 0.068),
  cpuType('c6g.xlarge', 4, 8, ARM, 0.136),
  cpuType('c6g.2xlarge', 8, 16, ARM, 0.272),
  cpuType('c6g.4xlarge', 16, 32, ARM, 0.544),
  cpuType('c6g.8xlarge', 32, 64, ARM, 1.088),
  cpuType('c6g.12xlarge', 48, 96, ARM, 1.632),
  cpuType('c6g.16xlarge', 64, 128, ARM, 2.176),
  // c7g: AWS Graviton3 (Arm)
  cpuType('c7g.large', 2, 4, ARM, 0.0725),
  cpuType('c7g.xlarge', 4, 8, ARM, 0.145),
  cpuType('c7g.2xlarge', 8, 16, ARM, 0.29),
  cpuType('c7g.4xlarge', 16, 32, ARM, 0.58),
  cpuType('c7g.8xlarge', 32, 64, ARM, 1.16),
  cpuType('c7g.12xlarge', 48, 96, ARM, 1.74),
  cpuType('c7g.16xlarge', 64, 128, ARM, 2.32),

  // ── Memory optimized: 8 GiB per vCPU ─────────────────────────────────────────
  // r5: Intel Xeon Platinum (Skylake / Cascade Lake)
  cpuType('r5.large', 2, 16, X86, 0.126),
  cpuType('r5.xlarge', 4, 32, X86, 0.252),
  cpuType('r5.2xlarge', 8, 64, X86, 0.504),
  cpuType('r5.4xlarge', 16, 128, X86, 1.008),
  cpuType('r5.8xlarge', 32, 256, X86, 2.016),
  cpuType('r5.12xlarge', 48, 384, X86, 3.024),
  cpuType('r5.16xlarge', 64, 512, X86, 4.032),
  cpuType('r5.24xlarge', 96, 768, X86, 6.048),
  // r6i: Intel Xeon 3rd gen (Ice Lake)
  cpuType('r6i.large', 2, 16, X86, 0.126),
  cpuType('r6i.xlarge', 4, 32, X86, 0.252),
  cpuType('r6i.2xlarge', 8, 64, X86, 0.504),
  cpuType('r6i.4xlarge', 16, 128, X86, 1.008),
  cpuType('r6i.8xlarge', 32, 256, X86, 2.016),
  cpuType('r6i.12xlarge', 48, 384, X86, 3.024),
  cpuType('r6i.16xlarge', 64, 512, X86, 4.032),
  cpuType('r6i.24xlarge', 96, 768, X86, 6.048),
  cpuType('r6i.32xlarge', 128, 1024, X86, 8.064),
  // r7i: Intel Xeon 4th gen (Sapphire Rapids)
  cpuType('r7i.large', 2, 16, X86, 0.1323),
  cpuType('r7i.xlarge', 4, 32, X86, 0.2646),
  cpuType('r7i.2xlarge', 8, 64, X86, 0.5292),
  cpuType('r7i.4xlarge', 16, 128, X86, 1.0584),
  cpuType('r7i.8xlarge', 32, 256, X86, 2.1168),
  cpuType('r7i.12xlarge', 48, 384, X86, 3.1752),
  cpuType('r7i.16xlarge', 64, 512, X86, 4.2336),
  cpuType('r7i.24xlarge', 96, 768, X86, 6.3504),
  cpuType('r7i.48xlarge', 192, 1536, X86, 12.7008),
  // r6a: AMD EPYC 3rd gen (Milan)
  cpuType('r6a.large', 2, 16, X86, 0.1134),
  cpuType('r6a.xlarge', 4, 32, X86, 0.2268),
  cpuType('r6a.2xlarge', 8, 64, X86, 0.4536),
  cpuType('r6a.4xlarge', 16, 128, X86, 0.9072),
  cpuType('r6a.8xlarge', 32, 256, X86, 1.8144),
  cpuType('r6a.12xlarge', 48, 384, X86, 2.7216),
  cpuType('r6a.16xlarge', 64, 512, X86, 3.6288),
  cpuType('r6a.24xlarge', 96, 768, X86, 5.4432),
  cpuType('r6a.32xlarge', 128, 1024, X86, 7.2576),
  cpuType('r6a.48xlarge', 192, 1536, X86, 10.8864),
  // r7a: AMD EPYC 4th gen (Genoa); one vCPU is a physical core (no SMT)
  cpuType('r7a.large', 2, 16, X86, 0.15215),
  cpuType('r7a.xlarge', 4, 32, X86, 0.3043),
  cpuType('r7a.2xlarge', 8, 64, X86, 0.6086),
  cpuType('r7a.4xlarge', 16, 128, X86, 1.2172),
  cpuType('r7a.8xlarge', 32, 256, X86, 2.4344),
  cpuType('r7a.12xlarge', 48, 384, X86, 3.6516),
  cpuType('r7a.16xlarge', 64, 512, X86, 4.8688),
  cpuType('r7a.24xlarge', 96, 768, X86, 7.3032),
  cpuType('r7a.32xlarge', 128, 1024, X86, 9.7376),
  cpuType('r7a.48xlarge', 192, 1536, X86, 14.6064),
  // r6g: AWS Graviton2 (Arm)
  cpuType('r6g.large', 2, 16, ARM, 0.1008),
  cpuType('r6g.xlarge', 4, 32, ARM, 0.2016),
  cpuType('r6g.2xlarge', 8, 64, ARM, 0.4032),
  cpuType('r6g.4xlarge', 16, 128, ARM, 0.8064),
  cpuType('r6g.8xlarge', 32, 256, ARM, 1.6128),
  cpuType('r6g.12xlarge', 48, 384, ARM, 2.4192),
  cpuType('r6g.16xlarge', 64, 512, ARM, 3.2256),
  // r7g: AWS Graviton3 (Arm)
  cpuType('r7g.large', 2, 16, ARM, 0.1071),
  cpuType('r7g.xlarge', 4, 32, ARM, 0.2142),
  cpuType('r7g.2xlarge', 8, 64, ARM, 0.4284),
  cpuType('r7g.4xlarge', 16, 128, ARM, 0.8568),
  cpuType('r7g.8xlarge', 32, 256, ARM, 1.7136),
  cpuType('r7g.12xlarge', 48, 384, ARM, 2.5704),
  cpuType('r7g.16xlarge', 64, 512, ARM, 3.4272),

  // ── GPU ──────────────────────────────────────────────────────────────────────
  // GPU count does not grow with size: 12xlarge and 24xlarge have 4 GPUs, 16xlarge only 1.
  // g4dn: NVIDIA T4 (16 GB), Intel Xeon (Cascade Lake)
  gpuType('g4dn.xlarge', 4, 16, 1, 'T4', X86, 0.526),
  gpuType('g4dn.2xlarge', 8, 32, 1, 'T4', X86, 0.752),
  gpuType('g4dn.4xlarge', 16, 64, 1, 'T4', X86, 1.204),
  gpuType('g4dn.8xlarge', 32, 128, 1, 'T4', X86, 2.176),
  gpuType('g4dn.12xlarge', 48, 192, 4, 'T4', X86, 3.912),
  gpuType('g4dn.16xlarge', 64, 256, 1, 'T4', X86, 4.352),
  gpuType('g4dn.metal', 96, 384, 8, 'T4', X86, 7.824),
  // g5: NVIDIA A10G (24 GB), AMD EPYC 2nd gen
  gpuType('g5.xlarge', 4, 16, 1, 'A10G', X86, 1.006),
  gpuType('g5.2xlarge', 8, 32, 1, 'A10G', X86, 1.212),
  gpuType('g5.4xlarge', 16, 64, 1, 'A10G', X86, 1.624),
  gpuType('g5.8xlarge', 32, 128, 1, 'A10G', X86, 2.448),
  gpuType('g5.12xlarge', 48, 192, 4, 'A10G', X86, 5.672),
  gpuType('g5.16xlarge', 64, 256, 1, 'A10G', X86, 4.096),
  gpuType('g5.24xlarge', 96, 384, 4, 'A10G', X86, 8.144),
  gpuType('g5.48xlarge', 192, 768, 8, 'A10G', X86, 16.288),
  // g5g: NVIDIA T4G (16 GB), AWS Graviton2 (Arm); 2 GiB per vCPU
  gpuType('g5g.xlarge', 4, 8, 1, 'T4G', ARM, 0.42),
  gpuType('g5g.2xlarge', 8, 16, 1, 'T4G', ARM, 0.556),
  gpuType('g5g.4xlarge', 16, 32, 1, 'T4G', ARM, 0.828),
  gpuType('g5g.8xlarge', 32, 64, 1, 'T4G', ARM, 1.372),
  gpuType('g5g.16xlarge', 64, 128, 2, 'T4G', ARM, 2.744),
  gpuType('g5g.metal', 64, 128, 2, 'T4G', ARM, 2.744),
  // g6: NVIDIA L4 (24 GB), AMD EPYC 3rd gen
  gpuType('g6.xlarge', 4, 16, 1, 'L4', X86, 0.8048),
  gpuType('g6.2xlarge', 8, 32, 1, 'L4', X86, 0.9776),
  gpuType('g6.4xlarge', 16, 64, 1, 'L4', X86, 1.3232),
  gpuType('g6.8xlarge', 32, 128, 1, 'L4', X86, 2.0144),
  gpuType('g6.12xlarge', 48, 192, 4, 'L4', X86, 4.6016),
  gpuType('g6.16xlarge', 64, 256, 1, 'L4', X86, 3.3968),
  gpuType('g6.24xlarge', 96, 384, 4, 'L4', X86, 6.6752),
  gpuType('g6.48xlarge', 192, 768, 8, 'L4', X86, 13.3504),
  // g6e: NVIDIA L40S (48 GB), AMD EPYC 3rd gen; 8 GiB per vCPU
  gpuType('g6e.xlarge', 4, 32, 1, 'L40S', X86, 1.861),
  gpuType('g6e.2xlarge', 8, 64, 1, 'L40S', X86, 2.24208),
  gpuType('g6e.4xlarge', 16, 128, 1, 'L40S', X86, 3.00424),
  gpuType('g6e.8xlarge', 32, 256, 1, 'L40S', X86, 4.52856),
  gpuType('g6e.12xlarge', 48, 384, 4, 'L40S', X86, 10.49264),
  gpuType('g6e.16xlarge', 64, 512, 1, 'L40S', X86, 7.57719),
  gpuType('g6e.24xlarge', 96, 768, 4, 'L40S', X86, 15.06559),
  gpuType('g6e.48xlarge', 192, 1536, 8, 'L40S', X86, 30.13118),
  // p3: NVIDIA V100 (16 GB), Intel Xeon (Broadwell); 61 GiB per GPU, so memory is not a power of two
  gpuType('p3.2xlarge', 8, 61, 1, 'V100', X86, 3.06),
  gpuType('p3.8xlarge', 32, 244, 4, 'V100', X86, 12.24),
  gpuType('p3.16xlarge', 64, 488, 8, 'V100', X86, 24.48),
  // p4d: NVIDIA A100 (40 GB), Intel Xeon (Cascade Lake)
  gpuType('p4d.24xlarge', 96, 1152, 8, 'A100', X86, 21.957642),
]);
