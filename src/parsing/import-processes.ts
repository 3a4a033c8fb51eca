import fs from 'node:fs';

/**
 * Processes a DAG file starts at import must not outlive its import. A parser child is the leader
 * of its own session and process group (forked detached), so what a file spawns stays either its
 * descendant or in that session; after each file the child kills all of them. A process that
 * double-forks into a session of its own (`setsid cmd &`) is in neither: every parser child gets a
 * fresh tag in its environment (PARSER_TAG_ENV), which what it spawns inherits however it detaches,
 * and processes carrying the tag are killed too. (Only a file that scrubs the environment of what
 * it starts escapes that.) Linux only (/proc); elsewhere nothing is tracked.
 *
 * Cheap when a file spawns nothing (the usual case, which parse1000 measures): one read of the
 * child's own stat and one of its main thread's children list decide whether to look further.
 */

/** Environment variable naming the parser child a process descends from (a fresh UUID per child). */
export const PARSER_TAG_ENV = 'DAGCTL_PARSER_TAG';

// Read before any DAG file runs: a file changing process.env must not change what is looked for.
const ownTag = process.env[PARSER_TAG_ENV] ?? null;

/** Minor faults of reaped children: grows when any child process ran and exited. */
export type ChildActivityMark = number | null;

function statFields(pid: number | 'self'): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Taken before an import; compared after it by killImportProcesses. */
export function childActivityMark(): ChildActivityMark {
  if (process.platform !== 'linux') return null;
  const fields = statFields('self');
  return fields ? Number(fields[8]) : null;
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

interface Row {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
}

function processTable(): Row[] {
  const rows: Row[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    // A zombie is dead already; it stays listed until Node reaps it.
    if (fields && fields[0] !== 'Z')
      rows.push({ pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]), sid: Number(fields[3]) });
  }
  return rows;
}

/** True when the process was started with `tag` in its environment. */
function carriesTag(pid: number, tag: string): boolean {
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
    return `\0${environ}`.includes(`\0${PARSER_TAG_ENV}=${tag}\0`);
  } catch {
    return false; // gone, or not ours to read
  }
}

/**
 * Every process `self` started (descendants, members of the group or session it leads, and those
 * carrying its `tag`), not itself nor this process.
 */
function strays(self: number | null, tag: string | null): number[] {
  const rows = processTable();
  const found = new Set<number>();
  if (tag)
    for (const row of rows)
      if (row.pid !== self && row.pid !== process.pid && carriesTag(row.pid, tag)) found.add(row.pid);
  if (self === null) return [...found];
  for (const row of rows) if (row.pid !== self && (row.pgid === self || row.sid === self)) found.add(row.pid);
  const byParent = new Map<number, number[]>();
  for (const row of rows) {
    const siblings = byParent.get(row.ppid);
    if (siblings) siblings.push(row.pid);
    else byParent.set(row.ppid, [row.pid]);
  }
  const visited = new Set<number>([self]);
  const stack = [...(byParent.get(self) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (visited.has(pid)) continue;
    visited.add(pid);
    found.add(pid);
    stack.push(...(byParent.get(pid) ?? []));
  }
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
  return killStrays(process.pid, ownTag);
}

/**
 * From the parent: SIGKILL what a parser child started (its tree, its group and session), before
 * the child itself is killed (its orphans could not be found afterwards).
 */
export function killProcessesOf(pid: number, tag: string | null): number {
  return process.platform === 'linux' ? killStrays(pid, tag) : 0;
}

/** From the parent, once a parser child is gone (its pid may be reused): SIGKILL what carries its tag. */
export function killTaggedProcesses(tag: string): number {
  return process.platform === 'linux' ? killStrays(null, tag) : 0;
}

function killStrays(root: number | null, tag: string | null): number {
  let killed = 0;
  for (let round = 0; round < 5; round += 1) {
    const pids = strays(root, tag);
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
