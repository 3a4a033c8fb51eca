import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

/** CPU time and memory of a process and its descendants, read from /proc. */
export interface TreeSample {
  /** When sampled (ms, monotonic). */
  at: number;
  /** CPU seconds: the root's user+system (including reaped children) plus live descendants'. */
  cpuSeconds: number;
  rootRssMb: number;
  treeRssMb: number;
  processes: number;
}

let clockTicks: number | null = null;
export function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime, stime, cutime, cstime in ticks. */
  times: [number, number, number, number];
}

export function readStat(pid: number): ProcStat | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), times: [Number(fields[11]), Number(fields[12]), Number(fields[13]), Number(fields[14])] };
  } catch {
    return null;
  }
}

function rssMb(pid: number): number {
  try {
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** One live process, as /proc shows it. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

/** Every live process (empty where there is no /proc). */
export function processTable(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    try {
      const comm = fs.readFileSync(`/proc/${name}/comm`, 'utf8').trim();
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: stat.pid, ppid: stat.ppid, comm, cmdline });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** The pids below `roots` in `table` (children, grandchildren…). */
export function descendantsIn(table: ProcessEntry[], roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const stack = roots.flatMap((root) => children.get(root) ?? []);
  while (stack.length > 0 && out.length < 10_000) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function sampleTree(root: number): TreeSample {
  const rootStat = readStat(root);
  if (!rootStat) throw new Error(`process ${root} is gone`);
  const hz = ticksPerSecond();
  let ticks = rootStat.times.reduce((a, b) => a + b, 0);
  let treeRss = rssMb(root);
  const kids = descendantsIn(processTable(), [root]);
  for (const pid of kids) {
    const s = readStat(pid);
    if (!s) continue;
    ticks += s.times[0] + s.times[1];
    treeRss += rssMb(pid);
  }
  return { at: performance.now(), cpuSeconds: ticks / hz, rootRssMb: rssMb(root), treeRssMb: treeRss, processes: 1 + kids.length };
}
