import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TaskWorkload } from '../../src/core/executor';

/** A workload for `dagId.taskId` in file `fileloc`, with sensible run facts. */
export function makeWorkload(
  fileloc: string,
  dagId: string,
  taskId: string,
  overrides: Partial<TaskWorkload> = {},
): TaskWorkload {
  return {
    key: { dagId, taskId, runId: 'manual__2026-01-05T00:00:00+00:00', mapIndex: -1 },
    tryNumber: 1,
    fileloc,
    dagHash: null,
    queue: 'default',
    priority: 1,
    executionTimeoutMs: null,
    pool: 'default_pool',
    poolSlots: 1,
    logicalDate: '2026-01-05T00:00:00.000Z',
    dataIntervalStart: '2026-01-04T00:00:00.000Z',
    dataIntervalEnd: '2026-01-05T00:00:00.000Z',
    runType: 'manual',
    conf: {},
    maxTries: 1,
    xcoms: {},
    firstRescheduleDate: null,
    ...overrides,
  };
}

/** A temporary DAGCTL_HOME with `dags/` and `logs/`; `remove()` deletes it. */
export function makeTempHome(prefix = 'dagctl-runner-'): { home: string; dags: string; logs: string; remove(): void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dags = path.join(home, 'dags');
  const logs = path.join(home, 'logs');
  fs.mkdirSync(dags);
  fs.mkdirSync(logs);
  return { home, dags, logs, remove: () => fs.rmSync(home, { recursive: true, force: true }) };
}

export function writeDagFile(folder: string, name: string, source: string): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, source);
  return file;
}
