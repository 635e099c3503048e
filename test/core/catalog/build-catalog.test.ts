import { describe, it, expect } from 'vitest';
import { DEFAULT_OVERHEAD, type OverheadRule } from '../../../src/core/catalog/allocatable.ts';
import { BUILTIN_INSTANCE_TYPES } from '../../../src/core/catalog/builtin-types.ts';
import { buildCatalog, CatalogError, familyOf, type CatalogOptions } from '../../../src/core/catalog/build-catalog.ts';
import type { InstanceTypeSpec } from '../../../src/core/catalog/instance-type.ts';

// A small list of our own, so these tests do not move when the built-in table does.
const BUILTIN: readonly InstanceTypeSpec[] = [
  { name: 'm6i.large', vcpu: 2, memoryMiB: 8192, gpu: 0, architecture: 'x86_64', pricePerHour: 0.096 },
  { name: 'm6i.2xlarge', vcpu: 8, memoryMiB: 32768, gpu: 0, architecture: 'x86_64', pricePerHour: 0.384 },
  { name: 'c6i.large', vcpu: 2, memoryMiB: 4096, gpu: 0, architecture: 'x86_64', pricePerHour: 0.085 },
  { name: 'c7g.xlarge', vcpu: 4, memoryMiB: 8192, gpu: 0, architecture: 'arm64', pricePerHour: 0.145 },
  { name: 'g5.xlarge', vcpu: 4, memoryMiB: 16384, gpu: 1, gpuModel: 'A10G', architecture: 'x86_64', pricePerHour: 1.006 },
  { name: 'g5.12xlarge', vcpu: 48, memoryMiB: 196608, gpu: 4, gpuModel: 'A10G', architecture: 'x86_64', pricePerHour: 5.672 },
];

const NEW_TYPE: InstanceTypeSpec = {
  name: 'c8i.large', vcpu: 2, memoryMiB: 4096, gpu: 0, architecture: 'x86_64', pricePerHour: 0.0937,
};

const base: CatalogOptions = { overhead: DEFAULT_OVERHEAD };

function build(options: Partial<CatalogOptions> = {}, builtin: readonly InstanceTypeSpec[] = BUILTIN) {
  return buildCatalog({ ...base, ...options }, builtin);
}

function names(options: Partial<CatalogOptions> = {}): string[] {
  return build(options).map((t) => t.name);
}

/** The CatalogError `run` throws; fails the test if it throws nothing or something else. */
function catalogErrorOf(run: () => unknown): CatalogError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return error as CatalogError;
  }
  throw new Error('expected a CatalogError, but nothing was thrown');
}

describe('familyOf', () => {
  it('is the part before the dot', () => {
    expect(familyOf('c6i.2xlarge')).toBe('c6i');
    expect(familyOf('g4dn.metal')).toBe('g4dn');
    expect(familyOf('c7i-flex.large')).toBe('c7i-flex');
    expect(familyOf('u-6tb1.112xlarge')).toBe('u-6tb1');
    expect(familyOf('c7i.metal-24xl')).toBe('c7i');
  });

  it('rejects what is not a type name', () => {
    for (const bad of ['c6i', '', '.large', 'c6i.', 'C6I.large', 'c6i.*', 'a.b.c']) {
      expect(catalogErrorOf(() => familyOf(bad)).message).toContain('"<family>.<size>"');
    }
  });
});

