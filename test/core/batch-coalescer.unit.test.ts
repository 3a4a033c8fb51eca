import { BatchCoalescer } from '../../src/core/batch-coalescer';

describe('BatchCoalescer', () => {
  it('sends the calls of one tick together and the calls made meanwhile in one next batch', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const coalescer = new BatchCoalescer<number, number>(async (inputs) => {
      batches.push(inputs);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return inputs.map((n) => n * 10);
    });
    const first = [1, 2, 3].map((n) => coalescer.submit(n));
    await Promise.resolve();
    const later = [4, 5].map((n) => coalescer.submit(n));
    expect(batches).toEqual([[1, 2, 3]]);
    release();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(await coalescer.submit(6)).toBe(60);
    expect(batches).toHaveLength(3);
  });

  it('passes a failed batch to each of its calls only, and keeps batches within the size limit', async () => {
    const sizes: number[] = [];
    const coalescer = new BatchCoalescer<number, number>((inputs) => {
      sizes.push(inputs.length);
      return inputs.includes(0) ? Promise.reject(new Error('boom')) : Promise.resolve(inputs);
    }, 2);
    const calls = [0, 1, 2, 3, 4].map((n) => coalescer.submit(n));
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(sizes).toEqual([2, 2, 1]);
  });
});
