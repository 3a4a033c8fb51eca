import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `dag_code.defaults_hash`: which config defaults (core.max_active_tasks_per_dag,
 * core.max_active_runs_per_dag, core.default_task_retries) a file's DAGs were serialized with, so
 * a DAG processor started with other defaults parses the file again instead of trusting its
 * unchanged source. Rows from before are NULL: parsed again once.
 */
export class DagCodeDefaultsHash1700000000005 implements MigrationInterface {
  name = 'DagCodeDefaultsHash1700000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'dag_code',
      new TableColumn({ name: 'defaults_hash', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('dag_code', 'defaults_hash');
  }
}
