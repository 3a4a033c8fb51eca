import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `dagctl_user.first_name` / `last_name` / `email`: what Airflow's `users create -f -l -e` records and
 * its `/users` API returns. NULL for users created before (the admin made by `initdb`).
 */
export class UserProfile1700000000036 implements MigrationInterface {
  name = 'UserProfile1700000000036';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('dagctl_user', [
      new TableColumn({ name: 'first_name', type: 'varchar', length: '256', isNullable: true }),
      new TableColumn({ name: 'last_name', type: 'varchar', length: '256', isNullable: true }),
      new TableColumn({ name: 'email', type: 'varchar', length: '256', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('dagctl_user', 'email');
    await q.dropColumn('dagctl_user', 'last_name');
    await q.dropColumn('dagctl_user', 'first_name');
  }
}
