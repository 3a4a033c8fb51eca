/** What happens to process.stdout/stderr writes during a try. */
export type OutputMode = 'redirect' | 'tee' | 'none';

type WriteFn = typeof process.stdout.write;

/**
 * Route everything written to process.stdout / process.stderr (console.* included, and the
 * output BashOperator streams from its subprocess) into `sink` while a try runs. Returns the
 * function that restores the original streams. 'tee' also keeps printing to the terminal
 * (`dagctl tasks test`); 'redirect' is for task processes, which run one try at a time.
 */
export function captureProcessOutput(sink: (chunk: string | Uint8Array) => void, mode: OutputMode): () => void {
  if (mode === 'none') return () => undefined;
  const streams = [process.stdout, process.stderr];
  // The originals themselves (not bound copies): restored as they were, called with .call(stream).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, index) => {
    const original = originals[index];
    const patched = function (this: unknown, chunk: unknown, encodingOrCb?: unknown, cb?: unknown): boolean {
      const callback = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
      const encoding = typeof encodingOrCb === 'string' ? (encodingOrCb as BufferEncoding) : undefined;
      if (typeof chunk === 'string')
        sink(encoding && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding) : chunk);
      else if (chunk instanceof Uint8Array) sink(chunk);
      else sink(String(chunk));
      if (mode === 'tee') return (original as (...args: unknown[]) => boolean).call(stream, chunk, encodingOrCb, cb);
      if (typeof callback === 'function') process.nextTick(callback);
      return true;
    } as WriteFn;
    stream.write = patched;
  });
  return () => {
    streams.forEach((stream, index) => {
      stream.write = originals[index];
    });
  };
}
