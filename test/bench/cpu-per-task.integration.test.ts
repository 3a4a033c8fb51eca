import { spawn } from 'node:child_process';
import { cpuPerTask, describeCpuPerTask, readCpuParts } from '../../scripts/bench/cpu-per-task';

describe('bench CPU accounting per task', () => {
  it("divides each part's CPU between two readings by the tasks run", () => {
    const before = { scheduler: 1, worker: 2, children: 3, postgres: 4, redis: null };
    const after = { scheduler: 1.5, worker: 2.2, children: 4, postgres: 4.1, redis: null };
    expect(cpuPerTask(before, after, 1000)).toEqual({
      scheduler: 0.5,
      worker: 0.2,
      children: 1,
      postgres: 0.1,
      redis: null,
    });
    expect(describeCpuPerTask({ scheduler: 0.5, worker: null, children: 1, postgres: null, redis: null }, 0.4)).toBe(
      'CPU per task in the last repetition (from /proc): scheduler 0.5 ms, task processes 1 ms; 1.5 ms in all; ' +
        'the target leaves 0.4 ms of machine CPU per task',
    );
  });

  /** Node code that burns 300 ms of CPU (not of wall time: it must hold on a loaded machine). */
  const BURN = 'for (let u = process.cpuUsage(); u.user + u.system < 300000; u = process.cpuUsage());';

  it('counts the CPU of a busy child process under children, not under its parent', async () => {
    const watch = { schedulerPid: process.pid, workerPid: null, postgresDatabase: null, redis: false };
    const before = readCpuParts(watch);
    // The child exits and is reaped: its time moves to our cutime.
    const child = spawn(process.execPath, ['-e', BURN], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    const after = readCpuParts(watch);
    expect(after.children - before.children).toBeGreaterThan(0.25);
    expect(after.scheduler - before.scheduler).toBeLessThan(after.children - before.children);
    expect(after.postgres).toBeNull();
    expect(after.redis).toBeNull();
  });

  it("counts a grandchild reaped by a child (a bash task's shell) under children too", async () => {
    const watch = { schedulerPid: process.pid, workerPid: null, postgresDatabase: null, redis: false };
    const before = readCpuParts(watch);
    // A child that runs a burning grandchild to its end, says so, and stays alive: the
    // grandchild's time is then only in the live child's cutime.
    const script =
      `require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(BURN)}]); ` +
      "console.log('done'); setInterval(() => undefined, 1000);";
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const after = readCpuParts(watch);
    child.kill();
    await new Promise((resolve) => child.on('exit', resolve));
    expect(after.children - before.children).toBeGreaterThan(0.25);
  });
});
