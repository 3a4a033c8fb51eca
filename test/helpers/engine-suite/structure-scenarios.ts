import { triggerDagRun } from '../../../src/services/trigger-dag-run';
import { runStates, waitForRun } from '../run-queries';
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
}
