import type { TaskContext } from '../../../src/authoring/task-context';

/** A TaskContext for calling operators directly in tests (no runner, no DB). */
export function fakeTaskContext(
  overrides: Partial<TaskContext> & { xcoms?: Record<string, unknown> } = {},
): TaskContext & { logLines: string[] } {
  const { xcoms = {}, ...rest } = overrides;
  const logLines: string[] = [];
  const logicalDate = new Date('2026-01-02T00:00:00Z');
  const pushed: Record<string, unknown> = {};
  const ctx: TaskContext & { logLines: string[] } = {
    dagId: 'test_dag',
    taskId: 'test_task',
    runId: 'manual__2026-01-02T00:00:00+00:00',
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    logicalDate,
    ds: '2026-01-02',
    ts: '2026-01-02T00:00:00+00:00',
    dataIntervalStart: logicalDate,
    dataIntervalEnd: new Date('2026-01-03T00:00:00Z'),
    params: {},
    triggeringDatasetEvents: [],
    dagRun: { runId: 'manual__2026-01-02T00:00:00+00:00', runType: 'manual', conf: {}, logicalDate },
    xcomPull: <T>(taskId: string, key = 'return_value') =>
      (key === 'return_value' ? xcoms[taskId] : pushed[`${taskId}.${key}`]) as T | undefined,
    xcomPush: (key: string, value: unknown) => {
      pushed[key] = value;
    },
    log: {
      info: (m: string) => logLines.push(`INFO ${m}`),
      warn: (m: string) => logLines.push(`WARN ${m}`),
      error: (m: string) => logLines.push(`ERROR ${m}`),
      debug: (m: string) => logLines.push(`DEBUG ${m}`),
    },
    variables: {
      get: (key: string) => Promise.reject(new Error(`variable '${key}' does not exist`)),
      getJson: (key: string) => Promise.reject(new Error(`variable '${key}' does not exist`)),
    },
    connection: (connId: string) => Promise.reject(new Error(`connection '${connId}' is not defined`)),
    maskSecret: () => undefined,
    signal: new AbortController().signal,
    firstRescheduleDate: null,
    externalRun: () => Promise.reject(new Error('no metadata database in this fake context')),
    triggerDagRun: () => Promise.reject(new Error('no metadata database in this fake context')),
    logLines,
    ...rest,
  };
  return ctx;
}
