import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/cli/render-table.ts';
import { formatDuration } from '../../src/cli/text-format.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59.9, '59s'],
    [60, '1m00s'],
    [125, '2m05s'],
    [3600, '1h00m'],
    [4020, '1h07m'],
    [86_400 * 3 + 3600 * 4, '3d04h'],
    [-5, '0s'],
  ])('%d seconds → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('renderTable', () => {
  it('aligns columns two spaces apart, numbers to the right, without trailing spaces', () => {
    const lines = renderTable([{ header: 'NAME' }, { header: 'N', align: 'right' }, { header: 'NOTE' }], [
      ['a', '10', ''],
      ['longer', '2', 'x'],
    ]);
    expect(lines).toEqual(['  NAME     N  NOTE', '  a       10', '  longer   2  x']);
  });
});
