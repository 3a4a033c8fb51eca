import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `dag.is_draining`: set with `is_paused` by `dags pause --drain`. A draining DAG gets no new run
 * (scheduled or triggered) but its running runs keep queueing tasks until they finish; plain
 * pause stops those too. `dags unpause` clears it.
 */
export class DagDraining1700000000034 implements MigrationInterface {
  name = 'DagDraining1700000000034';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'dag',
      new TableColumn({ name: 'is_draining', type: 'boolean', isNullable: false, default: false }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('dag', 'is_draining');
  }
}
