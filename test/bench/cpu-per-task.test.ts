import { spawn } from 'node:child_process';
import { cpuPerTask, describeCpuPerTask, readCpuParts } from '../../scripts/bench/cpu-per-task';

describe('bench CPU accounting per task', () => {
  it('divides each part\'s CPU between two readings by the tasks run', () => {
    const before = { scheduler: 1, worker: 2, children: 3, postgres: 4, redis: null };
    const after = { scheduler: 1.5, worker: 2.2, children: 4, postgres: 4.1, redis: null };
    expect(cpuPerTask(before, after, 1000)).toEqual({ scheduler: 0.5, worker: 0.2, children: 1, postgres: 0.1, redis: null });
    expect(describeCpuPerTask({ scheduler: 0.5, worker: null, children: 1, postgres: null, redis: null }, 0.4))
      .toBe('CPU per task in the last repetition (from /proc): scheduler 0.5 ms, task processes 1 ms; 1.5 ms in all; the target leaves 0.4 ms of machine CPU per task');
  });

  it('counts the CPU of a busy child process under children, not under its parent', async () => {
    const watch = { schedulerPid: process.pid, workerPid: null, postgresDatabase: null, redis: false };
    const before = readCpuParts(watch);
    // A child that spins for about 300 ms of CPU and exits (reaped: its time moves to our cutime).
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);'], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    const after = readCpuParts(watch);
    expect(after.children - before.children).toBeGreaterThan(0.15);
    expect(after.scheduler - before.scheduler).toBeLessThan(after.children - before.children);
    expect(after.postgres).toBeNull();
    expect(after.redis).toBeNull();
  });
});
