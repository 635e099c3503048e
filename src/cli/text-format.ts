// Small wording helpers the CLI's renderers share: money, counts, durations.

/** "$0.8048/h", "$1.20/h": at least cents, at most the catalog's 4 decimals. */
export function usdPerHour(value: number): string {
  const [whole, fraction = ''] = value.toFixed(4).split('.');
  return `$${whole}.${fraction.replace(/0+$/, '').padEnd(2, '0')}/h`;
}

/** "1 job", "3 jobs"; "1 stretch", "2 stretches" with the plural given. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** "45s", "2m05s", "1h07m", "3d04h": the two largest units, enough to compare waits at a glance. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  if (total < 60) return `${total}s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}m${pad2(total % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${pad2(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d${pad2(hours % 24)}h`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
