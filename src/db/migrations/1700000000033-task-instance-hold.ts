import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `task_instance.held` / `held_by` / `hold_reason`: a user's hold on one task instance that is not
 * queued yet (`dagctl tasks hold`). The queuer leaves a held task instance where it is; the rest
 * of its run goes on. `tasks resume` clears all three.
 */
export class TaskInstanceHold1700000000033 implements MigrationInterface {
  name = 'TaskInstanceHold1700000000033';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('task_instance', [
      new TableColumn({ name: 'held', type: 'boolean', isNullable: false, default: false }),
      new TableColumn({ name: 'held_by', type: 'varchar', length: '250', isNullable: true }),
      new TableColumn({ name: 'hold_reason', type: 'text', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('task_instance', 'hold_reason');
    await q.dropColumn('task_instance', 'held_by');
    await q.dropColumn('task_instance', 'held');
  }
}
