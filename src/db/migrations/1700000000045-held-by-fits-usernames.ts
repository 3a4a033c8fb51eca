import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `task_instance.held_by` holds the username of whoever held the task instance, and usernames may
 * have 256 characters: varchar(250) made a hold by such a user a "value too long" error on
 * PostgreSQL. SQLite never checks a varchar's length, so its table is left as it is (widening it
 * there would copy every task instance for nothing).
 */
export class HeldByFitsUsernames1700000000045 implements MigrationInterface {
  name = 'HeldByFitsUsernames1700000000045';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres')
      await q.query('ALTER TABLE task_instance ALTER COLUMN held_by TYPE varchar(256)');
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres')
      await q.query('ALTER TABLE task_instance ALTER COLUMN held_by TYPE varchar(250) USING left(held_by, 250)');
  }
}