describe('buildCatalog', () => {
  describe('defaults', () => {
    it('keeps every built-in type, sorted by name', () => {
      expect(names()).toEqual(['c6i.large', 'c7g.xlarge', 'g5.12xlarge', 'g5.xlarge', 'm6i.2xlarge', 'm6i.large']);
    });

    it('sorts the same whatever order the input is in', () => {
      const reversed = [...BUILTIN].reverse();
      expect(build({}, reversed)).toEqual(build());
    });

    it('treats an empty include as no filter', () => {
      expect(names({ include: [] })).toEqual(names());
    });

    it('uses the real built-in table when none is passed', () => {
      const catalog = buildCatalog(base);
      expect(catalog).toHaveLength(BUILTIN_INSTANCE_TYPES.length);
      expect(catalog.find((t) => t.name === 'p4d.24xlarge')?.allocatable.gpu).toBe(8);
    });
  });

  describe('entries', () => {
    it('carries the spec, the family and the allocatable resources', () => {
      const m6iLarge = build().find((t) => t.name === 'm6i.large');
      expect(m6iLarge).toEqual({
        name: 'm6i.large',
        vcpu: 2,
        memoryMiB: 8192,
        gpu: 0,
        architecture: 'x86_64',
        pricePerHour: 0.096,
        family: 'm6i',
        allocatable: { cpu: 2048, memoryMiB: Math.floor(8192 * 0.97) - 256, gpu: 0 },
      });
      expect(m6iLarge!.allocatable.memoryMiB).toBe(7690);
    });

    it('registers every GPU and keeps the GPU model', () => {
      const g5 = build().find((t) => t.name === 'g5.12xlarge')!;
      expect(g5.family).toBe('g5');
      expect(g5.gpuModel).toBe('A10G');
      expect(g5.allocatable).toEqual({ cpu: 48 * 1024, memoryMiB: Math.floor(196608 * 0.97) - 256, gpu: 4 });
    });

    it('applies the overhead rule it is given', () => {
      const overhead: OverheadRule = { memoryPercent: 5, reservedMemoryMiB: 512, reservedCpuUnits: 128 };
      const m6iLarge = build({ overhead }).find((t) => t.name === 'm6i.large')!;
      expect(m6iLarge.allocatable).toEqual({ cpu: 2048 - 128, memoryMiB: Math.floor(8192 * 0.95) - 512, gpu: 0 });
    });

    it('adds no gpuModel key to types without GPUs', () => {
      const c6i = build().find((t) => t.name === 'c6i.large')!;
      expect('gpuModel' in c6i).toBe(false);
    });
  });

  describe('include and exclude', () => {
    it('keeps only what include names, by exact name or pattern', () => {
      expect(names({ include: ['g5.*'] })).toEqual(['g5.12xlarge', 'g5.xlarge']);
      expect(names({ include: ['m6i.large', 'c6?.large'] })).toEqual(['c6i.large', 'm6i.large']);
      expect(names({ include: ['*.xlarge'] })).toEqual(['c7g.xlarge', 'g5.xlarge']);
    });

    it('drops what exclude names, after include', () => {
      expect(names({ exclude: ['g5.*', 'c7g.xlarge'] })).toEqual(['c6i.large', 'm6i.2xlarge', 'm6i.large']);
      expect(names({ include: ['m6i.*', 'g5.*'], exclude: ['*.12xlarge'] })).toEqual(['g5.xlarge', 'm6i.2xlarge', 'm6i.large']);
    });

    it('accepts an exclude that only names types include already dropped', () => {
      expect(names({ include: ['m6i.*'], exclude: ['g5.*'] })).toEqual(['m6i.2xlarge', 'm6i.large']);
    });

    it('rejects an include pattern that matches nothing, naming it and suggesting near misses', () => {
      const error = catalogErrorOf(() => build({ include: ['m6i.*', 'g6.*'] }));
      expect(error.message).toContain('include[1]');
      expect(error.message).toContain('"g6.*"');
      expect(error.message).toContain('matches no instance type');
      expect(error.message).toContain('did you mean "g5.*"');
    });

    it('rejects an exclude pattern that matches nothing', () => {
      const error = catalogErrorOf(() => build({ exclude: ['m6i.larg'] }));
      expect(error.message).toContain('exclude[0]');
      expect(error.message).toContain('"m6i.larg"');
      expect(error.message).toContain('did you mean "m6i.large"');
    });

    it('rejects a pattern with characters a type name cannot have', () => {
      const error = catalogErrorOf(() => build({ include: ['g5 .*'] }));
      expect(error.message).toContain('include[0]');
      expect(error.message).toContain('wildcards');
    });

    it('rejects a filter that leaves nothing', () => {
      const error = catalogErrorOf(() => build({ include: ['g5.*'], exclude: ['g5.*'] }));
      expect(error.message).toContain('leave no instance type');
    });

    it('applies to added types too', () => {
      expect(names({ add: [NEW_TYPE], include: ['c8i.*'] })).toEqual(['c8i.large']);
      expect(names({ add: [NEW_TYPE], exclude: ['c8i.*'] })).not.toContain('c8i.large');
    });
  });

  describe('prices', () => {
    it('replaces the price of the named type only', () => {
      const catalog = build({ prices: { 'm6i.large': 0.05 } });
      expect(catalog.find((t) => t.name === 'm6i.large')!.pricePerHour).toBe(0.05);
      expect(catalog.find((t) => t.name === 'm6i.2xlarge')!.pricePerHour).toBe(0.384);
    });

    it('can price an added type', () => {
      const catalog = build({ add: [NEW_TYPE], prices: { 'c8i.large': 0.08 } });
      expect(catalog.find((t) => t.name === 'c8i.large')!.pricePerHour).toBe(0.08);
    });

    it('accepts a price for a type the filters drop', () => {
      expect(names({ include: ['g5.*'], prices: { 'm6i.large': 0.05 } })).toEqual(['g5.12xlarge', 'g5.xlarge']);
    });

    it('rejects a price for a type not in the catalog, naming it', () => {
      const error = catalogErrorOf(() => build({ prices: { 'm6i.larg': 0.05 } }));
      expect(error.message).toContain('prices["m6i.larg"]');
      expect(error.message).toContain('no instance type "m6i.larg"');
      expect(error.message).toContain('did you mean "m6i.large"');
    });

    it('does not take a pattern as a price key', () => {
      expect(catalogErrorOf(() => build({ prices: { 'm6i.*': 0.05 } })).message).toContain('"m6i.*"');
    });

    it('rejects a price that is not a positive number', () => {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = catalogErrorOf(() => build({ prices: { 'm6i.large': bad } }));
        expect(error.message).toContain('prices["m6i.large"]');
        expect(error.message).toContain('positive');
      }
    });
  });

  describe('add', () => {
    it('adds a type with its family and allocatable resources', () => {
      const c8i = build({ add: [NEW_TYPE] }).find((t) => t.name === 'c8i.large');
      expect(c8i).toEqual({ ...NEW_TYPE, family: 'c8i', allocatable: { cpu: 2048, memoryMiB: Math.floor(4096 * 0.97) - 256, gpu: 0 } });
    });

    it('sorts added types in with the rest', () => {
      const added: InstanceTypeSpec = { ...NEW_TYPE, name: 'a1.large' };
      expect(names({ add: [NEW_TYPE, added] })).toEqual([
        'a1.large', 'c6i.large', 'c7g.xlarge', 'c8i.large', 'g5.12xlarge', 'g5.xlarge', 'm6i.2xlarge', 'm6i.large',
      ]);
    });

    it('rejects a name that is already built in, pointing to prices', () => {
      const error = catalogErrorOf(() => build({ add: [NEW_TYPE, { ...NEW_TYPE, name: 'm6i.large' }] }));
      expect(error.message).toContain('add[1]');
      expect(error.message).toContain('"m6i.large" is already a built-in type');
      expect(error.message).toContain('prices');
    });

    it('rejects the same name added twice', () => {
      const error = catalogErrorOf(() => build({ add: [NEW_TYPE, { ...NEW_TYPE }] }));
      expect(error.message).toContain('add[1]');
      expect(error.message).toContain('already added by add[0]');
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['a bad name', { name: 'c8i' }, 'not an instance type name'],
      ['zero vCPUs', { vcpu: 0 }, 'vcpu is 0'],
      ['fractional vCPUs', { vcpu: 1.5 }, 'vcpu is 1.5'],
      ['no memory', { memoryMiB: 0 }, 'memoryMiB is 0'],
      ['a negative GPU count', { gpu: -1 }, 'gpu is -1'],
      ['GPUs without a model', { gpu: 1 }, 'gpuModel is missing'],
      ['a model without GPUs', { gpuModel: 'L4' }, 'gpuModel is "L4" but gpu is 0'],
      ['an unknown architecture', { architecture: 'riscv' }, 'architecture is "riscv"'],
      ['a zero price', { pricePerHour: 0 }, 'pricePerHour is 0'],
    ])('rejects an added type with %s', (_case, change, expected) => {
      // As a config file could spell it: the cast stands for input not yet type-checked.
      const bad = { ...NEW_TYPE, ...change } as unknown as InstanceTypeSpec;
      const error = catalogErrorOf(() => build({ add: [bad] }));
      expect(error.message).toContain('add[0]');
      expect(error.message).toContain(expected);
      expect(error.message).toContain('expected');
    });

    it('drops stray fields of an added type', () => {
      const withExtra = { ...NEW_TYPE, note: 'from a newer table' } as InstanceTypeSpec;
      const entry = build({ add: [withExtra] }).find((t) => t.name === 'c8i.large')!;
      expect('note' in entry).toBe(false);
    });
  });

  describe('inputs', () => {
    it('changes neither the options nor the built-in list, and shares no objects with them', () => {
      const builtin = BUILTIN.map((s) => Object.freeze({ ...s }));
      const options: CatalogOptions = {
        include: ['m6i.*', 'c8i.*', 'g5.*'],
        exclude: ['g5.xlarge'],
        prices: { 'm6i.large': 0.05 },
        add: [{ ...NEW_TYPE }],
        overhead: { ...DEFAULT_OVERHEAD },
      };
      const optionsBefore = structuredClone(options);
      const builtinBefore = structuredClone(builtin);

      const catalog = buildCatalog(options, builtin);

      expect(options).toEqual(optionsBefore);
      expect(builtin).toEqual(builtinBefore);
      for (const entry of catalog) {
        expect(builtin).not.toContain(entry);
        expect(options.add).not.toContain(entry);
      }
      expect(catalog.map((t) => t.name)).toEqual(['c8i.large', 'g5.12xlarge', 'm6i.2xlarge', 'm6i.large']);
    });

    it('refuses a built-in list with a duplicate as a programming error, not a CatalogError', () => {
      const run = () => build({}, [...BUILTIN, BUILTIN[0]!]);
      expect(run).toThrow(/twice/);
      expect(run).not.toThrow(CatalogError);
    });
  });

  describe('CatalogError', () => {
    it('reports every mistake at once, each with its path in the options', () => {
      const error = catalogErrorOf(() => build({ include: ['zz9.*'], exclude: ['m6i.larg'], prices: { 'm6i.large': -1 } }));
      expect(error.name).toBe('CatalogError');
      expect(error.issues.map((i) => i.path)).toEqual([['include', 0], ['exclude', 0], ['prices', 'm6i.large']]);
      expect(error.message.split('\n')).toHaveLength(3);
      expect(error.message).toContain('catalog prices["m6i.large"]: price is -1');
    });
  });
});
