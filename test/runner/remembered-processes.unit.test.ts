import type { ProcessRow } from '../../src/core/process-table';
import { RememberedProcesses } from '../../src/runner/remembered-processes';

/** A row of the process table: pid, parent, group, start time. */
const row = (pid: number, ppid: number, pgid: number, startTime: number, state = 'S'): ProcessRow => ({
  pid,
  ppid,
  pgid,
  sid: pgid,
  state,
  startTime,
});

// A task process 10 (its own group) runs bash 20 (a group of its own), which runs sleep 21.
const ROOT = { pid: 10, startTime: 100 };
const scheduler = row(1, 0, 1, 1);
const taskProcess = row(10, 1, 10, 100);
const bash = row(20, 10, 20, 200);
const sleep = row(21, 20, 20, 210);
const sorted = (targets: { pids: number[]; groups: number[] }) => ({
  pids: [...targets.pids].sort((a, b) => a - b),
  groups: [...targets.groups].sort((a, b) => a - b),
});

describe('RememberedProcesses', () => {
  it('targets the whole tree and its groups, never a group led from outside it', () => {
    const seen = new RememberedProcesses(ROOT);
    const rows = [scheduler, taskProcess, bash, sleep, row(11, 10, 1, 110)];
    seen.see(rows);
    expect(sorted(seen.targets(rows))).toEqual({ pids: [10, 11, 20, 21], groups: [10, 20] });
  });

  it('still targets a process re-parented after its parent died, and its group', () => {
    const seen = new RememberedProcesses(ROOT);
    seen.see([scheduler, taskProcess, bash, sleep]);
    const orphaned = [scheduler, taskProcess, row(21, 1, 20, 210)];
    seen.see(orphaned);
    expect(sorted(seen.targets(orphaned))).toEqual({ pids: [10, 21], groups: [10, 20] });
  });

  it('never targets a remembered pid that now names another process', () => {
    const seen = new RememberedProcesses(ROOT);
    seen.see([scheduler, taskProcess, bash, sleep]);
    // sleep 21 exited and was reaped; an unrelated process got pid 21 (in the scheduler's group).
    const rows = [scheduler, taskProcess, bash, row(21, 1, 1, 5000)];
    seen.see(rows);
    expect(seen.targets(rows).pids).not.toContain(21);
    expect(seen.owns(row(21, 1, 1, 5000))).toBe(false);
  });

  it('never adopts the tree of a process given the root pid after the root was reaped', () => {
    const seen = new RememberedProcesses(ROOT);
    seen.see([scheduler, taskProcess]);
    // The task process is gone; pid 10 is now an unrelated daemon with a child and a group of its own.
    const rows = [scheduler, row(10, 1, 10, 7000), row(30, 10, 10, 7001)];
    seen.see(rows);
    expect(seen.targets(rows)).toEqual({ pids: [], groups: [] });
  });

  it('targets a group whose leader is gone, not one whose number is now the pid of another process', () => {
    const seen = new RememberedProcesses(ROOT);
    seen.see([scheduler, taskProcess, bash]);
    // bash died; a child it started after the last look (22) is still in its group.
    expect(seen.targets([scheduler, taskProcess, row(22, 1, 20, 220)]).groups).toContain(20);
    // Group 20 emptied and an unrelated process got pid 20 (leading a group 20 of its own).
    expect(seen.targets([scheduler, taskProcess, row(20, 1, 20, 9000)]).groups).not.toContain(20);
  });

  it('asks once more for a group leader missing from the listing before counting the group leaderless', () => {
    const seen = new RememberedProcesses(ROOT);
    seen.see([scheduler, taskProcess, bash]);
    const rows = [scheduler, taskProcess, row(22, 1, 20, 220)];
    // The read of 20 failed in the listing, but 20 is an unrelated process now: not its group.
    expect(seen.targets(rows, (pid) => (pid === 20 ? row(20, 1, 20, 9000) : null)).groups).not.toContain(20);
    // Really gone: the group (still holding 22) is signalled.
    expect(seen.targets(rows, () => null).groups).toContain(20);
  });

  it('knows a root whose start time could not be read by its pid alone', () => {
    // Linux, but the read right after the fork failed (-1): the tree is still remembered.
    const seen = new RememberedProcesses({ pid: 10, startTime: -1 });
    const rows = [scheduler, taskProcess, bash];
    seen.see(rows);
    expect(sorted(seen.targets(rows))).toEqual({ pids: [10, 20], groups: [10, 20] });
  });

  it('compares pids only where the platform gives no start times', () => {
    const seen = new RememberedProcesses({ pid: 10, startTime: -1 });
    const rows = [row(1, 0, 1, -1), row(10, 1, 10, -1), row(20, 10, 20, -1)];
    seen.see(rows);
    expect(sorted(seen.targets(rows))).toEqual({ pids: [10, 20], groups: [10, 20] });
  });
});
