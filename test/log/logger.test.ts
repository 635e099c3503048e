import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';

/** A destination that keeps every line written to it. */
function captureLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per event with level name, ISO time and fields', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger('info', stream);
    logger.info({ jobId: 'seg-1' }, 'job started');
    logger.warn('type avoided');
    expect(lines).toHaveLength(2);
    const first: unknown = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ level: 'info', name: 'loadmaster', jobId: 'seg-1', msg: 'job started' });
    expect((first as { time: string }).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'warn', msg: 'type avoided' });
  });

  it('drops events below the level', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger('warn', stream);
    logger.info('not shown');
    logger.debug('not shown');
    logger.error('shown');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['shown']);
  });

  it('is silent when asked', () => {
    const { stream, lines } = captureLines();
    createLogger('silent', stream).fatal('nothing');
    expect(lines).toEqual([]);
  });
});
