import fs from 'node:fs';
import { execSql } from '../../../src/db/sql';
import { taskLogPath } from '../../../src/logging/task-log-path';
import { isProcessAlive } from '../../../src/core/process-table';
import { triggerDagRun } from '../../../src/services/trigger-dag-run';
import { runStates, waitForRun } from '../run-queries';
import { engineHarness, EngineHarness, EngineServices } from '../engine-harness';
import { eventually } from '../eventually';
import type { TestDatabaseKind } from '../test-database';
import { ENGINE_SUITE_DAGS, EngineScenario } from './engine-dags';
import { maxOverlap } from './max-overlap';
import { structureScenarios } from './structure-scenarios';

/** What a combination's own hooks may look at once the suite is set up. */
export type EngineSuiteState = Pick<EngineHarness, 'ctx' | 'home'>;

export interface EngineSuiteOptions {
  kind: TestDatabaseKind;
  /** Extra environment of the home (executor and its settings). */
  env: Record<string, string>;
  /** Which scenarios run here; each brings its DAG. */
  scenarios: readonly EngineScenario[];
  /** Processes the executor needs besides the scheduler (workers), started before it. */
  services?: EngineServices;
  /** Checks only this combination can make on the finished 'engine' run. */
  checkEngineRun?(state: EngineSuiteState, runId: string): Promise<void>;
}

/**
 * The scheduler engine suite: one scheduler on a fresh database and home running the scenario
 * DAGs to Airflow's results. Call it inside a describe; each test file names one combination of
 * database and executor, so the combinations stay separately runnable.
 */
