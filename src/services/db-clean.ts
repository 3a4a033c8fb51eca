import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../core/errors';
import { runInTransaction } from '../db/transaction';
import { execSql } from '../db/sql';
import type { EntityManager } from 'typeorm';
import { purgeXComFiles } from './purge-xcom-files';
import { recordAuditEvent } from './audit-log';
import type { ServiceContext } from './service-context';

/**
 * Airflow's `db clean` tables that dagctl has, by Airflow's name (`log` is the audit log, `session`
 * the web sessions). Each row is old when its recency column is before the cut-off.
 */
export const CLEANABLE_TABLES = ['dag_run', 'task_instance', 'task_instance_history', 'xcom', 'log', 'job', 'session'];

/** Runs handled per transaction: short transactions never hold the database from the scheduler for long. */
const RUN_BATCH = 200;
const ROW_BATCH = 1000;
/** Only rows of runs in these states are ever deleted: queued and running runs are untouched. */
const FINISHED_RUN = `state IN ('success', 'failed')`;

export interface DbCleanInput {
  before: Date;
  tables?: string[];
  dryRun?: boolean;
  /** Without it, deleted rows are first written as JSON lines under `archiveDir` (Airflow archives to tables). */
  skipArchive?: boolean;
  archiveDir: string;
  actor?: string;
}

export interface DbCleanResult {
  /** Rows deleted (or, in a dry run, that would be) per table. */
  rows: Record<string, number>;
  archive: string | null;
}

interface RunKey {
  id: number;
  dag_id: string;
  run_id: string;
}

export function parseCleanTables(text: string | undefined): string[] {
  if (text === undefined) return [...CLEANABLE_TABLES];
  const tables = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const unknown = tables.filter((t) => !CLEANABLE_TABLES.includes(t));
  if (unknown.length > 0 || tables.length === 0)
    throw new InvalidArgumentError(
      `invalid --tables '${text}': expected a comma-separated list of ${CLEANABLE_TABLES.join(', ')}`,
    );
  return tables;
}

/** The condition "one of these runs" on a table with dag_id and run_id columns. */
function ofRuns(runs: RunKey[], alias = ''): { sql: string; params: string[] } {
  const prefix = alias ? `${alias}.` : '';
  return {
    sql: `(${runs.map(() => `(${prefix}dag_id = ? AND ${prefix}run_id = ?)`).join(' OR ')})`,
    params: runs.flatMap((r) => [r.dag_id, r.run_id]),
  };
}

class Cleaner {
  readonly rows: Record<string, number> = {};
  private archiveDirCreated = false;

  constructor(
    private readonly input: DbCleanInput,
    private readonly tables: string[],
  ) {
    for (const table of tables) this.rows[table] = 0;
  }

  /** Whether any row was written to the archive. */
  get archived(): boolean {
    return this.archiveDirCreated;
  }

  get archiving(): boolean {
    return !this.input.skipArchive && !this.input.dryRun;
  }

