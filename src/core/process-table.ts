import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * The process table, as both the task runner (killing a task's tree) and the DAG processor
 * (killing what an import started) need it. Linux reads /proc; elsewhere `ps` gives what it can
 * (no session, no state).
 */

export interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** Session id; -1 where the platform does not say. */
  sid: number;
  /** One letter: 'R', 'S', 'Z' (zombie: exited, awaiting its reaper), …; '?' where unknown. */
  state: string;
  /**
   * When it started (clock ticks since boot); -1 where the platform does not say. With the pid it
   * names one process: a pid freed when its process was reaped may be given to an unrelated one.
   */
  startTime: number;
}

/** What /proc/PID/stat says, parsed: the row, and the minor faults of reaped children (cminflt). */
export interface ProcStat extends ProcessRow {
  childMinorFaults: number;
}

/** Parse one /proc/PID/stat line; null when it is not one. */
export function parseProcStat(text: string): ProcStat | null {
  // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const fields = text.slice(close + 2).split(' ');
  if (!Number.isInteger(pid) || fields.length < 9) return null;
  return {
    pid,
    state: fields[0],
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    sid: Number(fields[3]),
    // Field 22 of the line; -1 on a line cut short (never one the kernel wrote).
    startTime: fields.length > 19 ? Number(fields[19]) : -1,
    childMinorFaults: Number(fields[8]),
  };
}

/** /proc/PID/stat of a process, parsed; null when it is gone or this is not Linux. */
export function readProcStat(pid: number | 'self'): ProcStat | null {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** One snapshot of every process (zombies included). */
export function listProcesses(): ProcessRow[] {
  if (process.platform === 'linux') {
    const rows: ProcessRow[] = [];
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      // null: the process exited while listing
      const stat = readProcStat(Number(name));
      if (stat) {
        const { pid, ppid, pgid, sid, state, startTime } = stat;
        rows.push({ pid, ppid, pgid, sid, state, startTime });
      }
    }
    return rows;
  }
  const out = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,pgid='], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((cols) => cols.length === 3 && cols.every((n) => Number.isFinite(n)))
    .map(([pid, ppid, pgid]) => ({ pid, ppid, pgid, sid: -1, state: '?', startTime: -1 }));
}

/** The rows of `root` (when listed) and of all its descendants in `rows`, each once. */
export function descendantsOf(rows: ProcessRow[], root: number): ProcessRow[] {
  const byParent = new Map<number, ProcessRow[]>();
  for (const row of rows) {
    const siblings = byParent.get(row.ppid);
    if (siblings) siblings.push(row);
    else byParent.set(row.ppid, [row]);
  }
  const tree: ProcessRow[] = [];
  const rootRow = rows.find((row) => row.pid === root);
  if (rootRow) tree.push(rootRow);
  const visited = new Set<number>([root]);
  const stack = [...(byParent.get(root) ?? [])];
  while (stack.length > 0) {
    const row = stack.pop()!;
    // A pid reused while listing could make a cycle.
    if (visited.has(row.pid)) continue;
    visited.add(row.pid);
    tree.push(row);
    stack.push(...(byParent.get(row.pid) ?? []));
  }
  return tree;
}

/**
 * The `NAME=value` entries a process was started with (/proc/PID/environ: what it inherited, which
 * what it starts inherits in turn); null when it is gone, not ours to read, or this is not Linux.
 */
export function processEnvironment(pid: number): Set<string> | null {
  if (process.platform !== 'linux') return null;
  try {
    return new Set(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0'));
  } catch {
    return null; // ENOENT: it exited meanwhile; EACCES: another user's
  }
}

/** A process by pid and start time: the pair names it even after its pid is given to another. */
export interface ProcessIdentity {
  pid: number;
  /** As ProcessRow.startTime: -1 where the platform does not say (then only the pid is compared). */
  startTime: number;
}

/**
 * The identity of a child process, taken while it cannot have been reaped yet (right after it was
 * spawned, before the event loop could see it exit): until then its pid is its own.
 */
export function identifyProcess(pid: number): ProcessIdentity {
  return { pid, startTime: readProcStat(pid)?.startTime ?? -1 };
}

/** True when the pid of `identity` now names another process: its own was reaped, the pid given again. */
export function isPidReused(identity: ProcessIdentity): boolean {
  const stat = readProcStat(identity.pid);
  return stat !== null && identity.startTime !== -1 && stat.startTime !== identity.startTime;
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
  const stat = readProcStat(pid);
  return stat !== null && stat.state !== 'Z';
}
