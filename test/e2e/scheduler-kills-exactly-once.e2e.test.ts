import fs from 'node:fs';
import path from 'node:path';
import { execSql } from '../../src/db/sql';
import { openDatabase } from '../../src/db/data-source';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../helpers/test-database';
import { createTestHome, TestHome } from '../helpers/dagctl-home';
import { eventually } from '../helpers/eventually';
import { dagctl, startDagctl, stopProcess } from '../helpers/cli';
import { finishedRunState } from '../helpers/run-queries';

const TASKS = 20;
const KILLS = 4;

/**
 * Twenty bash tasks, no retries. Each try appends "task try pid" to a side-effect file, holding an
 * flock on its task's lock file while it runs (the lock lives as long as any process of the try
 * holds the descriptor): a try that finds the lock taken overlaps an earlier try of its task and
 * says so.
 */
function sideEffectDag(dir: string): string {
  return `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('effects', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
for (let i = 0; i < ${TASKS}; i += 1) {
  new BashOperator({
    taskId: 't' + i,
    retries: 0,
    dag,
    bashCommand: [
      'exec 9>>"${dir}/{{ ti.task_id }}.lock"',
      'flock -n 9 || echo "overlap {{ ti.task_id }} {{ ti.try_number }}" >> "${dir}/effects"',
      'echo "{{ ti.task_id }} {{ ti.try_number }} $$" >> "${dir}/effects"',
      'sleep 1.5',
    ].join('\\n'),
  });
}
export default dag;
`;
}

/**
 * The finding: a try ran twice at the same try number after a kill -9 of the scheduler, and each
 * kill failed running tasks. Now: kill -9 the scheduler several times at random moments while
 * tasks run and start it again; every task succeeds, every (task, try) ran at most once, and no two
 * tries of a task overlapped.
 */
describe.each(DATABASE_KINDS)('kill -9 of the scheduler, exactly once per try, on %s', (kind) => {
  let db: TestDatabase;
  let home: TestHome;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({
      databaseUrl: db.url,
      env: {
        DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '1s',
        DAGCTL__CORE__PARALLELISM: '4',
        // More kills than the default budget of 3 could (rarely) hit one task each time.
        DAGCTL__SCHEDULER__MAX_PLATFORM_RETRIES: String(KILLS),
      },
    });
    dir = fs.mkdtempSync(path.join(home.home, 'effects-'));
    home.writeDag('effects.ts', sideEffectDag(dir));
    expect(dagctl(['initdb'], home.env).status).toBe(0);
  });

  afterAll(async () => {
    await db?.drop();
    home?.remove();
  });

  it('finishes every task once per try, without overlap or failures, across kill -9s', async () => {
    const ds = await openDatabase(db.url);
    const running = async (): Promise<number> => {
      const { records } = await execSql<{ n: number }>(
        ds,
        "SELECT COUNT(*) AS n FROM task_instance WHERE dag_id = 'effects' AND state = 'running'",
      );
      return Number(records[0].n);
    };
    try {
      let scheduler = startDagctl(['scheduler'], home.env);
      await eventually(async () => dagctl(['dags', 'list', '-o', 'json'], home.env).stdout.includes('"effects"'), {
        what: 'the DAG to be parsed',
        timeoutMs: 60_000,
        intervalMs: 500,
      });
      expect(dagctl(['trigger', 'effects', '-r', 'r1'], home.env).status).toBe(0);
      for (let kill = 0; kill < KILLS; kill += 1) {
        await eventually(async () => (await running()) > 0, { what: 'tasks to run', timeoutMs: 90_000 });
        // A random moment while tries run: before, during or just after a task's command.
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 1500)));
        const exited = new Promise((resolve) => scheduler.child.once('exit', resolve));
        scheduler.child.kill('SIGKILL');
        await exited;
        scheduler = startDagctl(['scheduler'], home.env);
      }
      try {
        const state = await eventually(() => finishedRunState(ds, 'effects', 'r1'), {
          what: 'the run to finish',
          timeoutMs: 240_000,
          intervalMs: 500,
        });
        expect(state).toBe('success');
      } finally {
        await stopProcess(scheduler.child);
      }

      const lines = fs.readFileSync(path.join(dir, 'effects'), 'utf8').trim().split('\n');
      expect(lines.filter((line) => line.startsWith('overlap'))).toEqual([]);
      const perTry = new Map<string, number>();
      for (const line of lines) {
        const [task, tryNumber] = line.split(' ');
        perTry.set(`${task}#${tryNumber}`, (perTry.get(`${task}#${tryNumber}`) ?? 0) + 1);
      }
      expect([...perTry].filter(([, n]) => n > 1)).toEqual([]);
      const tasksRun = new Set(lines.map((line) => line.split(' ')[0]));
      expect(tasksRun.size).toBe(TASKS);

      const { records: tis } = await execSql<{ task_id: string; state: string }>(
        ds,
        "SELECT task_id, state FROM task_instance WHERE dag_id = 'effects'",
      );
      expect(tis.filter((ti) => ti.state !== 'success')).toEqual([]);
      // Every try that did not succeed was lost to the platform, never failed.
      const { records: history } = await execSql<{ state: string; end_reason: string | null }>(
        ds,
        "SELECT state, end_reason FROM task_instance_history WHERE dag_id = 'effects' AND state <> 'success'",
      );
      // The kills did hit running tries (tasks run all the time while the run lasts).
      expect(history.length).toBeGreaterThan(0);
      expect(
        history.filter(
          (h) => h.state !== 'up_for_retry' || h.end_reason !== 'lost to the platform (scheduler restart)',
        ),
      ).toEqual([]);
    } finally {
      await ds.destroy();
    }
  }, 420_000);
});
