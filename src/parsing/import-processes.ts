import fs from 'node:fs';
import { descendantsOf, listProcesses, readProcStat } from '../core/process-table';

/**
 * Processes a DAG file starts at import must not outlive its import. A parser child is the leader
 * of its own session and process group (forked detached), so what a file spawns stays either its
 * descendant or in that session; after each file the child kills all of them. Linux only (/proc);
 * elsewhere nothing is tracked.
 *
 * Cheap when a file spawns nothing (the usual case, which parse1000 measures): one read of the
 * child's own stat and one of its main thread's children list decide whether to look further.
 */

/** Minor faults of reaped children: grows when any child process ran and exited. */
export type ChildActivityMark = number | null;

/** Taken before an import; compared after it by killImportProcesses. */
export function childActivityMark(): ChildActivityMark {
  if (process.platform !== 'linux') return null;
  return readProcStat('self')?.childMinorFaults ?? null;
}

/** Children of the main thread (child_process spawns from it); null when /proc cannot say. */
function liveChildren(): number[] | null {
  try {
    const text = fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim();
    return text ? text.split(' ').map(Number) : [];
  } catch {
    return null;
  }
}

/** Every process `self` started (descendants, and members of the group or session it leads), not itself. */
function strays(self: number): number[] {
  // A zombie is dead already; it stays listed until Node reaps it.
  const rows = listProcesses().filter((row) => row.state !== 'Z');
  const found = new Set<number>();
  for (const row of rows) if (row.pgid === self || row.sid === self) found.add(row.pid);
  for (const row of descendantsOf(rows, self)) found.add(row.pid);
  found.delete(self);
  return [...found];
}

/**
 * SIGKILL every process started since `mark` (all when `mark` is null). Looks again after killing,
 * as a process may fork while its siblings die. Returns how many were killed.
 */
export function killImportProcesses(mark: ChildActivityMark): number {
  if (process.platform !== 'linux') return 0;
  const children = liveChildren();
  if (mark !== null && children !== null && children.length === 0 && childActivityMark() === mark) return 0;
  return killStrays(process.pid);
}

/**
 * From the parent: SIGKILL what a parser child started (its tree, its group and session), before
 * the child itself is killed (its orphans could not be found afterwards).
 */
export function killProcessesOf(pid: number): number {
  return process.platform === 'linux' ? killStrays(pid) : 0;
}

function killStrays(root: number): number {
  let killed = 0;
  for (let round = 0; round < 5; round += 1) {
    const pids = strays(root);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed += 1;
      } catch {
        // already gone
      }
    }
  }
  return killed;
}
