import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';

const str = (name: string, length = 250, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const date = (name: string, nullable = true): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '32',
  isNullable: nullable,
});
const bool = (name: string): TableColumnOptions => ({ name, type: 'boolean', isNullable: false, default: false });
const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });
const id = (): TableColumnOptions => ({
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});

/**
 * Backfills the scheduler runs (Airflow 3): `backfill` records what `dags backfill` asked for;
 * `backfill_dag_run` is its plan, one row per logical date in the order the runs are created
 * (`sort_ordinal`), with what the scheduler did about it (`outcome`: created, cleared, skipped)
 * once it did; `dag_run.backfill_id` names the backfill a run belongs to.
 */
export class Backfills1700000000042 implements MigrationInterface {
  name = 'Backfills1700000000042';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'backfill',
        columns: [
          id(),
          str('dag_id'),
          date('from_date', false),
          date('to_date', false),
          bool('reverse'),
          int('max_active_runs'),
          bool('rerun_failed_tasks'),
          bool('reset_dagruns'),
          { name: 'dag_run_conf', type: 'text', isNullable: true },
          bool('is_paused'),
          bool('cancelled'),
          date('created_at', false),
          date('updated_at', false),
          date('completed_at'),
        ],
        indices: [new TableIndex({ name: 'idx_backfill_dag_completed', columnNames: ['dag_id', 'completed_at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'backfill_dag_run',
        columns: [
          id(),
          int('backfill_id'),
          date('logical_date', false),
          date('data_interval_start', false),
          date('data_interval_end', false),
          int('sort_ordinal'),
          str('outcome', 20, true),
          str('dag_run_id', 250, true),
          { name: 'exception_reason', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'backfill_dag_run_ordinal_key',
            columnNames: ['backfill_id', 'sort_ordinal'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.addColumn('dag_run', new TableColumn({ name: 'backfill_id', type: 'integer', isNullable: true }));
    await q.createIndex('dag_run', new TableIndex({ name: 'idx_dag_run_backfill', columnNames: ['backfill_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('dag_run', 'idx_dag_run_backfill');
    await q.dropColumn('dag_run', 'backfill_id');
    await q.dropTable('backfill_dag_run');
    await q.dropTable('backfill');
  }
}
