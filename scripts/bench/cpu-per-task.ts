import { commandOf, descendantsIn, ProcStat, processTable, ticksPerSecond } from './proc-stats';
import { round } from './stats';

/**
 * Where a scenario's CPU goes, read from /proc around one repetition: the CPU seconds each part
 * of the system used, divided by the tasks the repetition ran. It is what tells a figure bound by
 * CPU from one bound by waiting, and which process to profile first.
 */
export interface CpuParts {
  /** The scheduler process itself (not its children). */
  scheduler: number;
  /** The bullmq worker process itself, when there is one. */
  worker: number | null;
  /** Children of the scheduler and the worker: task processes (and, for local, DAG parsers), live or reaped. */
  children: number;
  /** Backends of the scenario's PostgreSQL database, when it uses one. */
  postgres: number | null;
  /** The whole redis-server (other clients included), when the scenario uses Redis. */
  redis: number | null;
}

export interface CpuWatch {
  schedulerPid: number;
  workerPid: number | null;
  /** PostgreSQL database name: its backends are counted. */
  postgresDatabase: string | null;
  redis: boolean;
}

/** CPU seconds of each part now; diff two readings with cpuPerTask. */
export function readCpuParts(watch: CpuWatch): CpuParts {
  const hz = ticksPerSecond();
  const table = processTable();
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const own = (p: ProcStat | undefined): number => (p ? (p.times[0] + p.times[1]) / hz : 0);
  const reaped = (p: ProcStat | undefined): number => (p ? (p.times[2] + p.times[3]) / hz : 0);
  const hosts = [watch.schedulerPid, watch.workerPid].filter((pid): pid is number => pid !== null);
  // Reaped processes count in their parent's cutime: a bash task's shell is reaped by its task process.
  let children = hosts.reduce((sum, pid) => sum + reaped(byPid.get(pid)), 0);
  for (const p of descendantsIn(table, hosts)) children += own(p) + reaped(p);
  // Commands are read only for PostgreSQL and Redis, and once per process for both.
  let commands: Map<number, { comm: string; cmdline: string }> | null = null;
  const matching = (test: (command: { comm: string; cmdline: string }) => boolean): number => {
    commands ??= new Map(table.map((p) => [p.pid, commandOf(p.pid)]));
    return table.reduce((sum, p) => (test(commands?.get(p.pid) ?? { comm: '', cmdline: '' }) ? sum + own(p) : sum), 0);
  };
  return {
    scheduler: own(byPid.get(watch.schedulerPid)),
    worker: watch.workerPid === null ? null : own(byPid.get(watch.workerPid)),
    children,
    postgres:
      watch.postgresDatabase === null
        ? null
        : matching(
            ({ cmdline }) =>
              cmdline.startsWith('postgres:') && cmdline.split(' ').includes(watch.postgresDatabase as string),
          ),
    redis: watch.redis ? matching(({ comm }) => comm === 'redis-server') : null,
  };
}

/** Milliseconds of CPU per task for each part between two readings. */
export function cpuPerTask(before: CpuParts, after: CpuParts, tasks: number): CpuParts {
  const perTask = (a: number | null, b: number | null): number | null =>
    a === null || b === null ? null : round(((b - a) * 1000) / tasks);
  return {
    scheduler: perTask(before.scheduler, after.scheduler) ?? 0,
    worker: perTask(before.worker, after.worker),
    children: perTask(before.children, after.children) ?? 0,
    postgres: perTask(before.postgres, after.postgres),
    redis: perTask(before.redis, after.redis),
  };
}

/** "CPU per task …" for a figure's notes; `budgetMs` is what the target allows on this machine. */
export function describeCpuPerTask(ms: CpuParts, budgetMs: number | null): string {
  const parts: Array<[string, number | null]> = [
    ['scheduler', ms.scheduler],
    ['worker', ms.worker],
    ['task processes', ms.children],
    ['PostgreSQL', ms.postgres],
    ['Redis (whole server)', ms.redis],
  ];
  const shown = parts.filter((p): p is [string, number] => p[1] !== null);
  const total = round(shown.reduce((sum, [, v]) => sum + v, 0));
  const budget = budgetMs === null ? '' : `; the target leaves ${round(budgetMs)} ms of machine CPU per task`;
  const each = shown.map(([name, v]) => `${name} ${v} ms`).join(', ');
  return `CPU per task in the last repetition (from /proc): ${each}; ${total} ms in all${budget}`;
}
