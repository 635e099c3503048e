// A command-line flag that takes a whole number: one reading and one wording of the problem
// for every command and benchmark.

export type FlagValue = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly problem: string };

/** The flag's whole number (its default when absent), or what is wrong with it. */
export function wholeNumberFlag(flag: string, text: string | undefined, fallback: number, min = -Infinity, max = Infinity): FlagValue {
  if (text === undefined) return { ok: true, value: fallback };
  const value = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return { ok: true, value };
  const range = [min > -Infinity ? `>= ${min}` : '', max < Infinity ? `<= ${max}` : ''].filter(Boolean).join(' and ');
  return { ok: false, problem: `${flag}: expected a whole number${range === '' ? '' : ` ${range}`}, got ${JSON.stringify(text)}` };
}
