import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * `task_map` (Airflow's table of the same name): the length of each list a task pushed that a
 * mapped task expands over, written with the XCom when the try's success is applied. The
 * scheduler expands a mapped task from these lengths and never reads (or deserialises) the values.
 */
export class TaskMap1700000000020 implements MigrationInterface {
  name = 'TaskMap1700000000020';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'task_map',
        columns: [
          { name: 'dag_id', type: 'varchar', length: '250', isPrimary: true },
          { name: 'run_id', type: 'varchar', length: '250', isPrimary: true },
          { name: 'task_id', type: 'varchar', length: '250', isPrimary: true },
          { name: 'map_index', type: 'integer', isPrimary: true },
          { name: 'key', type: 'varchar', length: '512', isPrimary: true },
          { name: 'length', type: 'integer', isNullable: false },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('task_map', true);
  }
}
