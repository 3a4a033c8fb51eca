import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `task_instance.platform_retries`: how many tries of this task instance were lost to the platform
 * (a scheduler that died while they ran) and run again without counting against the task's
 * retries; bounded by `scheduler.max_platform_retries`.
 */
export class PlatformRetries1700000000006 implements MigrationInterface {
  name = 'PlatformRetries1700000000006';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'task_instance',
      new TableColumn({ name: 'platform_retries', type: 'integer', isNullable: false, default: 0 }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('task_instance', 'platform_retries');
  }
}
