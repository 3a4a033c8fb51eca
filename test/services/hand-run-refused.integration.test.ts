import fs from 'node:fs';
import path from 'node:path';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import { UserError } from '../../src/core/errors';
import { execSql } from '../../src/db/sql';
import { runTaskInstance } from '../../src/services/run-task-instance';
import { dagctl } from '../helpers/cli';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../helpers/test-database';

/**
 * A hand run whose heartbeat thread cannot start is refused before its claim: a beat from the
 * task's own event loop would fall silent while the task blocks it, and a scheduler would run a
 * second try beside it. (The thread runs from dist/, `dagctl trigger` is the built CLI: build first.)
 */
describe.each(DATABASE_KINDS)('tasks run without a heartbeat thread on %s', (kind) => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  let ranFile: string;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({ databaseUrl: db.url });
    ranFile = path.join(home.home, 'ran');
    home.writeDag(
      'refused.ts',
      `import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('refused', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({ taskId: 'touch', bashCommand: 'touch ${ranFile}', dag });
export default dag;
`,
    );
    ctx = await openTestContext(home);
    expect(dagctl(['trigger', 'refused', '-r', 'r1'], home.env).status).toBe(0);
  });

  afterAll(async () => {
    if (ctx) await closeAppContext(ctx);
    await db?.drop();
    home?.remove();
  });

  it('refuses with one line before the claim, and ends its job failed', async () => {
    // The thread opens database.url itself: here one it cannot open (not a folder).
    const broken: AppContext = {
      ...ctx,
      config: { ...ctx.config, database: { ...ctx.config.database, url: 'sqlite:///dev/null/dagctl.db' } },
    };
    const key = { dagId: 'refused', runId: 'r1', taskId: 'touch', mapIndex: -1 };
    const refused = runTaskInstance(broken, { key });
    await expect(refused).rejects.toThrow(UserError);
    await expect(refused).rejects.toThrow(
      /^cannot start the hand run: the heartbeat thread could not open the database \(.*\); nothing was run$/,
    );
    const { records: tis } = await execSql<{ state: string | null; queued_by_job_id: number | null }>(
      ctx.dataSource,
      `SELECT state, queued_by_job_id FROM task_instance WHERE dag_id = 'refused' AND run_id = 'r1'`,
    );
    expect(tis.map((t) => t.state)).not.toContain('running');
    expect(tis.every((t) => t.queued_by_job_id === null)).toBe(true);
    const { records: jobs } = await execSql<{ state: string }>(
      ctx.dataSource,
      `SELECT state FROM job WHERE job_type = 'LocalTaskJob'`,
    );
    expect(jobs).toEqual([{ state: 'failed' }]);
    expect(fs.existsSync(ranFile)).toBe(false);
  });
});
