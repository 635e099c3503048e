import type { BinKind, ItemGroup, PackingOptions, PackingResult } from './pack-types.ts';

/** Packs every item into bins bought from `kinds`, minimizing total cost. Work in progress. */
export function packItems(_groups: readonly ItemGroup[], _kinds: readonly BinKind[], _options: PackingOptions = {}): PackingResult {
  throw new Error('packItems: not written yet');
}
