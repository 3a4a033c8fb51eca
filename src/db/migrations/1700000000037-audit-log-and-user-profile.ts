import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * The audit log gains Airflow's `log.map_index` and an index on `dttm` (the event log is listed
 * newest first); users gain the profile fields of Airflow's user API (first and last name, email)
 * and when they were last changed.
 */
export class AuditLogAndUserProfile1700000000037 implements MigrationInterface {
  name = 'AuditLogAndUserProfile1700000000037';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('log', new TableColumn({ name: 'map_index', type: 'integer', isNullable: true }));
    await q.createIndex('log', new TableIndex({ name: 'idx_log_dttm', columnNames: ['dttm'] }));
    await q.addColumns('dagctl_user', [
      new TableColumn({ name: 'first_name', type: 'varchar', length: '256', isNullable: true }),
      new TableColumn({ name: 'last_name', type: 'varchar', length: '256', isNullable: true }),
      new TableColumn({ name: 'email', type: 'varchar', length: '256', isNullable: true }),
      // Dates are ISO-8601 text, like every other date column (db/column-types.ts).
      new TableColumn({ name: 'changed_on', type: 'varchar', length: '32', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['changed_on', 'email', 'last_name', 'first_name']) await q.dropColumn('dagctl_user', column);
    await q.dropIndex('log', 'idx_log_dttm');
    await q.dropColumn('log', 'map_index');
  }
}
