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
    return {
      pid,
      ppid: Number(fields[1]),
      times: [Number(fields[11]), Number(fields[12]), Number(fields[13]), Number(fields[14])],
    };
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

/** Every live process's stat (empty where there is no /proc). */
export function processTable(): ProcStat[] {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  return names
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
}

/** The processes below `roots` in `table` (children, grandchildren…). */
export function descendantsIn(table: ProcStat[], roots: number[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcStat[] = [];
  const stack = roots.flatMap((root) => children.get(root) ?? []);
  while (stack.length > 0 && out.length < 10_000) {
    const p = stack.pop() as ProcStat;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/** `comm` and `cmdline` of a process ('' once it is gone). */
export function commandOf(pid: number): { comm: string; cmdline: string } {
  try {
    return {
      comm: fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim(),
      cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(),
    };
  } catch {
    return { comm: '', cmdline: '' };
  }
}

export function sampleTree(root: number): TreeSample {
  const rootStat = readStat(root);
  if (!rootStat) throw new Error(`process ${root} is gone`);
  const hz = ticksPerSecond();
  let ticks = rootStat.times.reduce((a, b) => a + b, 0);
  let treeRss = rssMb(root);
  const kids = descendantsIn(processTable(), [root]);
  for (const kid of kids) {
    ticks += kid.times[0] + kid.times[1];
    treeRss += rssMb(kid.pid);
  }
  return {
    at: performance.now(),
    cpuSeconds: ticks / hz,
    rootRssMb: rssMb(root),
    treeRssMb: treeRss,
    processes: 1 + kids.length,
  };
}
