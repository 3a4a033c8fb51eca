import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The scheduler looks for DAGs whose next run is due every second (createDueRuns: active,
 * unpaused, next_dagrun_create_after passed, oldest first). Without an index that read every dag
 * row each time — with 1,000 DAGs and nothing due, most of an idle scheduler's SQL time. With
 * this one it seeks to the active, unpaused DAGs and reads only those already due, in order.
 */
export class DagRunCreationIndex1700000000044 implements MigrationInterface {
  name = 'DagRunCreationIndex1700000000044';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'dag',
      new TableIndex({
        name: 'idx_dag_next_run_create_after',
        columnNames: ['is_active', 'is_paused', 'next_dagrun_create_after'],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('dag', 'idx_dag_next_run_create_after');
  }
}
