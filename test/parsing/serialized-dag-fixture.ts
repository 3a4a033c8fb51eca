import type { SerializedDag } from '../../src/core/serialized-dag';
import type { FileParseResult } from '../../src/parsing/file-parse-result';

/** A small hand-made serialized DAG for DB tests that do not import DAG files. */
export function makeSerializedDag(dagId: string, overrides: Partial<SerializedDag> = {}): SerializedDag {
  return {
    formatVersion: 1,
    dagId,
    description: `the ${dagId} DAG`,
    fileloc: '/dags/unknown.ts',
    schedule: { kind: 'cron', expression: '0 12 * * *', timezone: 'UTC' },
    scheduleText: '0 12 * * *',
    startDate: '2026-01-01T00:00:00.000Z',
    endDate: null,
    catchup: false,
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    dagrunTimeoutMs: null,
    tags: ['example'],
    owner: 'airflow',
    params: {},
    docMd: null,
    tasks: [],
    ...overrides,
  };
}

export function parsed(file: string, dags: SerializedDag[], extra: Partial<FileParseResult> = {}): FileParseResult {
  return { file, dags, source: `// ${file}\n${dags.map((d) => d.dagId).join(',')}`, durationMs: 1, ...extra };
}
