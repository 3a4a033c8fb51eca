/**
 * A counting semaphore shared by the BullMQ workers of all queues a `dagctl worker` consumes, so
 * `-c N` bounds the tries running at once across queues. Waiters can be released unserved (at
 * shutdown) to hand their job back.
 */
export class TaskSlots {
  private used = 0;
  private readonly waiters: Array<(granted: boolean) => void> = [];

  constructor(readonly size: number) {}

  get inUse(): number {
    return this.used;
  }

  get free(): number {
    return Math.max(0, this.size - this.used);
  }

  /** Resolves true with a slot, or false if released unserved. */
  acquire(): Promise<boolean> {
    if (this.used < this.size) {
      this.used += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(true);
    else this.used = Math.max(0, this.used - 1);
  }

  /** Tell every waiter no slot is coming. */
  rejectWaiters(): void {
    for (const waiter of this.waiters.splice(0)) waiter(false);
  }
}
