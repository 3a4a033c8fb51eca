import { logFormat, type LogFormat } from '../../src/logging/logger';

/** The line the console transport would print for one `log.<level>(message, meta)` call. */
function line(format: LogFormat, level: string, message: string, meta: Record<string, unknown> = {}): string {
  const info = logFormat(format).transform({ level, message, component: 'scheduler', ...meta });
  if (!info) throw new Error('the format dropped the record');
  return (info as unknown as Record<symbol, string>)[Symbol.for('message')];
}

describe('logger', () => {
  it('prints a caught error at error level with its message and stack', () => {
    const err = new Error('connection reset');
    const text = line('text', 'error', 'scheduler loop failed', { err, dagId: 'etl' });
    const [first, ...rest] = text.split('\n');
    expect(first).toMatch(/^\[.+\] ERROR scheduler: scheduler loop failed: connection reset dagId=etl$/);
    expect(rest.join('\n')).toBe(err.stack);
  });

  it('keeps a warning with an error on one line', () => {
    const text = line('text', 'warn', 'heartbeat failed', { err: new Error('timeout') });
    expect(text).toMatch(/^\[.+\] WARN {2}scheduler: heartbeat failed: timeout$/);
  });

  it('follows the chain of causes', () => {
    const err = new Error('cannot store parse result', { cause: new Error('disk full') });
    const text = line('text', 'error', 'pass failed', { err });
    expect(text).toContain(`${err.stack}\nCaused by: Error: disk full\n`);
  });

  it('prints a thrown non-error as its string, without a stack', () => {
    expect(line('text', 'error', 'listener failed', { err: 'boom' })).toMatch(/listener failed: boom$/);
  });

  it('gives JSON a message and a stack field', () => {
    const err = new Error('connection reset');
    const record = JSON.parse(line('json', 'error', 'scheduler loop failed', { err })) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 'error',
      component: 'scheduler',
      message: 'scheduler loop failed: connection reset',
      stack: err.stack,
    });
    expect(record).not.toHaveProperty('err');
  });
});
