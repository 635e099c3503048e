import { describe, it, expect } from 'vitest';
import { BUILTIN_INSTANCE_TYPES, PRICES_AS_OF } from '../../../src/core/catalog/builtin-types.ts';
import { familyOf } from '../../../src/core/catalog/build-catalog.ts';
import type { InstanceTypeSpec } from '../../../src/core/catalog/instance-type.ts';

const REQUIRED_FAMILIES = [
  'm5', 'm6i', 'm7i', 'm6a', 'm7a', 'm6g', 'm7g',
  'c5', 'c6i', 'c7i', 'c6a', 'c7a', 'c6g', 'c7g',
  'r5', 'r6i', 'r7i', 'r6a', 'r7a', 'r6g', 'r7g',
  'g4dn', 'g5', 'g5g', 'g6', 'g6e', 'p3', 'p4d',
];

const GIB = 1024;

function byFamily(): Map<string, InstanceTypeSpec[]> {
  const families = new Map<string, InstanceTypeSpec[]>();
  for (const spec of BUILTIN_INSTANCE_TYPES) {
    const family = familyOf(spec.name);
    families.set(family, [...(families.get(family) ?? []), spec]);
  }
  return families;
}

function spec(name: string): InstanceTypeSpec {
  const found = BUILTIN_INSTANCE_TYPES.find((s) => s.name === name);
  if (!found) throw new Error(`${name} is not in the built-in catalog`);
  return found;
}

const isGpuFamily = (family: string): boolean => /^[gp]\d/.test(family);
// Graviton families carry a "g" right after the generation digit: m7g, c6g, g5g.
const isGravitonFamily = (family: string): boolean => /^[a-z]+\d+g/.test(family);

describe('PRICES_AS_OF', () => {
  it('is a year-month (or date) string', () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/);
  });
});

