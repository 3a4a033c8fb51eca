import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src/db/data-source';
import { execSql } from '../../src/db/sql';
import { dagctl, dagctlJson, startDagctl, stopProcess } from '../helpers/cli';
import { createTestHome, TestHome } from '../helpers/dagctl-home';
import { eventually } from '../helpers/eventually';
import { finishedRunState } from '../helpers/run-queries';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { hostileFiles } from '../parsing/hostile-dags';

jest.setTimeout(240_000);

/** Three good DAGs, one per kind of DAG file, each running a bash task. */
const GOOD_DAGS: Record<string, { file: string; source: string }> = {
  good_ts: {
    file: 'good_ts.ts',
    source:
      "import { DAG, BashOperator, EmptyOperator } from 'dagctl';\n" +
      "const dag = new DAG('good_ts', { schedule: null, startDate: '2026-01-01T00:00:00Z' });\n" +
      "const start = new EmptyOperator({ taskId: 'start', dag });\n" +
      "start.then(new BashOperator({ taskId: 'say', bashCommand: 'echo ts', dag }));\n" +
      'export default dag;\n',
  },
  good_js: {
    file: 'good_js.js',
    source:
      "const { DAG, BashOperator } = require('dagctl');\n" +
      "const dag = new DAG('good_js', { schedule: null, startDate: '2026-01-01T00:00:00Z' });\n" +
      "new BashOperator({ taskId: 'say', bashCommand: 'echo js', dag });\n" +
      'module.exports = dag;\n',
  },
  good_yaml: {
    file: 'good_yaml.yaml',
    source:
      'dag_id: good_yaml\nschedule: null\nstart_date: 2026-01-01T00:00:00Z\ntasks:\n' +
      '  say: { operator: bash, bash_command: "echo yaml" }\n',
  },
};

/** A process that exists and is not a zombie. */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A real `dagctl scheduler` over a dags folder holding ≥ 50 hostile files beside three good DAGs:
 * the good DAGs are parsed, triggered and succeed; every hostile file comes to an import error
 * (one line) or is harmless; nothing a hostile file spawned survives; the scheduler keeps answering.
 */
describe('a dags folder full of hostile files (real scheduler, SQLite)', () => {
  let db: TestDatabase;
  let home: TestHome;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    home = createTestHome({
      databaseUrl: db.url,
      // A small parser heap cap, as the short import timeout: oom.ts must die of the cap (a few CPU
      // seconds at the 1024 MB default) well before the timeout on a loaded machine.
      env: {
        DAGCTL__CORE__DAGBAG_IMPORT_TIMEOUT: '5',
        DAGCTL__SCHEDULER__PARSER_MAX_HEAP: '128',
        DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '1s',
      },
    });
    expect(dagctl(['initdb'], home.env).status).toBe(0);
  });

  afterAll(async () => {
    await db?.drop();
    home?.remove();
  });

  it('runs every good DAG while every hostile file is an import error or harmless', async () => {
    const pidsFile = path.join(home.home, 'spawned-pids');
    for (const good of Object.values(GOOD_DAGS)) home.writeDag(good.file, good.source);
    const hostile = hostileFiles({
      pidsFile,
      goodDagId: 'good_ts',
      goodFile: path.join(home.dagsFolder, GOOD_DAGS.good_ts.file),
    });
    expect(hostile.length).toBeGreaterThanOrEqual(50);
    for (const h of hostile) h.make(path.join(home.dagsFolder, h.name));

    const scheduler = startDagctl(['scheduler'], home.env);
    const ds = await openDatabase(db.url);
    try {
      // The CLI answers from the database while hostile files are being imported.
      await eventually(
        () => {
          const listed = dagctlJson<Array<{ dag_id: string }>>(['dags', 'list'], home.env).map((d) => d.dag_id);
          for (const id of Object.keys(GOOD_DAGS))
            if (!listed.includes(id)) throw new Error(`listed: ${listed.join(', ')}`);
        },
        { what: 'the good DAGs to be listed', timeoutMs: 120_000, intervalMs: 500 },
      );
      for (const id of Object.keys(GOOD_DAGS)) expect(dagctl(['trigger', id, '-r', 'r1'], home.env).status).toBe(0);

      const expectedErrors = hostile
        .filter((h) => h.outcome === 'error')
        .map((h) => path.join(home.dagsFolder, h.name));
      const errors = await eventually(
        () => {
          const rows = dagctlJson<Array<{ filename: string; error: string }>>(['dags', 'list-import-errors'], home.env);
          const byFile = new Map(rows.map((r) => [r.filename, r.error]));
          const missing = expectedErrors.filter((f) => !byFile.has(f)).map((f) => path.basename(f));
          if (missing.length > 0) throw new Error(`no import error yet for ${missing.join(', ')}`);
          return byFile;
        },
        { what: 'an import error for every broken file', timeoutMs: 150_000, intervalMs: 1000 },
      );

      for (const id of Object.keys(GOOD_DAGS)) {
        const state = await eventually(() => finishedRunState(ds, id, 'r1'), {
          what: `run ${id}/r1 to finish`,
          timeoutMs: 120_000,
          intervalMs: 300,
        });
        expect({ id, state }).toEqual({ id, state: 'success' });
      }

      const report: string[] = [];
      for (const h of hostile) {
        const file = path.join(home.dagsFolder, h.name);
        const error = errors.get(file);
        if (error !== undefined && error.includes('\n')) report.push(`${h.name}: error of several lines`);
        if (h.outcome === 'error' && h.error && !h.error.test(error ?? ''))
          report.push(`${h.name}: error is "${error}"`);
        if ((h.outcome === 'harmless' || h.outcome === 'skipped') && error !== undefined)
          report.push(`${h.name}: unexpected import error "${error}"`);
      }
      expect(report).toEqual([]);
      // The good files own their DAGs and have no import error.
      for (const good of Object.values(GOOD_DAGS))
        expect(errors.get(path.join(home.dagsFolder, good.file))).toBeUndefined();
      const { records: owners } = await execSql<{ dag_id: string; fileloc: string; is_active: unknown }>(
        ds,
        `SELECT dag_id, fileloc, is_active FROM dag
         WHERE dag_id IN ('good_ts', 'good_js', 'good_yaml') ORDER BY dag_id`,
      );
      expect(owners.map((o) => [o.dag_id, path.basename(o.fileloc), Boolean(o.is_active)])).toEqual([
        ['good_js', 'good_js.js', true],
        ['good_ts', 'good_ts.ts', true],
        ['good_yaml', 'good_yaml.yaml', true],
      ]);

      // Nothing a hostile file spawned at import is left.
      const pids = fs.readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number);
      expect(pids.length).toBeGreaterThanOrEqual(13);
      await eventually(() => expect(pids.filter((pid) => running(pid))).toEqual([]), {
        what: 'every process spawned at import to be gone',
        timeoutMs: 15_000,
      });

      // Still answering, and still alive.
      expect(dagctl(['dags', 'list', '-o', 'json'], home.env).status).toBe(0);
      expect(scheduler.child.exitCode).toBeNull();
    } finally {
      await ds.destroy();
      await stopProcess(scheduler.child);
    }
  });
});
