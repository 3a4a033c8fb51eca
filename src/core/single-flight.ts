/**
 * Joins concurrent calls for the same key: while one call's promise is pending, others with that
 * key get the same promise instead of starting the work again. Nothing is remembered once it
 * settles (a cache is the caller's business).
 */
export class SingleFlight<K, V> {
  private readonly pending = new Map<K, Promise<V>>();

  run(key: K, work: () => Promise<V>): Promise<V> {
    let flight = this.pending.get(key);
    if (!flight) {
      flight = work().finally(() => this.pending.delete(key));
      this.pending.set(key, flight);
    }
    return flight;
  }

  /** Calls under way (for tests and metrics). */
  get size(): number {
    return this.pending.size;
  }
}
