import type { TaskStateOrNone, TriggerRule } from '../core/states';
import type { RunRef } from '../db/transitions/task-instance-transitions';
import type { DagView } from './dag-view-cache';
import { evaluateTriggerRule } from './deps/trigger-rule-dep';
import { addUpstream, UpstreamCounts } from './deps/upstream-counts';

/** Above this many runs remembered, start again: forgetting only costs a count query. */
const MAX_RUNS = 1000;

/**
 * What the scheduler remembers about wide fan-ins (a join of thousands of upstream tasks) to
 * decide them after executor events without counting the whole run each time. Owned by one
 * SchedulerLoop; nothing here is needed for correctness, only for speed:
 * - per DAG version, each task's upstream set and the tasks that are not its upstream;
 * - per run, the fan-ins that last waited on their trigger rule, with their upstream counts,
 *   kept up to date from the tries that end (the only other movers of upstream states are
 *   decisions of the whole run, which forget the run, and users' changes, which a full pass
 *   takes up within idle_sleep).
 */
export class FanInCache {
  private readonly upstreamSets = new WeakMap<DagView, Map<string, Set<string>>>();
  private readonly nonUpstreamLists = new WeakMap<DagView, Map<string, string[]>>();
  private readonly waiting = new Map<string, { hash: string; tasks: Map<string, UpstreamCounts> }>();

  upstreamSet(view: DagView, taskId: string): Set<string> {
    let byTask = this.upstreamSets.get(view);
    if (!byTask) this.upstreamSets.set(view, (byTask = new Map<string, Set<string>>()));
    let set = byTask.get(taskId);
    if (!set) byTask.set(taskId, (set = new Set(view.tasks.get(taskId)?.upstream ?? [])));
    return set;
  }

  /** Tasks of the DAG that are not direct upstream tasks of `taskId` (itself included). */
  nonUpstreamTaskIds(view: DagView, taskId: string): string[] {
    let byTask = this.nonUpstreamLists.get(view);
    if (!byTask) this.nonUpstreamLists.set(view, (byTask = new Map<string, string[]>()));
    let list = byTask.get(taskId);
    if (!list) {
      const upstream = this.upstreamSet(view, taskId);
      byTask.set(taskId, (list = view.dag.tasks.map((t) => t.taskId).filter((id) => !upstream.has(id))));
    }
    return list;
  }

  /**
   * Whether the fan-in still waits now that these upstream tries ended (`arrived`: the states
   * their ends moved them to): its counts as last taken, moved on by the ends seen since. Only
   * ever answers "waits": any doubt (nothing remembered, counts that no longer add up, a rule
   * that would now decide) sends the caller back to counting the run.
   */
  stillWaits(run: RunRef, view: DagView, taskId: string, rule: TriggerRule, arrived: TaskStateOrNone[]): boolean {
    const known = this.waiting.get(runKey(run));
    const remembered = known?.hash === view.hash ? known.tasks.get(taskId) : undefined;
    if (!remembered) return false;
    const counts = { ...remembered };
    for (const state of arrived) {
      addUpstream(counts, null, -1); // it was unfinished when counted…
      addUpstream(counts, state, 1); // …and is in this state now
    }
    if (counts.done > counts.total || evaluateTriggerRule(rule, counts).kind !== 'wait') return false;
    known!.tasks.set(taskId, counts);
    return true;
  }

  /** The fan-in waits on its trigger rule with these upstream counts. */
  rememberWaiting(run: RunRef, view: DagView, taskId: string, counts: UpstreamCounts): void {
    const key = runKey(run);
    let known = this.waiting.get(key);
    if (!known || known.hash !== view.hash) {
      if (!known && this.waiting.size >= MAX_RUNS) this.waiting.clear();
      this.waiting.set(key, (known = { hash: view.hash, tasks: new Map() }));
    }
    known.tasks.set(taskId, { ...counts });
  }

  forget(run: RunRef, taskId: string): void {
    this.waiting.get(runKey(run))?.tasks.delete(taskId);
  }

  /** A full decision of the run (it may move upstream tasks itself) or its end. */
  forgetRun(run: RunRef): void {
    this.waiting.delete(runKey(run));
  }
}

function runKey(run: RunRef): string {
  return `${run.dagId}\u0000${run.runId}`;
}
