import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Schedulers publish their in-process metrics (loop durations, executor slots) on heartbeat. */
export class JobMetrics1700000000003 implements MigrationInterface {
  name = 'JobMetrics1700000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('job', new TableColumn({ name: 'metrics', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('job', 'metrics');
  }
}
