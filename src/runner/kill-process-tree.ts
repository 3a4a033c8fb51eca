import { descendantsOf, isProcessRunning, listProcesses, ProcessRow } from '../core/process-table';

// Kept here for callers that still import them from the runner.
export { isProcessAlive, isProcessRunning } from '../core/process-table';

/** `pid` and all its descendants, from one snapshot of the process table. */
export function processTree(pid: number): ProcessRow[] {
  return descendantsOf(listProcesses(), pid);
}

/**
 * Kill a task process and everything it started. Tasks run subprocesses in their own process
 * groups (so an abort can kill a whole bash pipeline); those groups are found from a snapshot
 * taken before anything dies (orphans would be re-parented and lost) and killed as groups, so
 * grandchildren go too.
 */
export function killProcessTree(
  pid: number,
  signal: NodeJS.Signals = 'SIGKILL',
  options: { includeRoot?: boolean } = {},
): void {
  const includeRoot = options.includeRoot ?? true;
  const tree = processTree(pid).filter((row) => includeRoot || row.pid !== pid);
  const members = new Set(tree.map((row) => row.pid));
  const groups = new Set(tree.filter((row) => members.has(row.pgid)).map((row) => row.pgid));
  for (const pgid of groups) tryKill(-pgid, signal);
  for (const row of tree) tryKill(row.pid, signal);
  if (includeRoot) tryKill(pid, signal);
}

function tryKill(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // already gone
  }
}

/**
 * True while any process of session `sid` runs (zombies aside). A task process starts its own
 * session (it is spawned detached), and its subprocesses stay in it even in process groups of
 * their own and after they are re-parented — so this sees every process of a try whose parent is
 * gone. Outside Linux only the session leader is checked.
 */
export function isSessionRunning(sid: number): boolean {
  if (process.platform !== 'linux') return isProcessRunning(sid);
  return listProcesses().some((row) => row.sid === sid && row.state !== 'Z');
}
