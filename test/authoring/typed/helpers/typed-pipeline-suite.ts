import fs from 'node:fs';
import path from 'node:path';
import { AppContext, closeAppContext } from '../../../../src/app/app-context';
import { execSql } from '../../../../src/db/sql';
import { runScheduler } from '../../../../src/scheduler/scheduler-job';
import { triggerDagRun } from '../../../../src/services/trigger-dag-run';
import { createTestHome, openTestContext, TestHome } from '../../../helpers/dagctl-home';
import { runStates, waitForParsedDags, waitForRun } from '../../../helpers/run-queries';
import { createTestDatabase, TestDatabase, TestDatabaseKind } from '../../../helpers/test-database';

const EXAMPLE = path.join(__dirname, '..', '..', '..', '..', 'dags', 'example_typed_pipeline.ts');

export interface TypedPipelineSuiteOptions {
  kind: TestDatabaseKind;
  /** The executor and its settings. */
  env: Record<string, string>;
  /** Processes the executor needs (workers), started before the scheduler. */
  services?: { start(home: TestHome): Promise<void>; stop(): Promise<void> };
}

/**
 * The example typed pipeline (dags/example_typed_pipeline.ts) run by a scheduler with the given
 * executor: each step receives the previous step's typed value. Call inside a describe.
 */
export function runTypedPipelineSuite(options: TypedPipelineSuiteOptions): void {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  const abort = new AbortController();
  let scheduler: Promise<void>;

  beforeAll(async () => {
    db = await createTestDatabase(options.kind);
    home = createTestHome({ databaseUrl: db.url, env: options.env });
    home.writeDag('example_typed_pipeline.ts', fs.readFileSync(EXAMPLE, 'utf8'));
    ctx = await openTestContext(home);
    await options.services?.start(home);
    scheduler = runScheduler(ctx, { signal: abort.signal });
    await waitForParsedDags(ctx.dataSource, 1);
  });

  afterAll(async () => {
    abort.abort();
    await scheduler?.catch(() => undefined);
    await options.services?.stop();
    if (ctx) await closeAppContext(ctx);
    await db?.drop();
    home?.remove();
  });

  it('extract → transform → load pass typed values; the bash task reads the typed output', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'example_typed_pipeline' });
    expect(await waitForRun(ctx, 'example_typed_pipeline', run.runId)).toBe('success');
    expect(await runStates(ctx, 'example_typed_pipeline', run.runId)).toEqual({
      extract: { state: 'success', tries: 1 },
      transform: { state: 'success', tries: 1 },
      load: { state: 'success', tries: 1 },
      announce: { state: 'success', tries: 1 },
    });
    const { records } = await execSql<{ task_id: string; value: string }>(
      ctx.dataSource,
      "SELECT task_id, value FROM xcom WHERE dag_id = 'example_typed_pipeline' AND run_id = ? AND key = 'return_value'",
      [run.runId],
    );
    const xcoms = Object.fromEntries(records.map((r) => [r.task_id, JSON.parse(r.value) as unknown]));
    expect(xcoms).toEqual({
      extract: [
        { id: 'o-1', amount: 12.5 },
        { id: 'o-2', amount: 30 },
        { id: 'o-3', amount: 7.5 },
      ],
      transform: { orders: 3, revenue: 50 },
      // The last task computed its value from the typed Summary object.
      load: 'loaded 3 orders (50.00)',
      announce: 'loaded 3 orders (50.00)',
    });
  });
}
