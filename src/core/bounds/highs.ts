// The HiGHS solver (WebAssembly, in process), loaded once for every bound.

import highsImport from 'highs';

// highs ships a CommonJS-typed declaration with `export default`: TypeScript (nodenext) sees
// the loader as `.default` of the import, while Node's ESM entry (build/highs.mjs) exports it
// directly. Accept both shapes.
type LoadHighs = typeof highsImport.default;
export type Highs = Awaited<ReturnType<LoadHighs>>;
const loadHighs: LoadHighs = (highsImport as unknown as { default?: LoadHighs }).default ?? (highsImport as unknown as LoadHighs);

/** Loaded once per process: loading compiles the WebAssembly module. */
let highsPromise: Promise<Highs> | undefined;

export function loadHighsOnce(): Promise<Highs> {
  highsPromise ??= loadHighs();
  return highsPromise;
}
