/**
 * Groups calls into batches: a call made while no batch is under way starts one at the end of the
 * current tick (with every call of that tick); calls made while a batch is under way wait and go
 * together in the next. A lone call pays no wait; a burst of N calls pays about two batches
 * instead of N round trips. `runBatch` answers each input in order; if it throws, every call of
 * that batch gets the error.
 */
export class BatchCoalescer<In, Out> {
  private waiting: Array<{ input: In; resolve: (out: Out) => void; reject: (err: unknown) => void }> = [];
  private busy = false;

  constructor(
    private readonly runBatch: (inputs: In[]) => Promise<Out[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          const outs = await this.runBatch(batch.map((call) => call.input));
          batch.forEach((call, i) => call.resolve(outs[i]));
        } catch (err) {
          for (const call of batch) call.reject(err);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
