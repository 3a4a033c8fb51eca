import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteCommitWatcher } from '../../src/scheduler/sqlite-commit-watcher';

/** When the watcher reads `data_version`, on a fake clock (the integration test covers real commits). */
describe('SqliteCommitWatcher polling', () => {
  let dir: string;
  let watcher: SqliteCommitWatcher | null = null;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-commit-watcher-'));
    jest.useFakeTimers();
  });
  afterEach(() => {
    watcher?.stop();
    watcher = null;
    jest.useRealTimers();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function start(options: { watchFiles?: boolean }, version: () => number, onCommit = () => undefined) {
    watcher = new SqliteCommitWatcher({
      file: path.join(dir, 'dagctl.db'),
      readVersion: version,
      onCommit,
      fastPollMs: 25,
      slowPollMs: 60_000,
      ...options,
    });
    return watcher;
  }

  it('reads nothing between slow polls while file-system events are watched and nothing changes', async () => {
    const w = start({}, () => 1);
    await w.start();
    expect(w.watching).toBe(true);
    expect(w.checks).toBe(1); // the version it starts from
    await jest.advanceTimersByTimeAsync(59_000);
    expect(w.checks).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(w.checks).toBe(2);
  });

  it('polls fast without a watch, and calls onCommit once per changed version', async () => {
    let version = 1;
    let commits = 0;
    const w = start(
      { watchFiles: false },
      () => version,
      () => {
        commits += 1;
      },
    );
    await w.start();
    expect(w.watching).toBe(false);
    await jest.advanceTimersByTimeAsync(25);
    expect(w.checks).toBe(2);
    expect(commits).toBe(0);
    version = 2;
    await jest.advanceTimersByTimeAsync(100);
    expect(w.checks).toBe(6);
    expect(commits).toBe(1);
  });
});
