import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/** Column builders: the same definitions work on SQLite and PostgreSQL. */
const str = (name: string, length = 250, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const text = (name: string, nullable = true): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
const int = (name: string, nullable = true, def?: number): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable: nullable,
  default: def,
});
const bool = (name: string, def: boolean): TableColumnOptions => ({
  name,
  type: 'boolean',
  isNullable: false,
  default: def,
});
const date = (name: string, nullable = true): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '32',
  isNullable: nullable,
});
const float = (name: string): TableColumnOptions => ({ name, type: 'float', isNullable: true });
const id = (): TableColumnOptions => ({
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});
const pk = (column: TableColumnOptions): TableColumnOptions => ({ ...column, isPrimary: true });

const TI_KEY = [pk(str('dag_id')), pk(str('run_id')), pk(str('task_id')), pk(int('map_index', false, -1))];

export class InitialSchema1700000000001 implements MigrationInterface {
  name = 'InitialSchema1700000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'dag',
        columns: [
          pk(str('dag_id')),
          bool('is_paused', false),
          bool('is_active', true),
          str('fileloc', 2000),
          text('description'),
          str('schedule', 250, true),
          text('tags'),
          str('owners', 250, true),
          int('max_active_runs'),
          int('max_active_tasks'),
          date('last_parsed_time'),
          date('next_dagrun'),
          date('next_dagrun_data_interval_start'),
          date('next_dagrun_data_interval_end'),
          date('next_dagrun_create_after'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'serialized_dag',
        columns: [
          pk(str('dag_id')),
          str('fileloc', 2000),
          text('data', false),
          str('dag_hash', 64),
          date('last_updated'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dag_code',
        columns: [pk(str('fileloc', 2000)), text('source_code', false), date('last_updated')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dag_run',
        columns: [
          id(),
          str('dag_id'),
          str('run_id'),
          date('logical_date', false),
          date('data_interval_start'),
          date('data_interval_end'),
          str('state', 50),
          str('run_type', 50),
          bool('external_trigger', false),
          text('conf'),
          date('queued_at'),
          date('start_date'),
          date('end_date'),
          str('dag_hash', 64, true),
          date('last_scheduling_decision'),
          text('note'),
          date('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'dag_run_dag_id_run_id_key', columnNames: ['dag_id', 'run_id'], isUnique: true }),
          new TableIndex({
            name: 'dag_run_dag_id_logical_date_key',
            columnNames: ['dag_id', 'logical_date'],
            isUnique: true,
          }),
          new TableIndex({ name: 'idx_dag_run_state', columnNames: ['state'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'task_instance',
        columns: [
          ...TI_KEY,
          str('state', 20, true),
          int('try_number', false, 0),
          int('max_tries', false, 0),
          date('start_date'),
          date('end_date'),
          float('duration'),
          date('queued_dttm'),
          date('next_try_at'),
          str('hostname', 1000, true),
          int('pid'),
          str('operator', 1000, true),
          { ...str('pool', 256), default: "'default_pool'" },
          int('pool_slots', false, 1),
          { ...str('queue', 256), default: "'default'" },
          int('priority_weight', false, 1),
          int('queued_by_job_id'),
          str('external_executor_id', 250, true),
          date('first_reschedule_date'),
          text('rendered_fields'),
          text('end_reason'),
          text('note'),
          date('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'ti_state', columnNames: ['state'] }),
          new TableIndex({ name: 'ti_dag_run', columnNames: ['dag_id', 'run_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'task_instance_history',
        columns: [
          id(),
          str('dag_id'),
          str('run_id'),
          str('task_id'),
          int('map_index', false, -1),
          int('try_number', false),
          str('state', 20, true),
          date('start_date'),
          date('end_date'),
          float('duration'),
          str('hostname', 1000, true),
          text('end_reason'),
        ],
        indices: [
          new TableIndex({
            name: 'tih_ti',
            columnNames: ['dag_id', 'run_id', 'task_id', 'map_index', 'try_number'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'xcom',
        columns: [...TI_KEY, pk(str('key', 512)), text('value'), date('timestamp')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'import_error',
        columns: [id(), str('filename', 1024), text('stacktrace', false), date('timestamp')],
        indices: [new TableIndex({ name: 'import_error_filename_key', columnNames: ['filename'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'slot_pool',
        columns: [id(), str('pool', 256), int('slots', false, 0), text('description')],
        indices: [new TableIndex({ name: 'slot_pool_pool_key', columnNames: ['pool'], isUnique: true })],
      }),
    );
    await q.query(`INSERT INTO slot_pool (pool, slots, description) VALUES ('default_pool', 128, 'Default pool')`);
    await q.createTable(
      new Table({
        name: 'variable',
        columns: [id(), str('key'), text('val'), text('description')],
        indices: [new TableIndex({ name: 'variable_key_key', columnNames: ['key'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'connection',
        columns: [
          id(),
          str('conn_id'),
          str('conn_type', 500),
          text('description'),
          str('host', 500, true),
          str('schema', 500, true),
          text('login'),
          text('password'),
          int('port'),
          text('extra'),
        ],
        indices: [new TableIndex({ name: 'connection_conn_id_key', columnNames: ['conn_id'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'job',
        columns: [
          id(),
          str('job_type', 30),
          str('state', 20),
          str('hostname', 500, true),
          int('pid'),
          str('executor_class', 50, true),
          date('start_date'),
          date('end_date'),
          date('latest_heartbeat'),
        ],
        indices: [new TableIndex({ name: 'job_type_heart', columnNames: ['job_type', 'latest_heartbeat'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'log',
        columns: [
          id(),
          date('dttm'),
          str('event', 60),
          str('dag_id', 250, true),
          str('task_id', 250, true),
          str('run_id', 250, true),
          str('owner', 500, true),
          text('extra'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dagctl_user',
        columns: [
          id(),
          str('username', 256),
          str('password_hash', 256),
          str('role', 20),
          date('created_at'),
          date('last_login'),
        ],
        indices: [new TableIndex({ name: 'dagctl_user_username_key', columnNames: ['username'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'dagctl_user',
      'log',
      'job',
      'connection',
      'variable',
      'slot_pool',
      'import_error',
      'xcom',
      'task_instance_history',
      'task_instance',
      'dag_run',
      'dag_code',
      'serialized_dag',
      'dag',
    ]) {
      await q.dropTable(table, true);
    }
  }
}
