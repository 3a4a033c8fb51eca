import fs from 'node:fs';
import path from 'node:path';
import { execSql } from '../../../../src/db/sql';
import { triggerDagRun } from '../../../../src/services/trigger-dag-run';
import { engineHarness, EngineServices } from '../../../helpers/engine-harness';
import { runStates, waitForRun } from '../../../helpers/run-queries';
import type { TestDatabaseKind } from '../../../helpers/test-database';

const EXAMPLE = path.join(__dirname, '..', '..', '..', '..', 'dags', 'example_typed_pipeline.ts');

export interface TypedPipelineSuiteOptions {
  kind: TestDatabaseKind;
  /** The executor and its settings. */
  env: Record<string, string>;
  /** Processes the executor needs (workers), started before the scheduler. */
  services?: EngineServices;
}

/**
 * The example typed pipeline (dags/example_typed_pipeline.ts) run by a scheduler with the given
 * executor: each step receives the previous step's typed value. Call inside a describe.
 */
export function runTypedPipelineSuite(options: TypedPipelineSuiteOptions): void {
  const engine = engineHarness({
    kind: options.kind,
    env: options.env,
    dags: () => ({ 'example_typed_pipeline.ts': fs.readFileSync(EXAMPLE, 'utf8') }),
    services: options.services,
  });

  it('extract → transform → load pass typed values; the bash task reads the typed output', async () => {
    const run = await triggerDagRun(engine.ctx, { dagId: 'example_typed_pipeline' });
    expect(await waitForRun(engine.ctx, 'example_typed_pipeline', run.runId)).toBe('success');
    expect(await runStates(engine.ctx, 'example_typed_pipeline', run.runId)).toEqual({
      extract: { state: 'success', tries: 1 },
      transform: { state: 'success', tries: 1 },
      load: { state: 'success', tries: 1 },
      announce: { state: 'success', tries: 1 },
    });
    const { records } = await execSql<{ task_id: string; value: string }>(
      engine.ctx.dataSource,
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
