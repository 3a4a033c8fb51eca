import { EventBuffer } from '../../src/executors/event-buffer';
import type { ExecutorEvent } from '../../src/core/executor';

function started(runId: string): ExecutorEvent {
  return {
    type: 'started',
    key: { dagId: 'd', runId, taskId: 't', mapIndex: -1 },
    tryNumber: 1,
    at: '2026-01-01T00:00:00.000Z',
    hostname: 'h',
    pid: 1,
  };
}

describe('EventBuffer', () => {
  it('buffers events until drained, in order, and drains each once', () => {
    const buffer = new EventBuffer();
    buffer.push(started('a'));
    buffer.push(started('b'), started('c'));
    expect(buffer.size).toBe(3);
    expect(buffer.drain().map((e) => e.key.runId)).toEqual(['a', 'b', 'c']);
    expect(buffer.drain()).toEqual([]);
  });

  it('wakes every listener once per push (a batch is one wake-up), not for an empty push', () => {
    const buffer = new EventBuffer();
    const wakes: string[] = [];
    buffer.onEvent(() => wakes.push('first'));
    buffer.onEvent(() => wakes.push('second'));
    buffer.push(started('a'), started('b'));
    buffer.push();
    expect(wakes).toEqual(['first', 'second']);
  });

  it('keeps going when a listener throws, and reports the error', () => {
    const errors: string[] = [];
    const buffer = new EventBuffer((err) => errors.push(err.message));
    let woken = 0;
    buffer.onEvent(() => {
      throw new Error('listener broke');
    });
    buffer.onEvent(() => {
      woken += 1;
    });
    buffer.push(started('a'));
    expect(errors).toEqual(['listener broke']);
    expect(woken).toBe(1);
    expect(buffer.drain()).toHaveLength(1);
  });
});
