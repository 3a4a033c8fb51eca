/**
 * Dynamic task mapping's arithmetic, shared by the scheduler (how many task instances) and the
 * runner (which elements one map index gets). Several expanded arguments give their cross
 * product in Airflow's order (itertools.product: the last argument varies fastest).
 */

/** How many task instances a mapped task with these argument lengths expands into. */
export function expandedLength(lengths: readonly number[]): number {
  return lengths.reduce((product, n) => product * n, 1);
}

/** For map index `mapIndex`, the index into each argument's list. */
export function elementIndexes(mapIndex: number, lengths: readonly number[]): number[] {
  const indexes = new Array<number>(lengths.length);
  let rest = mapIndex;
  for (let i = lengths.length - 1; i >= 0; i -= 1) {
    indexes[i] = rest % lengths[i];
    rest = Math.floor(rest / lengths[i]);
  }
  return indexes;
}
