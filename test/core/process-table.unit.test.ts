import { descendantsOf, identifyProcess, isPidReused, parseProcStat, ProcessRow } from '../../src/core/process-table';

describe('process table', () => {
  it('parses /proc/PID/stat, whatever the command name holds', () => {
    const line = '4242 (a) b (c) S 17 4242 4200 0 -1 4194560 120 7 0 0 3 1 0 0 20 0 1 0 99 1000 50\n';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      state: 'S',
      ppid: 17,
      pgid: 4242,
      sid: 4200,
      startTime: 99,
      childMinorFaults: 7,
    });
    expect(parseProcStat('1 (zombie) Z 0 1 1 0 -1 0 0 0 0 0')).toMatchObject({ state: 'Z' });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('walks a tree from its root, each process once, leaving other trees alone', () => {
    const row = (pid: number, ppid: number): ProcessRow => ({ pid, ppid, pgid: pid, sid: 1, state: 'S', startTime: 5 });
    const rows = [row(1, 0), row(10, 1), row(11, 10), row(12, 10), row(13, 12), row(20, 1), row(21, 20)];
    expect(
      descendantsOf(rows, 10)
        .map((r) => r.pid)
        .sort(),
    ).toEqual([10, 11, 12, 13]);
    // The root may be gone already: its listed children are still found.
    expect(
      descendantsOf(rows.slice(2), 10)
        .map((r) => r.pid)
        .sort(),
    ).toEqual([11, 12, 13]);
    // A pid reused while listing may look like a cycle: still a finite walk.
    expect(
      descendantsOf([row(30, 31), row(31, 30)], 30)
        .map((r) => r.pid)
        .sort(),
    ).toEqual([30, 31]);
    expect(descendantsOf(rows, 99)).toEqual([]);
  });
});

describe('process identity', () => {
  it('tells a process from a later one given its pid', () => {
    const self = identifyProcess(process.pid);
    expect(self.startTime).toBeGreaterThanOrEqual(0);
    expect(isPidReused(self)).toBe(false);
    // The same pid with another start time: the process it named was reaped and the pid given again.
    expect(isPidReused({ pid: process.pid, startTime: self.startTime + 1 })).toBe(true);
    // No start time known (outside Linux): only the pid can be compared.
    expect(isPidReused({ pid: process.pid, startTime: -1 })).toBe(false);
  });
});
