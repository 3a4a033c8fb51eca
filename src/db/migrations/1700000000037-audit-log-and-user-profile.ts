import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * The audit log gains Airflow's `log.map_index` and an index on `dttm` (the event log is listed
 * newest first); users gain when they were last changed (their profile fields came in migration 36).
 */
export class AuditLogAndUserProfile1700000000037 implements MigrationInterface {
  name = 'AuditLogAndUserProfile1700000000037';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('log', new TableColumn({ name: 'map_index', type: 'integer', isNullable: true }));
    await q.createIndex('log', new TableIndex({ name: 'idx_log_dttm', columnNames: ['dttm'] }));
    await q.addColumns('dagctl_user', [
      // Dates are ISO-8601 text, like every other date column (db/column-types.ts).
      new TableColumn({ name: 'changed_on', type: 'varchar', length: '32', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('dagctl_user', 'changed_on');
    await q.dropIndex('log', 'idx_log_dttm');
    await q.dropColumn('log', 'map_index');
  }
}
