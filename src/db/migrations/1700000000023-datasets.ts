import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

const str = (name: string, length = 250, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
/** Dates are ISO-8601 UTC text, as in every other table. */
const date = (name: string, nullable = false): TableColumnOptions => str(name, 32, nullable);
const pk = (column: TableColumnOptions): TableColumnOptions => ({ ...column, isPrimary: true });
const int = (name: string): TableColumnOptions => ({ name, type: 'integer', isNullable: false });
const id = (): TableColumnOptions => ({
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});

/**
 * Datasets (Airflow 2.4+'s tables, same names): `dataset` (one row per URI any DAG names),
 * the references that say which DAGs consume a dataset and which tasks produce it (rewritten when
 * a DAG file is parsed), `dataset_event` (one per update), `dataset_dag_run_queue` (per consumer
 * DAG, the datasets updated since its last dataset-triggered run) and `dagrun_dataset_event`
 * (the events that triggered a run).
 */
export class Datasets1700000000023 implements MigrationInterface {
  name = 'Datasets1700000000023';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'dataset',
        columns: [
          id(),
          str('uri', 3000),
          { name: 'extra', type: 'text', isNullable: true },
          date('created_at'),
          date('updated_at'),
          { name: 'is_orphaned', type: 'boolean', isNullable: false, default: false },
        ],
        indices: [new TableIndex({ name: 'idx_dataset_uri', columnNames: ['uri'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dag_schedule_dataset_reference',
        columns: [pk(int('dataset_id')), pk(str('dag_id')), date('created_at')],
        indices: [new TableIndex({ name: 'idx_dag_schedule_dataset_dag', columnNames: ['dag_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'task_outlet_dataset_reference',
        columns: [pk(int('dataset_id')), pk(str('dag_id')), pk(str('task_id')), date('created_at')],
        indices: [new TableIndex({ name: 'idx_task_outlet_dataset_dag', columnNames: ['dag_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dataset_event',
        columns: [
          id(),
          int('dataset_id'),
          { name: 'extra', type: 'text', isNullable: true },
          str('source_dag_id', 250, true),
          str('source_run_id', 250, true),
          str('source_task_id', 250, true),
          { name: 'source_map_index', type: 'integer', isNullable: false, default: -1 },
          date('timestamp'),
        ],
        indices: [new TableIndex({ name: 'idx_dataset_event_dataset_ts', columnNames: ['dataset_id', 'timestamp'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dataset_dag_run_queue',
        columns: [pk(int('dataset_id')), pk(str('target_dag_id')), date('created_at')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dagrun_dataset_event',
        columns: [pk(str('dag_id')), pk(str('run_id')), pk(int('event_id'))],
        indices: [new TableIndex({ name: 'idx_dagrun_dataset_event_event', columnNames: ['event_id'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'dagrun_dataset_event',
      'dataset_dag_run_queue',
      'dataset_event',
      'task_outlet_dataset_reference',
      'dag_schedule_dataset_reference',
      'dataset',
    ])
      await q.dropTable(table);
  }
}
