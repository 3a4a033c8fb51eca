import { DataSource } from 'typeorm';
import type { AppContext } from '../../src/app/app-context';
import { loadConfig } from '../../src/config/load-config';
import { systemClock } from '../../src/core/clock';
import { execSql } from '../../src/db/sql';
import { ImportErrorEntity } from '../../src/db/entities';
import { createManualDagRun } from '../../src/db/transitions/create-manual-dag-run';
import { DagProcessorManager } from '../../src/parsing/dag-processor-manager';
import { createDueRuns, refreshNextDagRun } from '../../src/scheduler/create-due-runs';
import { DagViewCache } from '../../src/scheduler/dag-view-cache';
import { DATABASE_KINDS, openMigratedTestDatabase } from '../helpers/test-database';
import { DagFolder } from '../parsing/dag-folder-fixture';

jest.setTimeout(120_000);

/** A business-days timetable as a user writes it (Airflow's AfterWorkdayTimetable), catchup from the start date. */
const BUSINESS_DAYS = `
import { DAG, EmptyOperator, Timetable } from 'dagctl';
const DAY = 24 * 3600 * 1000;
const weekend = (d: Date) => d.getUTCDay() === 0 || d.getUTCDay() === 6;
const midnight = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
class BusinessDays extends Timetable {
  constructor(private readonly label: string) { super(); }
  nextDagrunInfo({ lastAutomatedDataInterval, restriction }: any) {
    let start = midnight(lastAutomatedDataInterval ? lastAutomatedDataInterval.end : restriction.earliest);
    while (weekend(start)) start = new Date(start.getTime() + DAY);
    const end = new Date(start.getTime() + DAY);
    return { dataInterval: { start, end }, runAfter: end };
  }
  override inferManualDataInterval({ runAfter }: { runAfter: Date }) {
    let start = new Date(midnight(runAfter).getTime() - DAY);
    while (weekend(start)) start = new Date(start.getTime() - DAY);
    return { start, end: new Date(start.getTime() + DAY) };
  }
  override serialize() { return { label: this.label }; }
  static deserialize(data: { label: string }) { return new BusinessDays(data.label); }
}
const dag = new DAG('business_days', {
  schedule: new BusinessDays('weekdays'),
  startDate: '2026-11-02T00:00:00Z',
  catchup: true,
  maxActiveRuns: 16,
});
new EmptyOperator({ taskId: 't', dag });
export default dag;
`;

const THROWS = `
import { DAG, EmptyOperator, Timetable } from 'dagctl';
class Broken extends Timetable {
  nextDagrunInfo(): never { throw new Error('calendar service unreachable'); }
}
const dag = new DAG('broken_timetable', { schedule: new Broken(), startDate: '2026-11-02T00:00:00Z' });
new EmptyOperator({ taskId: 't', dag });
export default dag;
`;

describe.each(DATABASE_KINDS)('custom timetable classes on %s', (kind) => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let folder: DagFolder;
  let manager: DagProcessorManager;

  beforeEach(async () => {
    ({ dataSource: ds, close } = await openMigratedTestDatabase(kind));
    folder = new DagFolder();
    const config = loadConfig({ DAGCTL_HOME: folder.root }, folder.root);
    const ctx: AppContext = { config, dataSource: ds, clock: systemClock };
    manager = new DagProcessorManager(ctx, { parsingProcesses: 1, importTimeoutMs: 30_000 });
  });
  afterEach(async () => {
    await manager.stop();
    await close();
    folder.cleanup();
  });

  const logicalDates = async (dagId: string, runType: string) =>
    (
      await execSql<{ logical_date: string; data_interval_end: string }>(
        ds,
        'SELECT logical_date, data_interval_end FROM dag_run WHERE dag_id = ? AND run_type = ? ORDER BY logical_date',
        [dagId, runType],
      )
    ).records.map((r) => `${r.logical_date} → ${r.data_interval_end}`);

  it('the scheduler creates runs on the days the class says, from what the parser stored', async () => {
    folder.write('business_days.ts', BUSINESS_DAYS);
    const summary = await manager.parseAll();
    expect(summary.importErrors).toEqual({});
    const views = new DagViewCache(ds);
    const tick = async (now: Date) => {
      await refreshNextDagRun(ds, (await views.get('business_days'))!, now);
      await createDueRuns(ds, views, now, 50);
    };
    // Saturday: Monday to Friday of the first week have ended, the weekend has no run.
    await tick(new Date('2026-11-07T12:00:00Z'));
    await tick(new Date('2026-11-09T23:59:00Z'));
    const day = (d: string, e: string) => `2026-11-${d}T00:00:00.000Z → 2026-11-${e}T00:00:00.000Z`;
    const firstWeek = [day('02', '03'), day('03', '04'), day('04', '05'), day('05', '06'), day('06', '07')];
    expect(await logicalDates('business_days', 'scheduled')).toEqual(firstWeek);
    // Monday's interval ends at Tuesday midnight: its run comes then.
    await tick(new Date('2026-11-10T00:00:00Z'));
    expect(await logicalDates('business_days', 'scheduled')).toEqual([...firstWeek, day('09', '10')]);
    const stored = await execSql<{ data: string }>(
      ds,
      "SELECT data FROM serialized_dag WHERE dag_id = 'business_days'",
    );
    expect(JSON.parse(stored.records[0].data).schedule).toMatchObject({
      kind: 'precomputed',
      className: 'BusinessDays',
      serialized: { label: 'weekdays' },
    });
  });

  it("a manual trigger gets the interval the class's inferManualDataInterval gives", async () => {
    folder.write('business_days.ts', BUSINESS_DAYS);
    await manager.parseAll();
    // Triggered on a Monday (a moment the parser asked the class about): it covers the Friday before.
    const { runId } = await createManualDagRun(
      ds,
      { dagId: 'business_days', runId: 'by_hand', logicalDate: new Date('2026-11-09T00:00:00Z') },
      { now: new Date('2026-11-09T08:00:00Z'), confOverridesParams: true },
    );
    expect(runId).toBe('by_hand');
    const { records } = await execSql<{ data_interval_start: string; data_interval_end: string }>(
      ds,
      "SELECT data_interval_start, data_interval_end FROM dag_run WHERE run_id = 'by_hand'",
    );
    expect(records[0]).toEqual({
      data_interval_start: '2026-11-06T00:00:00.000Z',
      data_interval_end: '2026-11-07T00:00:00.000Z',
    });
  });

  it('a class that throws is an import error naming the DAG; other DAGs keep parsing', async () => {
    folder.write('broken_timetable.ts', THROWS);
    folder.write('business_days.ts', BUSINESS_DAYS);
    const summary = await manager.parseAll();
    expect(summary.changedDagIds).toEqual(['business_days']);
    const [error] = await ds.getRepository(ImportErrorEntity).find();
    expect(error.filename).toBe(folder.path('broken_timetable.ts'));
    expect(error.stacktrace).toContain(
      "DAG 'broken_timetable': timetable Broken: nextDagrunInfo threw: calendar service unreachable",
    );
  });
});
