import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
}

function listProcesses(): ProcessRow[] {
  if (process.platform === 'linux') {
    const rows: ProcessRow[] = [];
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        // "pid (comm) state ppid pgrp …" — comm may hold spaces and parentheses.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        rows.push({ pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]) });
      } catch {
        // the process exited while listing
      }
    }
    return rows;
  }
  const out = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,pgid='], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((cols) => cols.length === 3 && cols.every((n) => Number.isFinite(n)))
    .map(([pid, ppid, pgid]) => ({ pid, ppid, pgid }));
}

/** `pid` and all its descendants, from one snapshot of the process table. */
export function processTree(pid: number): ProcessRow[] {
  const rows = listProcesses();
  const children = new Map<number, ProcessRow[]>();
  for (const row of rows) {
    const list = children.get(row.ppid) ?? [];
    list.push(row);
    children.set(row.ppid, list);
  }
  const tree: ProcessRow[] = [];
  const root = rows.find((row) => row.pid === pid);
  const stack: ProcessRow[] = root ? [root] : [];
  while (stack.length > 0) {
    const row = stack.pop() as ProcessRow;
    tree.push(row);
    stack.push(...(children.get(row.pid) ?? []));
  }
  return tree;
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

/** True while a process with this pid exists (zombies included until reaped). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while a process exists and is not a zombie (a zombie has exited; it only awaits its reaper). */
export function isProcessRunning(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
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
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp session …"
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid && fields[0] !== 'Z') return true;
    } catch {
      // the process exited while listing
    }
  }
  return false;
}
