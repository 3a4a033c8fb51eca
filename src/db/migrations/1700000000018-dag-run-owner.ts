import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `dag_run.owner_hostname` / `owner_pid`: the process that drives a run itself (`dags test`), as
 * no scheduler ever touches such a run. When that process is gone from its host the run would stay
 * queued or running forever; a scheduler (or the next `dags test`) on that host fails it. NULL: a
 * run the schedulers drive.
 */
export class DagRunOwner1700000000018 implements MigrationInterface {
  name = 'DagRunOwner1700000000018';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('dag_run', [
      new TableColumn({ name: 'owner_hostname', type: 'varchar', length: '250', isNullable: true }),
      new TableColumn({ name: 'owner_pid', type: 'integer', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('dag_run', 'owner_pid');
    await q.dropColumn('dag_run', 'owner_hostname');
  }
}
