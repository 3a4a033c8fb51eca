import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';
import { createDueRuns, refreshNextDagRun } from '../../src/scheduler/create-due-runs';
import { DagViewCache } from '../../src/scheduler/dag-view-cache';
import { startQueuedRuns } from '../../src/scheduler/start-queued-runs';
import { DATABASE_KINDS, openMigratedTestDatabase } from '../helpers/test-database';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';

async function runs(ds: DataSource, dagId: string) {
  const { records } = await execSql<{ run_id: string; state: string; logical_date: string; data_interval_end: string }>(
    ds, 'SELECT run_id, state, logical_date, data_interval_end FROM dag_run WHERE dag_id = ? ORDER BY logical_date', [dagId]);
  return records;
}

/** Prime next_dagrun like the scheduler does after parsing, then create what is due at `now`. */
async function tick(ds: DataSource, views: DagViewCache, dagId: string, now: Date): Promise<void> {
  const view = await views.get(dagId);
  await refreshNextDagRun(ds, view!, now);
  await createDueRuns(ds, views, now, 50);
}

describe.each(DATABASE_KINDS)('scheduled run creation on %s', (kind) => {
  let close: () => Promise<void>;
  let ds: DataSource;
  beforeEach(async () => {
    const opened = await openMigratedTestDatabase(kind);
    ds = opened.dataSource;
    close = opened.close;
  });
  afterEach(async () => close());

  const daily = { kind: 'cron' as const, expression: '0 12 * * *', timezone: 'UTC' };

  it('creates a run at the end of its data interval, with logical_date = interval start', async () => {
    await seedDag(ds, makeDag('d', [makeTask('t')], { schedule: daily, startDate: '2026-03-01T00:00:00.000Z' }));
    const views = new DagViewCache(ds);
    await tick(ds, views, 'd', new Date('2026-03-02T11:59:00Z'));
    expect(await runs(ds, 'd')).toEqual([]);
    await tick(ds, views, 'd', new Date('2026-03-02T12:00:00Z'));
    const created = await runs(ds, 'd');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ run_id: 'scheduled__2026-03-01T12:00:00.000Z', state: 'queued', logical_date: '2026-03-01T12:00:00.000Z', data_interval_end: '2026-03-02T12:00:00.000Z' });
    // Idempotent: the same tick again (a restart, a second scheduler) creates nothing new.
    await tick(ds, views, 'd', new Date('2026-03-02T12:00:00Z'));
    expect(await runs(ds, 'd')).toHaveLength(1);
  });

  it('with catchup off creates only the latest interval', async () => {
    await seedDag(ds, makeDag('d', [makeTask('t')], { schedule: daily, startDate: '2026-01-01T00:00:00.000Z', catchup: false }));
    await tick(ds, new DagViewCache(ds), 'd', new Date('2026-03-10T15:00:00Z'));
    expect((await runs(ds, 'd')).map((r) => r.logical_date)).toEqual(['2026-03-09T12:00:00.000Z']);
  });

  it('with catchup on backfills every interval, up to max_active_runs at a time', async () => {
    await seedDag(ds, makeDag('d', [makeTask('t')], { schedule: daily, startDate: '2026-03-01T00:00:00.000Z', catchup: true, maxActiveRuns: 3 }));
    const views = new DagViewCache(ds);
    const now = new Date('2026-03-10T15:00:00Z');
    await tick(ds, views, 'd', now);
    expect((await runs(ds, 'd')).map((r) => r.logical_date)).toEqual(['2026-03-01T12:00:00.000Z', '2026-03-02T12:00:00.000Z', '2026-03-03T12:00:00.000Z']);
    // Only max_active_runs may run; finishing them lets the next ones be created.
    const started = await startQueuedRuns(ds, views, now, 50);
    expect(started).toHaveLength(3);
    await execSql(ds, "UPDATE dag_run SET state = 'success' WHERE dag_id = 'd'");
    await tick(ds, views, 'd', now);
    expect(await runs(ds, 'd')).toHaveLength(6);
  });

  it('creates nothing before a future startDate or after a past endDate', async () => {
    await seedDag(ds, makeDag('future', [makeTask('t')], { schedule: daily, startDate: '2027-01-01T00:00:00.000Z' }));
    await seedDag(ds, makeDag('ended', [makeTask('t')], { schedule: daily, startDate: '2025-01-01T00:00:00.000Z', endDate: '2025-06-01T00:00:00.000Z', catchup: false }));
    const views = new DagViewCache(ds);
    const now = new Date('2026-03-10T15:00:00Z');
    await tick(ds, views, 'future', now);
    await tick(ds, views, 'ended', now);
    expect(await runs(ds, 'future')).toEqual([]);
    // catchup off and endDate passed: the latest interval starts after endDate, so there is no run (Airflow).
    expect(await runs(ds, 'ended')).toEqual([]);
    const { records } = await execSql<{ next_dagrun: string | null }>(ds, "SELECT next_dagrun FROM dag WHERE dag_id = 'future'");
    expect(records[0].next_dagrun).toBe('2027-01-01T12:00:00.000Z');
  });

  it('does not create runs for paused DAGs and does not start queued runs of paused DAGs', async () => {
    await seedDag(ds, makeDag('p', [makeTask('t')], { schedule: daily, startDate: '2026-03-01T00:00:00.000Z' }), { paused: true });
    const views = new DagViewCache(ds);
    const now = new Date('2026-03-10T15:00:00Z');
    await tick(ds, views, 'p', now);
    expect(await runs(ds, 'p')).toEqual([]);
    await execSql(ds, "INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger) VALUES ('p', 'manual__x', '2026-03-05T00:00:00.000Z', 'queued', 'manual', ?)", [true]);
    expect(await startQueuedRuns(ds, views, now, 50)).toEqual([]);
  });
});
