import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';

const str = (name: string, length = 250, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const date = (name: string, nullable = true): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '32',
  isNullable: nullable,
});
const id = (): TableColumnOptions => ({
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});

/**
 * `callback_request`: a DAG-level callback (run success/failure, missed deadline) the scheduler
 * asks for in the same transaction as the state change that calls for it; a callback runner
 * claims it (pending → running, guarded) and runs it once outside the scheduler.
 * `deadline`: each run's deadline time, and when it was found missed.
 * `dag_run.late_seconds`: how late a scheduled run started (null when on time).
 */
export class CallbacksDeadlinesLate1700000000030 implements MigrationInterface {
  name = 'CallbacksDeadlinesLate1700000000030';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'callback_request',
        columns: [
          id(),
          str('dag_id'),
          str('run_id'),
          str('kind', 50),
          str('state', 20),
          { name: 'context', type: 'text', isNullable: true },
          date('created_at', false),
          str('claimed_by', 250, true),
          date('claimed_at'),
          date('finished_at'),
          { name: 'error', type: 'text', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_callback_request_state', columnNames: ['state'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'deadline',
        columns: [
          id(),
          str('dag_id'),
          str('run_id'),
          date('deadline_time', false),
          { name: 'has_callback', type: 'boolean', isNullable: false, default: false },
          date('missed_at'),
        ],
        indices: [
          new TableIndex({ name: 'deadline_dag_id_run_id_key', columnNames: ['dag_id', 'run_id'], isUnique: true }),
          new TableIndex({ name: 'idx_deadline_time', columnNames: ['missed_at', 'deadline_time'] }),
        ],
      }),
    );
    await q.addColumn('dag_run', new TableColumn({ name: 'late_seconds', type: 'integer', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('dag_run', 'late_seconds');
    await q.dropTable('deadline');
    await q.dropTable('callback_request');
  }
}
