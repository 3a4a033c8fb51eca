import { isPidReused, isProcessAlive, listProcesses, ProcessIdentity, readProcStat } from '../core/process-table';
import { RememberedProcesses } from './remembered-processes';

/**
 * Ends one task process and everything it started. Descendants are remembered from every look at
 * the tree, so those re-parented when their parent died (and no longer found under the root) are
 * still killed: by process group, since tasks run their subprocesses in groups of their own. Only
 * processes that are still the ones seen are signalled (see RememberedProcesses): the root's pid
 * too may belong to another process once the root has been reaped.
 */
export class ProcessTreeKiller {
  private readonly seen: RememberedProcesses;

  /** `root`: the task process, identified while it was certainly alive (core/process-table's identifyProcess). */
  constructor(root: ProcessIdentity) {
    this.seen = new RememberedProcesses(root);
    this.seen.see(listProcesses());
  }

  /** SIGTERM to every descendant (not the root: it was asked over IPC and reports the try). */
  terminateDescendants(): void {
    const { pids, groups } = this.look();
    const rootPid = this.seen.root.pid;
    for (const pgid of groups) if (pgid !== rootPid) signal(-pgid, 'SIGTERM');
    for (const pid of pids) if (pid !== rootPid) signal(pid, 'SIGTERM');
  }

  /** SIGKILL to the root, its process group and every descendant seen so far. */
  kill(): void {
    const { pids, groups } = this.look();
    for (const pgid of groups) signal(-pgid, 'SIGKILL');
    for (const pid of pids) signal(pid, 'SIGKILL');
    // The root even when this look missed its row (a /proc read failing for a moment): unless its
    // pid is known to name another process now, a task process that must stop is always killed.
    if (!pids.includes(this.seen.root.pid) && !isPidReused(this.seen.root)) signal(this.seen.root.pid, 'SIGKILL');
  }

  /** Resolves once no process seen in the tree runs any more (up to `timeoutMs`, after SIGKILL: a moment). */
  async gone(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.seen.pids().some((pid) => this.runs(pid)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private runs(pid: number): boolean {
    // Outside Linux there is no /proc: only the pid can be asked about.
    if (process.platform !== 'linux') return isProcessAlive(pid);
    const stat = readProcStat(pid);
    return stat !== null && this.seen.owns(stat) && stat.state !== 'Z';
  }

  /** One look at the table: remembers what is new in the tree, and says what to signal. */
  private look(): { pids: number[]; groups: number[] } {
    const rows = listProcesses();
    this.seen.see(rows);
    return this.seen.targets(rows, readProcStat);
  }
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}
