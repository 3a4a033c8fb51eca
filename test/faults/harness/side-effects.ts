import fs from 'node:fs';

/** One line of the workload's side-effect file (see workload.ts). */
export interface Effect {
  phase: 'start' | 'child' | 'end' | 'overlap';
  dagId: string;
  taskId: string;
  runId: string;
  tryNumber: number;
  pid: number;
  ms: number;
  /** start: bash or js; overlap: the pid of the earlier try's live process. */
  extra: string;
}

export function readEffects(file: string): Effect[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [phase, dagId, taskId, runId, tryNumber, pid, ms, extra = ''] = line.split(' ');
      return {
        phase: phase as Effect['phase'],
        dagId,
        taskId,
        runId,
        tryNumber: Number(tryNumber),
        pid: Number(pid),
        ms: Number(ms),
        extra,
      };
    });
}

/** dag/run/task — a task instance. */
export function instanceKey(e: { dagId: string; runId: string; taskId: string }): string {
  return `${e.dagId}/${e.runId}/${e.taskId}`;
}

/** dag/run/task#try — one try. */
export function tryKey(e: Effect): string {
  return `${instanceKey(e)}#${e.tryNumber}`;
}

/** Is a process alive (a zombie, which PID 1 here may never reap, is not). */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
