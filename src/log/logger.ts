// The daemon's structured log: JSON, one event per line, on stdout unless a destination
// is given (tests pass a stream to read the lines back).
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config-schema.ts';

export type { Logger } from 'pino';

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { name: 'loadmaster' },
    // Readable in a terminal and sortable as text; pino's default is epoch ms.
    timestamp: pino.stdTimeFunctions.isoTime,
    // "level":"warn" rather than "level":40, so grep and log queries need no lookup table.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
