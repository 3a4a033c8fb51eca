import type { DataSource } from 'typeorm';
import type { SerializedDag, SerializedTask } from '../core/serialized-dag';
import { execSql } from '../db/sql';
import type { TaskWithMaxActiveTis } from './deps/task-concurrency-dep';
import { computePriorityWeights } from './priority-weights';

/** A serialized DAG with the indexes the scheduler needs, built once per DAG version. */
export interface DagView {
  dag: SerializedDag;
  hash: string;
  tasks: Map<string, SerializedTask>;
  priorities: Map<string, number>;
  /** `core.max_map_length`: the most task instances a mapped task may expand into. */
  maxMapLength?: number;
  /** Some task is mapped (has a task instance per map index). */
  hasMappedTasks: boolean;
  /** Some task has depends_on_past (its decision reads the previous run). */
  hasDependsOnPast: boolean;
  /** The tasks that set max_active_tis_per_dag (the queuer counts their active instances). */
  tasksWithMaxActiveTis: TaskWithMaxActiveTis[];
}

export const DEFAULT_MAX_MAP_LENGTH = 1024;

/** The view of one stored DAG version: its indexes, built once. */
export function dagViewOf(dag: SerializedDag, hash: string, maxMapLength = DEFAULT_MAX_MAP_LENGTH): DagView {
  return {
    dag,
    hash,
    tasks: new Map(dag.tasks.map((t) => [t.taskId, t])),
    priorities: computePriorityWeights(dag.tasks),
    maxMapLength,
    hasMappedTasks: dag.tasks.some((t) => t.mapped),
    hasDependsOnPast: dag.tasks.some((t) => t.dependsOnPast),
    tasksWithMaxActiveTis: dag.tasks.flatMap((t) =>
      t.maxActiveTisPerDag === undefined
        ? []
        : [{ dagId: dag.dagId, taskId: t.taskId, maxActiveTisPerDag: t.maxActiveTisPerDag }],
    ),
  };
}

/**
 * The scheduler's read-only view of serialized DAGs. It never imports DAG files: it reads the
 * JSON the DAG processor stored, and re-reads a DAG only when its hash changed.
 */
export class DagViewCache {
  private readonly views = new Map<string, DagView>();

  constructor(
    private readonly ds: DataSource,
    private readonly maxMapLength: number = DEFAULT_MAX_MAP_LENGTH,
  ) {}

  async get(dagId: string): Promise<DagView | null> {
    const { records } = await execSql<{ dag_hash: string }>(
      this.ds,
      'SELECT dag_hash FROM serialized_dag WHERE dag_id = ?',
      [dagId],
    );
    if (!records.length) {
      this.views.delete(dagId);
      return null;
    }
    const cached = this.views.get(dagId);
    if (cached && cached.hash === records[0].dag_hash) return cached;
    return this.load(dagId);
  }

  /** The cached view without checking for a newer version (hot paths within one tick). */
  peek(dagId: string): DagView | undefined {
    return this.views.get(dagId);
  }

  private async load(dagId: string): Promise<DagView | null> {
    const { records } = await execSql<{ data: string; dag_hash: string }>(
      this.ds,
      'SELECT data, dag_hash FROM serialized_dag WHERE dag_id = ?',
      [dagId],
    );
    if (!records.length) return null;
    const dag = JSON.parse(records[0].data) as SerializedDag;
    const view = dagViewOf(dag, records[0].dag_hash, this.maxMapLength);
    this.views.set(dagId, view);
    return view;
  }
}