export function runEngineSuite(options: EngineSuiteOptions): void {
  const engine = engineHarness({
    kind: options.kind,
    env: options.env,
    dags: Object.fromEntries(options.scenarios.map((scenario) => [`${scenario}.ts`, ENGINE_SUITE_DAGS[scenario]])),
    services: options.services,
  });

  const scenario = (name: EngineScenario, title: string, body: () => Promise<void>): void => {
    if (options.scenarios.includes(name)) it(title, body);
  };

  scenario(
    'engine',
    'runs trigger rules, XComs, retries, bash skip, branching and short-circuit to Airflow results',
    async () => {
      const run = await triggerDagRun(engine.ctx, { dagId: 'engine' });
      expect(await waitForRun(engine.ctx, 'engine', run.runId)).toBe('success');
      expect(await runStates(engine.ctx, 'engine', run.runId)).toMatchObject({
        start: { state: 'success' },
        produce: { state: 'success', tries: 1 },
        double: { state: 'success' },
        flaky: { state: 'success', tries: 2 },
        skipper: { state: 'skipped' },
        after_skip: { state: 'skipped' },
        branch: { state: 'success' },
        left: { state: 'success' },
        right: { state: 'skipped' },
        gate: { state: 'success' },
        gated: { state: 'skipped' },
        join: { state: 'success' },
      });
      const { records } = await execSql<{ value: string }>(
        engine.ctx.dataSource,
        "SELECT value FROM xcom WHERE dag_id = 'engine' AND run_id = ? AND task_id = 'join'",
        [run.runId],
      );
      expect(JSON.parse(records[0].value)).toBe(42);
      // Each try's log is at the contract path, whichever executor ran it.
      const flakyLog = fs.readFileSync(
        taskLogPath(
          engine.home.config.logging.base_log_folder,
          { dagId: 'engine', runId: run.runId, taskId: 'flaky', mapIndex: -1 },
          1,
        ),
        'utf8',
      );
      expect(flakyLog).toContain('first try fails');
      await options.checkEngineRun?.(engine, run.runId);
    },
  );

  structureScenarios(scenario, () => engine);

  scenario('once', 'creates and runs a scheduled @once run by itself, exactly once', async () => {
    const runs = await eventually(
      async () => {
        const { records } = await execSql<{ state: string; run_type: string }>(
          engine.ctx.dataSource,
          "SELECT state, run_type FROM dag_run WHERE dag_id = 'once'",
        );
        expect(records[0]?.state).toBe('success');
        return records;
      },
      { what: 'the @once run to succeed', timeoutMs: 60_000 },
    );
    expect(runs).toEqual([{ state: 'success', run_type: 'scheduled' }]);
  });

  scenario('pooled', 'keeps pool slots and max_active_tasks', async () => {
    await execSql(engine.ctx.dataSource, "INSERT INTO slot_pool (pool, slots, description) VALUES ('tiny', 2, 'test')");
    const run = await triggerDagRun(engine.ctx, { dagId: 'pooled' });
    expect(await waitForRun(engine.ctx, 'pooled', run.runId)).toBe('success');
    const { records } = await execSql<{ task_id: string; start_date: string; end_date: string }>(
      engine.ctx.dataSource,
      "SELECT task_id, start_date, end_date FROM task_instance WHERE dag_id = 'pooled' AND run_id = ?",
      [run.runId],
    );
    expect(records).toHaveLength(12);
    expect(maxOverlap(records.filter((r) => r.task_id.startsWith('p')))).toBeLessThanOrEqual(2);
    expect(maxOverlap(records)).toBeLessThanOrEqual(3);
  });

  scenario(
    'failing',
    'fails a run from its leaves, propagating upstream_failed and still running all_done tasks',
    async () => {
      const run = await triggerDagRun(engine.ctx, { dagId: 'failing' });
      expect(await waitForRun(engine.ctx, 'failing', run.runId)).toBe('success');
      // cleanup (all_done) is the only leaf and succeeded, so the run succeeds like in Airflow.
      expect(await runStates(engine.ctx, 'failing', run.runId)).toMatchObject({
        boom: { state: 'failed', tries: 1 },
        after: { state: 'upstream_failed' },
        cleanup: { state: 'success' },
      });
    },
  );

  scenario('timeouts', 'kills a task that exceeds its execution timeout', async () => {
    const run = await triggerDagRun(engine.ctx, { dagId: 'timeouts' });
    expect(await waitForRun(engine.ctx, 'timeouts', run.runId)).toBe('failed');
    const { records } = await execSql<{ end_reason: string }>(
      engine.ctx.dataSource,
      "SELECT end_reason FROM task_instance WHERE dag_id = 'timeouts' AND run_id = ?",
      [run.runId],
    );
    expect(records[0].end_reason).toMatch(/timeout/i);
    const pid = Number(fs.readFileSync(`${engine.home.home}/sleepy.pid`, 'utf8'));
    await eventually(() => !isProcessAlive(pid), { what: 'the timed-out bash process to be gone', timeoutMs: 10_000 });
  });

  scenario('mapping', 'expands mapped tasks per element, retries per map index and reduces in order', async () => {
    const run = await triggerDagRun(engine.ctx, { dagId: 'mapping' });
    expect(await waitForRun(engine.ctx, 'mapping', run.runId)).toBe('success');
    const { records } = await execSql<{ task_id: string; map_index: number; state: string; try_number: number }>(
      engine.ctx.dataSource,
      "SELECT task_id, map_index, state, try_number FROM task_instance WHERE dag_id = 'mapping' AND run_id = ?",
      [run.runId],
    );
    const of = (taskId: string) =>
      records.filter((r) => r.task_id === taskId).sort((a, b) => Number(a.map_index) - Number(b.map_index));
    const doubled = of('double');
    expect(doubled.map((r) => Number(r.map_index))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(doubled.every((r) => r.state === 'success')).toBe(true);
    expect(of('pair')).toHaveLength(6);
    expect(of('add_to').map((r) => r.state)).toEqual(['success', 'success']);
    // Zero elements: the mapped task is skipped (one task instance at map index -1), and so is its downstream.
    expect(of('each_none')).toMatchObject([{ map_index: -1, state: 'skipped' }]);
    expect(of('after_none')).toMatchObject([{ state: 'skipped' }]);
    // The failing element retried alone.
    expect(of('flaky').map((r) => [Number(r.map_index), r.state, Number(r.try_number)])).toEqual([
      [0, 'success', 1],
      [1, 'success', 1],
      [2, 'success', 2],
      [3, 'success', 1],
    ]);
    expect(of('echo').map((r) => r.state)).toEqual(['success', 'success']);
    const xcom = async (taskId: string): Promise<unknown> => {
      const { records: rows } = await execSql<{ value: string }>(
        engine.ctx.dataSource,
        "SELECT value FROM xcom WHERE dag_id = 'mapping' AND run_id = ? AND task_id = ? AND key = 'return_value'",
        [run.runId, taskId],
      );
      return JSON.parse(rows[0].value) as unknown;
    };
    expect(await xcom('total')).toBe(10100);
    expect(await xcom('pulled')).toBe(100);
    expect(await xcom('joined')).toBe('a1,a2,a3,b1,b2,b3');
    expect(await xcom('after_flaky')).toEqual([1, 2, 3, 4]);
    // Each map index logs to its own folder (contract §4).
    const echoLog = fs.readFileSync(
      taskLogPath(
        engine.home.config.logging.base_log_folder,
        { dagId: 'mapping', runId: run.runId, taskId: 'echo', mapIndex: 1 },
        1,
      ),
      'utf8',
    );
    expect(echoLog).toContain('two');
  });

  scenario('mapping_limits', 'fails a mapped task above core.max_map_length and a non-list upstream', async () => {
    const run = await triggerDagRun(engine.ctx, { dagId: 'mapping_limits' });
    expect(await waitForRun(engine.ctx, 'mapping_limits', run.runId)).toBe('failed');
    const { records } = await execSql<{ task_id: string; map_index: number; state: string; end_reason: string }>(
      engine.ctx.dataSource,
      "SELECT task_id, map_index, state, end_reason FROM task_instance WHERE dag_id = 'mapping_limits' AND run_id = ?",
      [run.runId],
    );
    const byTask = new Map(records.map((r) => [r.task_id, r]));
    expect(records.filter((r) => r.task_id === 'each')).toHaveLength(1);
    expect(byTask.get('each')).toMatchObject({ map_index: -1, state: 'failed' });
    expect(byTask.get('each')!.end_reason).toContain(
      "DAG 'mapping_limits', task 'each': expands into 1100 task instances, more than core.max_map_length (1024)",
    );
    expect(byTask.get('not_list')).toMatchObject({ state: 'failed' });
    expect(byTask.get('not_list')!.end_reason).toContain(
      "DAG 'mapping_limits', task 'not_list': XCom 'return_value' is expanded over by task 'each_of', " +
        'so it must be a list, but it is of type number',
    );
    expect(byTask.get('each_of')).toMatchObject({ state: 'upstream_failed' });
  });
}
