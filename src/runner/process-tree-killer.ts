import { isProcessRunning } from '../core/process-table';
import { processTree } from './kill-process-tree';

/**
 * Ends one task process and everything it started. Descendants are remembered from every look at
 * the tree, so those re-parented when their parent died (and no longer found under the root) are
 * still killed: by process group, since tasks run their subprocesses in groups of their own.
 */
export class ProcessTreeKiller {
  private readonly pids = new Set<number>();
  private readonly groups = new Set<number>();

  constructor(private readonly rootPid: number) {
    this.look();
  }

  /** SIGTERM to every descendant (not the root: it was asked over IPC and reports the try). */
  terminateDescendants(): void {
    this.look();
    for (const pgid of this.groups) if (pgid !== this.rootPid) signal(-pgid, 'SIGTERM');
    for (const pid of this.pids) if (pid !== this.rootPid) signal(pid, 'SIGTERM');
  }

  /** SIGKILL to the root, its process group and every descendant seen so far. */
  kill(): void {
    this.look();
    for (const pgid of this.groups) signal(-pgid, 'SIGKILL');
    for (const pid of this.pids) signal(pid, 'SIGKILL');
    signal(this.rootPid, 'SIGKILL');
  }

  /** Resolves once no process seen in the tree runs any more (up to `timeoutMs`, after SIGKILL: a moment). */
  async gone(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.pids].some((pid) => isProcessRunning(pid)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private look(): void {
    const tree = processTree(this.rootPid);
    const members = new Set(tree.map((row) => row.pid));
    for (const row of tree) {
      this.pids.add(row.pid);
      // Only groups led from inside the tree: never the scheduler's own group.
      if (members.has(row.pgid)) this.groups.add(row.pgid);
    }
  }
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}
