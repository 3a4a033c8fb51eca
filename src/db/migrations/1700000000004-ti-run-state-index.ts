import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Counting a run's task instances by state (wide fan-ins, run completion) reads only an index, and
 * the queuing query walks scheduled task instances in priority order without sorting them.
 */
export class TiRunStateIndex1700000000004 implements MigrationInterface {
  name = 'TiRunStateIndex1700000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'task_instance',
      new TableIndex({ name: 'ti_dag_run_state', columnNames: ['dag_id', 'run_id', 'state'] }),
    );
    await q.createIndex(
      'task_instance',
      new TableIndex({ name: 'ti_state_priority', columnNames: ['state', 'priority_weight'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('task_instance', 'ti_state_priority');
    await q.dropIndex('task_instance', 'ti_dag_run_state');
  }
}
