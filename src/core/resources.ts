// The resource vector every job asks for and every node offers.
// Adding a dimension (e.g. ephemeral storage) means adding it to DIMENSIONS and
// DIMENSION_INFO; every algorithm iterates over DIMENSIONS and never names one.

export const DIMENSIONS = ['cpu', 'memoryMiB', 'gpu'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** cpu in ECS cpu units (1024 = 1 vCPU), memory in MiB, gpu as a device count. */
export type Resources = { readonly [D in Dimension]: number };

export const DIMENSION_INFO: { readonly [D in Dimension]: { readonly unit: string; readonly format: (value: number) => string } } = {
  cpu: { unit: 'cpu units (1024 = 1 vCPU)', format: (v) => `${trimNumber(v / 1024)} vCPU` },
  memoryMiB: { unit: 'MiB', format: (v) => (v >= 1024 ? `${trimNumber(v / 1024)} GiB` : `${trimNumber(v)} MiB`) },
  gpu: { unit: 'GPUs', format: (v) => `${trimNumber(v)} GPU` },
};

export const ZERO: Resources = resources(() => 0);

export function resources(valueOf: (dimension: Dimension) => number): Resources {
  const out: Partial<Record<Dimension, number>> = {};
  for (const d of DIMENSIONS) out[d] = valueOf(d);
  return out as Resources;
}

export function toVector(r: Resources): number[] {
  return DIMENSIONS.map((d) => r[d]);
}

export function fromVector(v: ArrayLike<number>): Resources {
  return resources((d) => v[DIMENSIONS.indexOf(d)]!);
}

export function add(a: Resources, b: Resources): Resources {
  return resources((d) => a[d] + b[d]);
}

export function subtract(a: Resources, b: Resources): Resources {
  return resources((d) => a[d] - b[d]);
}

export function scale(a: Resources, factor: number): Resources {
  return resources((d) => a[d] * factor);
}

export function fits(demand: Resources, free: Resources): boolean {
  return DIMENSIONS.every((d) => demand[d] <= free[d]);
}

/** The dimensions in which `demand` exceeds `free`. */
export function shortfall(demand: Resources, free: Resources): Dimension[] {
  return DIMENSIONS.filter((d) => demand[d] > free[d]);
}

/** "2 vCPU, 4 GiB, 1 GPU" — zero dimensions other than cpu and memory are left out. */
export function formatResources(r: Resources): string {
  return DIMENSIONS.filter((d, i) => i < 2 || r[d] !== 0)
    .map((d) => DIMENSION_INFO[d].format(r[d]))
    .join(', ');
}

function trimNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}
