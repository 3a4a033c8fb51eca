import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Custom roles (Airflow's `roles create` / `POST /roles`): `dagctl_role` holds each role's name,
 * its lower-case key (unique: names are case-insensitive) and its permissions as JSON. A user's
 * `role` may now name one, so it widens to 64 characters (SQLite does not enforce lengths).
 */
export class CustomRoles1700000000043 implements MigrationInterface {
  name = 'CustomRoles1700000000043';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'dagctl_role',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'name', type: 'varchar', length: '64', isNullable: false },
          { name: 'name_key', type: 'varchar', length: '64', isNullable: false },
          { name: 'permissions', type: 'text', isNullable: false },
          { name: 'created_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'changed_on', type: 'varchar', length: '32', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'dagctl_role_name_key', columnNames: ['name_key'], isUnique: true })],
      }),
    );
    if (q.connection.options.type === 'postgres')
      await q.query('ALTER TABLE dagctl_user ALTER COLUMN role TYPE varchar(64)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('dagctl_role');
  }
}
