import { execSql } from '../../../src/db/sql';
import { triggerDagRun } from '../../../src/services/trigger-dag-run';
import { eventually } from '../eventually';
import { runStates, waitForRun } from '../run-queries';
import { maxOverlap } from './max-overlap';
import type { EngineSuiteState } from './engine-suite';
import type { EngineScenario } from './engine-dags';

type Scenario = (name: EngineScenario, title: string, body: () => Promise<void>) => void;

/** Issue 14's structure scenarios of the engine suite (DAGs in structure-dags.ts). */
export function structureScenarios(scenario: Scenario, state: () => EngineSuiteState): void {
  scenario('branch_join', 'runs a join that is both a branch target and downstream of the followed task', async () => {
    const { ctx } = state();
    const run = await triggerDagRun(ctx, { dagId: 'branch_join' });
    expect(await waitForRun(ctx, 'branch_join', run.runId)).toBe('success');
    expect(await runStates(ctx, 'branch_join', run.runId)).toMatchObject({
      branch: { state: 'success' },
      t1: { state: 'success' },
      other: { state: 'skipped' },
      join: { state: 'success' },
    });
  });

  scenario('groups', 'runs task groups: prefixed ids, group defaultArgs, group-to-group dependencies', async () => {
    const { ctx } = state();
    const run = await triggerDagRun(ctx, { dagId: 'groups' });
    expect(await waitForRun(ctx, 'groups', run.runId)).toBe('success');
    expect(await runStates(ctx, 'groups', run.runId)).toEqual({
      start: { state: 'success', tries: 0 },
      // retries: 2 came from the group's defaultArgs (the DAG's say 0).
      'extract.flaky': { state: 'success', tries: 2 },
      'extract.inner.deep': { state: 'success', tries: 1 },
      'load.one': { state: 'success', tries: 1 },
      end: { state: 'success', tries: 0 },
    });
  });

  scenario('teardown', 'runs a teardown after a failed middle task; the work tasks decide the run', async () => {
    const { ctx } = state();
    const run = await triggerDagRun(ctx, { dagId: 'teardown' });
    expect(await waitForRun(ctx, 'teardown', run.runId)).toBe('failed');
    expect(await runStates(ctx, 'teardown', run.runId)).toMatchObject({
      create_cluster: { state: 'success' },
      middle: { state: 'failed' },
      last: { state: 'upstream_failed' },
      delete_cluster: { state: 'success' },
    });
  });

  scenario('teardown_fails', 'a failing teardown does not fail the run unless onFailureFailDagrun', async () => {
    const { ctx } = state();
    const run = await triggerDagRun(ctx, { dagId: 'teardown_fails' });
    expect(await waitForRun(ctx, 'teardown_fails', run.runId)).toBe('success');
    expect(await runStates(ctx, 'teardown_fails', run.runId)).toMatchObject({
      setup: { state: 'success' },
      work: { state: 'success' },
      clean: { state: 'failed' },
      strict_setup: { state: 'success' },
      strict_clean: { state: 'success' },
    });
  });

  scenario(
    'short_circuit_rules',
    'ShortCircuit with ignoreDownstreamTriggerRules false skips only direct downstream tasks',
    async () => {
      const { ctx } = state();
      const run = await triggerDagRun(ctx, { dagId: 'short_circuit_rules' });
      expect(await waitForRun(ctx, 'short_circuit_rules', run.runId)).toBe('success');
      expect(await runStates(ctx, 'short_circuit_rules', run.runId)).toMatchObject({
        gate: { state: 'success' },
        direct: { state: 'skipped' },
        after_all_done: { state: 'success' },
        after_default: { state: 'skipped' },
      });
    },
  );

  scenario(
    'latest_only',
    'LatestOnlyOperator skips downstream in all but the latest scheduled run, never in a manual one',
    async () => {
      const { ctx } = state();
      const runs = await eventually(
        async () => {
          const { records } = await execSql<{ run_id: string; state: string; logical_date: string }>(
            ctx.dataSource,
            'SELECT run_id, state, logical_date FROM dag_run ' +
              "WHERE dag_id = 'latest_only' AND run_type = 'scheduled' ORDER BY logical_date",
          );
          expect(records.map((r) => r.state)).toEqual(['success', 'success', 'success']);
          return records;
        },
        { what: 'the three scheduled latest_only runs to succeed', timeoutMs: 60_000 },
      );
      const notify = async (runId: string): Promise<string | null> =>
        (await runStates(ctx, 'latest_only', runId)).notify?.state ?? null;
      expect(await Promise.all(runs.map((r) => notify(r.run_id)))).toEqual(['skipped', 'skipped', 'success']);
      const manual = await triggerDagRun(ctx, {
        dagId: 'latest_only',
        logicalDate: new Date(Date.parse(runs[0].logical_date) + 3_600_000),
      });
      expect(await waitForRun(ctx, 'latest_only', manual.runId)).toBe('success');
      expect(await notify(manual.runId)).toBe('success');
    },
  );

  scenario(
    'wait_downstream',
    "waitForDownstream starts a task only after the previous run's downstream finished",
    async () => {
      const { ctx } = state();
      const rows = await eventually(
        async () => {
          const { records } = await execSql<{
            logical_date: string;
            task_id: string;
            state: string;
            start_date: string;
            end_date: string;
          }>(
            ctx.dataSource,
            `SELECT r.logical_date, ti.task_id, ti.state, ti.start_date, ti.end_date FROM task_instance ti
           JOIN dag_run r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
           WHERE ti.dag_id = 'wait_downstream' ORDER BY r.logical_date, ti.task_id`,
          );
          expect(records.map((r) => r.state)).toEqual(Array(6).fill('success'));
          return records;
        },
        { what: 'three wait_downstream runs to finish', timeoutMs: 60_000 },
      );
      // Rows per run: extract, load. Each run's extract starts after the previous run's load ended.
      for (let i = 2; i < rows.length; i += 2) {
        expect(Date.parse(rows[i].start_date)).toBeGreaterThanOrEqual(Date.parse(rows[i - 1].end_date));
      }
    },
  );

  scenario('max_tis', 'maxActiveTisPerDag keeps one instance of the task running across runs', async () => {
    const { ctx } = state();
    const base = Date.parse('2026-02-01T00:00:00Z');
    const runs = [];
    for (let i = 0; i < 3; i++)
      runs.push(await triggerDagRun(ctx, { dagId: 'max_tis', logicalDate: new Date(base + i * 3_600_000) }));
    for (const run of runs) expect(await waitForRun(ctx, 'max_tis', run.runId)).toBe('success');
    const { records } = await execSql<{ start_date: string; end_date: string }>(
      ctx.dataSource,
      "SELECT start_date, end_date FROM task_instance WHERE dag_id = 'max_tis'",
    );
    expect(records).toHaveLength(3);
    expect(maxOverlap(records)).toBe(1);
  });
}
