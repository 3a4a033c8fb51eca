/** What V8 prints on stderr just before it aborts a process whose heap is full. */
const HEAP_DEATH = /JavaScript heap out of memory|Reached heap limit/;

/** How much of the stream is carried over to the next chunk, for a line split between two. */
const CARRIED_CHARS = 256;

/**
 * Watches a parser child's stderr for V8's heap-death line. Each chunk is searched whole (V8
 * follows the line with a long native stack trace, often in the same chunk); only a short tail is
 * kept between chunks, so a file flooding stderr costs nothing.
 */
export class HeapDeathWatch {
  private tail = '';
  /** V8 said the heap is full: the abort that follows is an out-of-memory death. */
  seen = false;

  feed(chunk: Buffer | string): void {
    if (this.seen) return;
    const text = this.tail + chunk.toString();
    if (HEAP_DEATH.test(text)) this.seen = true;
    this.tail = text.slice(-CARRIED_CHARS);
  }
}