describe('BUILTIN_INSTANCE_TYPES', () => {
  it('has every family the brief asks for, and nothing else', () => {
    expect([...byFamily().keys()].sort()).toEqual([...REQUIRED_FAMILIES].sort());
  });

  it('has unique names', () => {
    const names = BUILTIN_INSTANCE_TYPES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has positive whole vCPUs, memory in whole GiB, whole GPU counts and positive prices', () => {
    for (const s of BUILTIN_INSTANCE_TYPES) {
      expect(Number.isInteger(s.vcpu) && s.vcpu > 0, `${s.name} vcpu`).toBe(true);
      expect(Number.isInteger(s.memoryMiB / GIB) && s.memoryMiB > 0, `${s.name} memoryMiB`).toBe(true);
      expect(Number.isInteger(s.gpu) && s.gpu >= 0, `${s.name} gpu`).toBe(true);
      expect(Number.isFinite(s.pricePerHour) && s.pricePerHour > 0, `${s.name} price`).toBe(true);
      // Sanity bound: nothing in this list costs more than the p4d.
      expect(s.pricePerHour, `${s.name} price`).toBeLessThan(40);
    }
  });

  it('gives GPU types a GPU model and non-GPU types none', () => {
    for (const s of BUILTIN_INSTANCE_TYPES) {
      if (isGpuFamily(familyOf(s.name))) {
        expect(s.gpu, s.name).toBeGreaterThan(0);
        expect(s.gpuModel, s.name).toMatch(/^[A-Z0-9]+$/);
      } else {
        expect(s.gpu, s.name).toBe(0);
        expect(s.gpuModel, s.name).toBeUndefined();
        expect('gpuModel' in s, s.name).toBe(false);
      }
    }
  });

  it('uses one GPU model per family', () => {
    for (const [family, specs] of byFamily()) {
      expect(new Set(specs.map((s) => s.gpuModel)).size, family).toBe(1);
    }
  });

  it('marks Graviton families arm64 and everything else x86_64', () => {
    for (const s of BUILTIN_INSTANCE_TYPES) {
      expect(s.architecture, s.name).toBe(isGravitonFamily(familyOf(s.name)) ? 'arm64' : 'x86_64');
    }
    expect(spec('g5g.xlarge').architecture).toBe('arm64');
    expect(spec('g5.xlarge').architecture).toBe('x86_64');
  });

  it('keeps the memory per vCPU of the family class: c ≈ 2 GiB, m ≈ 4 GiB, r ≈ 8 GiB', () => {
    const expectedGiBPerVcpu: Record<string, number> = { c: 2, m: 4, r: 8 };
    let checked = 0;
    for (const s of BUILTIN_INSTANCE_TYPES) {
      const expected = expectedGiBPerVcpu[familyOf(s.name)[0]!];
      if (expected === undefined) continue;
      expect(s.memoryMiB / GIB / s.vcpu, s.name).toBeCloseTo(expected, 1);
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('follows the size ladder: vCPUs = 4 × the xlarge multiple (large = 2)', () => {
    for (const s of BUILTIN_INSTANCE_TYPES) {
      const size = s.name.slice(s.name.indexOf('.') + 1);
      const multiple = size === 'large' ? 0.5 : size === 'xlarge' ? 1 : /^(\d+)xlarge$/.exec(size)?.[1];
      if (multiple === undefined) continue; // metal
      expect(s.vcpu, s.name).toBe(4 * Number(multiple));
    }
  });

  it('prices CPU families linearly in vCPUs (one price per vCPU per family)', () => {
    for (const [family, specs] of byFamily()) {
      if (isGpuFamily(family)) continue;
      const perVcpu = specs[0]!.pricePerHour / specs[0]!.vcpu;
      for (const s of specs) {
        expect(s.pricePerHour / s.vcpu / perVcpu, s.name).toBeCloseTo(1, 3);
      }
    }
  });

  it('makes a type cost more than any type of its family it outsizes in every dimension', () => {
    for (const [family, specs] of byFamily()) {
      for (const bigger of specs) {
        for (const smaller of specs) {
          const atLeast = bigger.vcpu >= smaller.vcpu && bigger.memoryMiB >= smaller.memoryMiB && bigger.gpu >= smaller.gpu;
          const strictly = bigger.vcpu > smaller.vcpu || bigger.memoryMiB > smaller.memoryMiB || bigger.gpu > smaller.gpu;
          if (atLeast && strictly) {
            expect(bigger.pricePerHour, `${family}: ${bigger.name} vs ${smaller.name}`).toBeGreaterThan(smaller.pricePerHour);
          }
        }
      }
    }
  });

  it('covers large through 24xlarge in every CPU family', () => {
    for (const [family, specs] of byFamily()) {
      if (isGpuFamily(family)) continue;
      const sizes = specs.map((s) => s.name.slice(family.length + 1));
      const biggest = family.endsWith('g') ? '16xlarge' : '24xlarge'; // Graviton2/3 stop at 16xlarge
      expect(sizes, family).toEqual(expect.arrayContaining(['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', biggest]));
    }
  });

  it('gets the irregular GPU layouts right', () => {
    expect(spec('g5.12xlarge')).toMatchObject({ gpu: 4, gpuModel: 'A10G', vcpu: 48, memoryMiB: 192 * GIB });
    expect(spec('g5.16xlarge')).toMatchObject({ gpu: 1, vcpu: 64 });
    expect(spec('g5.24xlarge')).toMatchObject({ gpu: 4, vcpu: 96 });
    expect(spec('g5.48xlarge')).toMatchObject({ gpu: 8, vcpu: 192, memoryMiB: 768 * GIB });
    expect(spec('g4dn.12xlarge')).toMatchObject({ gpu: 4, gpuModel: 'T4' });
    expect(spec('g4dn.16xlarge')).toMatchObject({ gpu: 1 });
    expect(spec('g6.48xlarge')).toMatchObject({ gpu: 8, gpuModel: 'L4' });
    expect(spec('g6e.xlarge')).toMatchObject({ gpu: 1, gpuModel: 'L40S', memoryMiB: 32 * GIB });
    expect(spec('g5g.16xlarge')).toMatchObject({ gpu: 2, gpuModel: 'T4G', memoryMiB: 128 * GIB });
    expect(spec('p3.2xlarge')).toMatchObject({ gpu: 1, gpuModel: 'V100', memoryMiB: 61 * GIB });
    expect(spec('p3.8xlarge')).toMatchObject({ gpu: 4, gpuModel: 'V100', vcpu: 32, memoryMiB: 244 * GIB });
    expect(spec('p4d.24xlarge')).toMatchObject({ gpu: 8, gpuModel: 'A100', vcpu: 96, memoryMiB: 1152 * GIB });
  });

  it('has the odd c5 sizes', () => {
    expect(spec('c5.9xlarge')).toMatchObject({ vcpu: 36, memoryMiB: 72 * GIB, pricePerHour: 1.53 });
    expect(spec('c5.18xlarge')).toMatchObject({ vcpu: 72, memoryMiB: 144 * GIB, pricePerHour: 3.06 });
  });

  it('is frozen, so no caller can change the shared list', () => {
    expect(Object.isFrozen(BUILTIN_INSTANCE_TYPES)).toBe(true);
    expect(BUILTIN_INSTANCE_TYPES.every((s) => Object.isFrozen(s))).toBe(true);
  });
});