  /** Count (dry run) or archive and delete the rows of `table` matching `where`; counted under `as`. */
  async apply(tx: EntityManager, table: string, where: string, params: unknown[], as = table): Promise<void> {
    if (this.input.dryRun) {
      const { records } = await execSql<{ n: number }>(tx, `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
      this.rows[as] = (this.rows[as] ?? 0) + Number(records[0].n);
      return;
    }
    if (this.archiving) {
      const { records } = await execSql(tx, `SELECT * FROM ${table} WHERE ${where}`, params);
      if (records.length > 0) this.archive(table, records);
    }
    const { affected } = await execSql(tx, `DELETE FROM ${table} WHERE ${where}`, params);
    this.rows[as] = (this.rows[as] ?? 0) + affected;
  }

  private archive(table: string, records: unknown[]): void {
    if (!this.archiveDirCreated) {
      fs.mkdirSync(this.input.archiveDir, { recursive: true, mode: 0o700 });
      this.archiveDirCreated = true;
    }
    const lines = records.map((r) => JSON.stringify(r)).join('\n');
    fs.appendFileSync(path.join(this.input.archiveDir, `${table}.jsonl`), `${lines}\n`, { mode: 0o600 });
  }
}

/**
 * Airflow's `db clean`: delete rows older than a cut-off, in short batches. Never touches a run
 * that is not finished, nor the task instances, tries and XComs of one; keeps each DAG's latest
 * scheduled run (it anchors the schedule, as Airflow's keep_last). Deleting a run deletes its task
 * instances, tries and XComs with it (Airflow's cascade).
 */
export async function cleanDatabase(ctx: ServiceContext, input: DbCleanInput): Promise<DbCleanResult> {
  const tables = input.tables ?? [...CLEANABLE_TABLES];
  const cleaner = new Cleaner(input, tables);
  const before = input.before.toISOString();
  const purged: Array<{ dagId: string; runId: string }> = [];

  let lastId = 0;
  const runTables = ['dag_run', 'task_instance', 'task_instance_history', 'xcom'].filter((t) => tables.includes(t));
  while (runTables.length > 0) {
    const { records: page } = await execSql<RunKey>(
      ctx.dataSource,
      `SELECT id, dag_id, run_id FROM dag_run WHERE ${FINISHED_RUN} AND id > ? ORDER BY id LIMIT ${RUN_BATCH}`,
      [lastId],
    );
    if (page.length === 0) break;
    lastId = Number(page[page.length - 1].id);
    await runInTransaction(ctx.dataSource, async (tx) => {
      // Re-read inside the transaction: a run cleared (queued again) since the page was read is left alone.
      const runs = ofRuns(page);
      const { records: finished } = await execSql<RunKey>(
        tx,
        `SELECT id, dag_id, run_id FROM dag_run WHERE ${FINISHED_RUN} AND ${runs.sql}`,
        runs.params,
      );
      if (finished.length === 0) return;
      let remaining = finished;
      if (tables.includes('dag_run')) {
        const { records: oldRuns } = await execSql<RunKey>(
          tx,
          `SELECT id, dag_id, run_id FROM dag_run d WHERE ${ofRuns(finished, 'd').sql}
             AND COALESCE(d.end_date, d.logical_date) < ?
             AND NOT (d.run_type = 'scheduled' AND NOT EXISTS (SELECT 1 FROM dag_run l
               WHERE l.dag_id = d.dag_id AND l.run_type = 'scheduled' AND l.logical_date > d.logical_date))`,
          [...ofRuns(finished, 'd').params, before],
        );
        if (oldRuns.length > 0) {
          const old = ofRuns(oldRuns);
          for (const child of ['xcom', 'task_instance_history', 'task_instance'])
            await cleaner.apply(tx, child, old.sql, old.params, tables.includes(child) ? child : `${child} (of runs)`);
          await cleaner.apply(tx, 'dag_run', old.sql, old.params);
          purged.push(...oldRuns.map((r) => ({ dagId: r.dag_id, runId: r.run_id })));
          // Their rows are gone (or, in a dry run, already counted).
          const gone = new Set(oldRuns.map((r) => Number(r.id)));
          remaining = finished.filter((r) => !gone.has(Number(r.id)));
        }
      }
      if (remaining.length === 0) return;
      const scope = ofRuns(remaining);
      if (tables.includes('xcom'))
        await cleaner.apply(tx, 'xcom', `${scope.sql} AND timestamp < ?`, [...scope.params, before]);
      if (tables.includes('task_instance_history'))
        await cleaner.apply(tx, 'task_instance_history', `${scope.sql} AND COALESCE(end_date, start_date) < ?`, [
          ...scope.params,
          before,
        ]);
      if (tables.includes('task_instance')) {
        // A task instance goes with its tries and XComs.
        const oldTi = `EXISTS (SELECT 1 FROM task_instance t WHERE t.dag_id = %.dag_id AND t.run_id = %.run_id
          AND t.task_id = %.task_id AND t.map_index = %.map_index AND COALESCE(t.end_date, t.start_date) < ?)`;
        for (const child of ['xcom', 'task_instance_history'])
          await cleaner.apply(
            tx,
            child,
            `${scope.sql} AND ${oldTi.replaceAll('%', child)}`,
            [...scope.params, before],
            tables.includes(child) ? child : `${child} (of task instances)`,
          );
        await cleaner.apply(tx, 'task_instance', `${scope.sql} AND COALESCE(end_date, start_date) < ?`, [
          ...scope.params,
          before,
        ]);
      }
    });
  }

  const now = ctx.clock.now().toISOString();
  const simple: Array<[string, string, string, unknown[]]> = [
    ['log', 'log', 'dttm < ?', [before]],
    ['job', 'job', `state <> 'running' AND latest_heartbeat < ?`, [before]],
    // Only expired sessions: one still valid is someone's login.
    ['session', 'web_session', 'expires_at < ? AND expires_at < ?', [before, now]],
  ];
  for (const [name, table, where, params] of simple) {
    if (!tables.includes(name)) continue;
    for (;;) {
      const { records } = await execSql<{ id: string | number }>(
        ctx.dataSource,
        `SELECT id FROM ${table} WHERE ${where} ORDER BY id LIMIT ${ROW_BATCH}`,
        params,
      );
      if (records.length === 0) break;
      if (input.dryRun) {
        await runInTransaction(ctx.dataSource, (tx) => cleaner.apply(tx, table, where, params, name));
        break;
      }
      const ids = records.map((r) => r.id);
      const idList = `id IN (${ids.map(() => '?').join(', ')})`;
      await runInTransaction(ctx.dataSource, (tx) => cleaner.apply(tx, table, idList, ids, name));
      if (records.length < ROW_BATCH) break;
    }
  }

  if (!input.dryRun) {
    purgeXComFiles(ctx, purged);
    await recordAuditEvent(ctx.dataSource, ctx.clock, {
      event: 'db_clean',
      actor: input.actor,
      extra: { before, tables, rows: cleaner.rows },
    });
  }
  return { rows: cleaner.rows, archive: cleaner.archived ? input.archiveDir : null };
}
