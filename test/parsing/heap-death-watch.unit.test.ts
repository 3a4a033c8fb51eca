import { HeapDeathWatch } from '../../src/parsing/heap-death-watch';

/** What Node 20 writes on stderr when a heap cap is reached: the line, then a long native stack. */
const V8_HEAP_DEATH =
  '\n<--- Last few GCs --->\n\n[25394:0x268cdca0]     1190 ms: Mark-Compact 117.0 (149.5) -> 117.0 (149.5) MB\n\n' +
  '<--- JS stacktrace --->\n\n' +
  'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n' +
  '----- Native stack trace -----\n\n' +
  Array.from({ length: 20 }, (_, i) => ` ${i + 1}: 0x10fb205 v8::internal::Heap::CollectGarbage(…) [node]\n`).join('');

describe('HeapDeathWatch', () => {
  it('sees the line when a long stack trace follows it in the same chunk', () => {
    const watch = new HeapDeathWatch();
    watch.feed(Buffer.from(V8_HEAP_DEATH));
    expect(watch.seen).toBe(true);
  });

  it('sees the line split across chunks, after a flood of other output', () => {
    const watch = new HeapDeathWatch();
    for (let i = 0; i < 1000; i += 1) watch.feed('noise '.repeat(100));
    watch.feed('FATAL ERROR: invalid array length Allocation failed - JavaScript he');
    expect(watch.seen).toBe(false);
    watch.feed('ap out of memory\n');
    expect(watch.seen).toBe(true);
  });

  it('ignores other output', () => {
    const watch = new HeapDeathWatch();
    watch.feed('Error: something else\n    at Object.<anonymous> (/dags/a.ts:1:7)\n');
    expect(watch.seen).toBe(false);
  });
});
