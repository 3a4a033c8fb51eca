import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `dag_run.triggered_by_task`: for a run a TriggerDagRunOperator created, the task instance that
 * created it (`<dag_id>/<run_id>/<task_id>`). That task, waiting for the run in reschedule style
 * (it holds no slot meanwhile), finds its run again by it. NULL for every other run.
 */
export class DagRunTriggeredBy1700000000028 implements MigrationInterface {
  name = 'DagRunTriggeredBy1700000000028';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'dag_run',
      new TableColumn({ name: 'triggered_by_task', type: 'varchar', length: '760', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('dag_run', 'triggered_by_task');
  }
}
