import { descendantsOf, ProcessIdentity, ProcessRow } from '../core/process-table';

/**
 * The processes of one tree, remembered from each look at the process table (those re-parented
 * when their parent died are no longer found under the root, but must still be killed). Each is
 * remembered by pid AND start time: a pid freed when its process was reaped may be given to an
 * unrelated process — the root's as well — which must never be signalled. Pure: the caller lists
 * the processes and sends the signals.
 */
export class RememberedProcesses {
  /** pid → start time. */
  private readonly started = new Map<number, number>();
  private readonly groups = new Set<number>();

  constructor(readonly root: ProcessIdentity) {}

  /** Remembers the root's tree in `rows`: only while the root's pid still names the root. */
  see(rows: readonly ProcessRow[]): void {
    const rootRow = rows.find((row) => row.pid === this.root.pid);
    // A root whose start time could not be read (-1) is known by its pid alone.
    if (!rootRow || (this.root.startTime !== -1 && rootRow.startTime !== this.root.startTime)) return;
    const tree = descendantsOf([...rows], this.root.pid);
    const members = new Set(tree.map((row) => row.pid));
    for (const row of tree) {
      this.started.set(row.pid, row.startTime);
      // Only groups led from inside the tree: never the scheduler's own group.
      if (members.has(row.pgid)) this.groups.add(row.pgid);
    }
  }

  /** Whether `row` is a remembered process itself, not a later one given its pid. */
  owns(row: ProcessRow): boolean {
    return this.started.get(row.pid) === row.startTime;
  }

  /** Pids ever remembered (some may have exited since: check with owns()). */
  pids(): number[] {
    return [...this.started.keys()];
  }

  /**
   * What to signal now, by `rows`: the remembered processes still running under their pids, and
   * the remembered groups — each led by a remembered process — unless the group's number is now
   * the pid of another process. While a group has members its number cannot be given to a new
   * process, so a group whose leader is gone still holds only the tree's processes (also those
   * started after the last look); a new process under the leader's pid means the group emptied
   * and its number may now name that process's group. `lookUp` reads one process's row afresh.
   */
  targets(
    rows: readonly ProcessRow[],
    lookUp: (pid: number) => ProcessRow | null = () => null,
  ): { pids: number[]; groups: number[] } {
    const byPid = new Map(rows.map((row) => [row.pid, row]));
    const pids = rows.filter((row) => this.owns(row)).map((row) => row.pid);
    const groups = [...this.groups].filter((pgid) => {
      // A row missing from the listing may be a read that failed: asked once more before the
      // group counts as leaderless.
      const leader = byPid.get(pgid) ?? lookUp(pgid);
      return leader === null || this.owns(leader);
    });
    return { pids, groups };
  }
}
