import fs from 'node:fs';
import { DataSource } from 'typeorm';
import type { AppContext } from '../../src/app/app-context';
import { loadConfig } from '../../src/config/load-config';
import { systemClock } from '../../src/core/clock';
import { DagCodeEntity, DagEntity, ImportErrorEntity, SerializedDagEntity } from '../../src/db/entities';
import { DagProcessorManager } from '../../src/parsing/dag-processor-manager';
import type { DagProcessorOptions } from '../../src/parsing/dag-processor-options';
import { getSerializedDag } from '../../src/db/reads/serialized-dag-store';
import { DATABASE_KINDS, openMigratedTestDatabase } from '../helpers/test-database';
import { eventually, present } from '../helpers/eventually';
import { BROKEN_FILES, DagFolder } from './dag-folder-fixture';

jest.setTimeout(180_000);

describe.each(DATABASE_KINDS)('DagProcessorManager on %s', (kind) => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let folder: DagFolder;
  const managers: DagProcessorManager[] = [];

  function manager(
    overrides: Partial<DagProcessorOptions> = {},
    env: Record<string, string> = {},
  ): DagProcessorManager {
    const config = loadConfig({ DAGCTL_HOME: folder.root, ...env }, folder.root);
    const ctx: AppContext = { config, dataSource: ds, clock: systemClock };
    const created = new DagProcessorManager(ctx, {
      parsingProcesses: 2,
      importTimeoutMs: 30_000,
      rescanIntervalMs: 3_600_000,
      ...overrides,
    });
    managers.push(created);
    return created;
  }

  const errors = async () =>
    Object.fromEntries((await ds.getRepository(ImportErrorEntity).find()).map((e) => [e.filename, e.stacktrace]));
  const dagRow = (dagId: string) => ds.getRepository(DagEntity).findOneBy({ dagId });
  const hashOf = async (dagId: string) => (await ds.getRepository(SerializedDagEntity).findOneBy({ dagId }))?.dagHash;

  beforeEach(async () => {
    ({ dataSource: ds, close } = await openMigratedTestDatabase(kind));
    folder = new DagFolder();
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop();
    await close();
    folder.cleanup();
  });

  it('records every broken file as a one-line import error and keeps the good DAG', async () => {
    const good = folder.write('good.ts', folder.goodDag('good_dag'));
    for (const [name, text] of Object.entries(BROKEN_FILES)) folder.write(name, text);
    folder.write('types.d.ts', 'export declare const x: number;\n');

    // Short enough to keep the test quick, long enough for a good file on a loaded 2-core machine.
    const summary = await manager({ importTimeoutMs: 8000 }).parseAll();
    expect(summary.filesFound).toBe(1 + Object.keys(BROKEN_FILES).length);
    expect(summary.filesParsed).toBe(summary.filesFound);
    expect(summary.changedDagIds).toEqual(['good_dag']);

    const recorded = await errors();
    expect(Object.keys(recorded).sort()).toEqual(
      Object.keys(BROKEN_FILES)
        .map((n) => folder.path(n))
        .sort(),
    );
    expect(recorded).toEqual(summary.importErrors);
    for (const reason of Object.values(recorded)) expect(reason).not.toContain('\n');
    expect(recorded[folder.path('syntax_error.ts')]).toMatch(/syntax|parse ?error|unexpected/i);
    expect(recorded[folder.path('cycle.ts')]).toMatch(/cycle/i);
    expect(recorded[folder.path('duplicate_task.ts')]).toMatch(/duplicate task id 'same'/);
    expect(recorded[folder.path('unknown_option.ts')]).toMatch(/unknown option 'colour'/);
    expect(recorded[folder.path('infinite_loop.ts')]).toBe('import timed out after 8s');
    expect(recorded[folder.path('throws.ts')]).toContain('warehouse unreachable at import');
    expect(recorded[folder.path('bad.yaml')]).toMatch(/yaml|flow|collection|unexpected|missing/i);

    const row = await dagRow('good_dag');
    expect(row).toMatchObject({ isActive: true, isPaused: false, fileloc: good, schedule: '@daily', tags: ['t1'] });
    const stored = await getSerializedDag(ds, 'good_dag');
    expect(stored?.dag.tasks.map((t) => t.taskId)).toEqual(['start', 'say']);
    expect(stored?.dag.fileloc).toBe(good);
    expect((await ds.getRepository(DagCodeEntity).findOneByOrFail({ fileloc: good })).sourceCode).toBe(
      fs.readFileSync(good, 'utf8'),
    );
    expect(await ds.getRepository(DagEntity).count()).toBe(1);
  });

  it('parses only changed files, also after a restart, and an edit gives a new hash', async () => {
    folder.write('good.ts', folder.goodDag('good_dag'));
    folder.write('other.ts', folder.goodDag('other_dag'));
    const first = manager();
    const changes: string[][] = [];
    first.onChange((ids) => changes.push(ids));

    expect((await first.parseAll()).filesParsed).toBe(2);
    expect(folder.importCount('good_dag')).toBe(1);
    const hash1 = await hashOf('good_dag');
    expect(changes.flat().sort()).toEqual(['good_dag', 'other_dag']);

    const again = await first.parseAll();
    expect(again).toMatchObject({ filesParsed: 0, filesUnchanged: 2, changedDagIds: [] });
    expect(folder.importCount('good_dag')).toBe(1);

    // A fresh processor compares against dag_code and imports nothing.
    const restarted = manager();
    expect((await restarted.parseAll()).filesParsed).toBe(0);
    expect(folder.importCount('good_dag')).toBe(1);

    changes.length = 0;
    folder.write('good.ts', folder.goodDag('good_dag', 'edited description'));
    const edited = await first.parseAll();
    expect(edited).toMatchObject({ filesParsed: 1, changedDagIds: ['good_dag'] });
    expect(folder.importCount('good_dag')).toBe(2);
    expect(folder.importCount('other_dag')).toBe(1);
    expect(changes).toEqual([['good_dag']]);
    const hash2 = await hashOf('good_dag');
    expect(hash2).not.toBe(hash1);
    expect((await dagRow('good_dag'))?.description).toBe('edited description');
    expect((await getSerializedDag(ds, 'good_dag'))?.dag.description).toBe('edited description');
    expect(first.parseCount).toBe(3);
  });

  it('gives DAGs and tasks the config defaults, and parses again when a restart brings other defaults', async () => {
    folder.write('good.ts', folder.goodDag('good_dag'));
    const defaults = { DAGCTL__CORE__MAX_ACTIVE_TASKS_PER_DAG: '1', DAGCTL__CORE__DEFAULT_TASK_RETRIES: '2' };
    expect((await manager({}, defaults).parseAll()).filesParsed).toBe(1);
    const stored = async () => (await getSerializedDag(ds, 'good_dag'))!.dag;
    expect(await stored()).toMatchObject({ maxActiveTasks: 1, maxActiveRuns: 16 });
    expect((await stored()).tasks.map((t) => t.retries)).toEqual([2, 2]);
    expect(await dagRow('good_dag')).toMatchObject({ maxActiveTasks: 1, maxActiveRuns: 16 });

    // Same defaults: the unchanged file is not imported again.
    expect((await manager({}, defaults).parseAll()).filesParsed).toBe(0);
    // Other defaults: the unchanged file is parsed again, and its DAG takes them.
    const changed = await manager({}, { DAGCTL__CORE__MAX_ACTIVE_RUNS_PER_DAG: '4' }).parseAll();
    expect(changed).toMatchObject({ filesParsed: 1, changedDagIds: ['good_dag'] });
    expect(folder.importCount('good_dag')).toBe(2);
    expect(await stored()).toMatchObject({ maxActiveTasks: 16, maxActiveRuns: 4 });
    expect((await stored()).tasks.map((t) => t.retries)).toEqual([0, 0]);
    expect(await dagRow('good_dag')).toMatchObject({ maxActiveTasks: 16, maxActiveRuns: 4 });
  });

  it('re-imports DAG files when a helper module they import changes', async () => {
    folder.write('lib/names.ts', "export const DESCRIPTION = 'v1';\n");
    folder.write(
      'uses_helper.ts',
      [
        "import { DAG, EmptyOperator } from 'dagctl';",
        "import { DESCRIPTION } from './lib/names';",
        "const dag = new DAG('helped', { description: DESCRIPTION, schedule: null });",
        "new EmptyOperator({ taskId: 't', dag });",
        'export default dag;',
      ].join('\n'),
    );
    const m = manager();
    await m.parseAll();
    expect((await dagRow('helped'))?.description).toBe('v1');
    folder.write('lib/names.ts', "export const DESCRIPTION = 'version two';\n");
    const summary = await m.parseAll();
    expect(summary.changedDagIds).toEqual(['helped']);
    expect((await dagRow('helped'))?.description).toBe('version two');
  });

  it('deleting a file deactivates its DAGs and clears its import error', async () => {
    folder.write('good.ts', folder.goodDag('good_dag'));
    folder.write('throws.ts', BROKEN_FILES['throws.ts']);
    const m = manager();
    await m.parseAll();
    expect(Object.keys(await errors())).toEqual([folder.path('throws.ts')]);

    folder.remove('good.ts');
    folder.remove('throws.ts');
    const summary = await m.parseAll();
    expect(summary).toMatchObject({ filesFound: 0, filesRemoved: 2, deactivatedDagIds: ['good_dag'] });
    expect((await dagRow('good_dag'))?.isActive).toBe(false);
    expect(await errors()).toEqual({});
    expect(await ds.getRepository(DagCodeEntity).count()).toBe(0);

    // Bringing it back reactivates the same row.
    folder.write('good.ts', folder.goodDag('good_dag'));
    await m.parseAll();
    expect((await dagRow('good_dag'))?.isActive).toBe(true);

    // A dags folder that vanished altogether (unmounted?) deactivates nothing.
    fs.rmSync(folder.dags, { recursive: true });
    expect(await m.parseAll()).toMatchObject({ filesFound: 0, filesRemoved: 0 });
    expect((await dagRow('good_dag'))?.isActive).toBe(true);
  });

  it('notices a new and an edited file through the watcher without parseAll', async () => {
    folder.write('good.ts', folder.goodDag('good_dag'));
    const m = manager({ debounceMs: 200 });
    const changes: string[] = [];
    m.onChange((ids) => changes.push(...ids));
    await m.start();
    expect(await dagRow('good_dag')).not.toBeNull();

    folder.write('team/new_one.ts', folder.goodDag('new_dag'));
    const row = await eventually(async () => present(await dagRow('new_dag'), 'new_dag'), {
      what: 'the new DAG to be synced',
    });
    expect(row.fileloc).toBe(folder.path('team/new_one.ts'));
    await eventually(() => changes.includes('new_dag'), { what: 'a change notification' });

    folder.write('team/new_one.ts', 'this is not typescript(\n');
    const reason = await eventually(
      async () => present((await errors())[folder.path('team/new_one.ts')], 'the import error'),
      { what: 'the import error' },
    );
    expect(reason).toMatch(/syntax|parse ?error|unexpected/i);
    expect((await dagRow('new_dag'))?.isActive).toBe(false);
  });

  it('while the watch lasts, rescans check only files events named; all files after the recheck interval', async () => {
    for (const id of ['a', 'b', 'c']) folder.write(`${id}.ts`, folder.goodDag(`${id}_dag`));
    const m = manager({ debounceMs: 50, rescanIntervalMs: 100, recheckIntervalMs: 3_600_000 });
    await m.start();
    expect(m.lastPass).toMatchObject({ filesFound: 3, filesChecked: 3 });
    const quiet = await eventually(
      () => {
        expect(m.lastPass?.filesChecked).toBe(0);
        return m.lastPass;
      },
      { what: 'a rescan' },
    );
    expect(quiet).toMatchObject({ filesFound: 3, filesParsed: 0 });

    const before = await hashOf('b_dag');
    folder.write('b.ts', folder.goodDag('b_dag', 'edited'));
    await eventually(async () => (await hashOf('b_dag')) !== before, { what: 'the edit to be synced' });
    folder.write('d.ts', folder.goodDag('d_dag'));
    await eventually(async () => present(await dagRow('d_dag'), 'd_dag'), { what: 'the new file to be synced' });
    expect(m.parseCount).toBe(5);

    const checksAll = manager({ debounceMs: 50, rescanIntervalMs: 100, recheckIntervalMs: 0 });
    await checksAll.start();
    const firstPass = checksAll.lastPass;
    const rescan = await eventually(
      () => {
        expect(checksAll.lastPass).not.toBe(firstPass);
        return checksAll.lastPass;
      },
      { what: 'a rescan after the first pass' },
    );
    expect(rescan).toMatchObject({ filesFound: 4, filesChecked: 4, filesParsed: 0 });
  });

  it('after a failed pass, the next one checks every file, so the change the events named is not lost', async () => {
    folder.write('a.ts', folder.goodDag('a_dag'));
    // No periodic rescans: only file-system events start passes here.
    const m = manager({ debounceMs: 50, rescanIntervalMs: 3_600_000, recheckIntervalMs: 3_600_000 });
    await m.start();
    const before = await hashOf('a_dag');
    await ds.query('ALTER TABLE dag_code RENAME TO dag_code_away');
    const failedAfter = m.lastPass;
    const failedBefore = m.failedPasses;
    folder.write('a.ts', folder.goodDag('a_dag', 'edited while the DB fails'));
    // The pass the edit's event started fails (lastPass stays as it was) and has used up the event.
    await eventually(() => m.failedPasses > failedBefore, { what: "the edit's pass to fail" });
    expect(m.lastPass).toBe(failedAfter);
    await ds.query('ALTER TABLE dag_code_away RENAME TO dag_code');
    // An event about another file starts the next pass: it must look at a.ts too.
    folder.write('b.ts', folder.goodDag('b_dag'));
    await eventually(async () => (await hashOf('a_dag')) !== before, { what: 'the edit to be synced' });
  });

  it('checks every file on each rescan when a symlinked folder escapes the watch', async () => {
    const outside = fs.mkdtempSync(`${folder.root}/outside-`);
    fs.writeFileSync(`${outside}/linked.ts`, folder.goodDag('linked_dag'));
    fs.symlinkSync(outside, folder.path('team'));
    const m = manager({ debounceMs: 50, rescanIntervalMs: 100, recheckIntervalMs: 3_600_000 });
    await m.start();
    const before = await hashOf('linked_dag');
    expect(before).toBeDefined();
    // Written through the real path: no event under the dags folder, only a rescan can see it.
    fs.writeFileSync(`${outside}/linked.ts`, folder.goodDag('linked_dag', 'edited outside'));
    await eventually(async () => (await hashOf('linked_dag')) !== before, { what: 'the edit to be synced' });
    expect(m.lastPass?.filesChecked).toBe(1);
  });

  it('a dag_id defined in a second file is an import error there; the first file keeps it', async () => {
    const first = folder.write('first.ts', folder.goodDag('shared_dag', 'from first'));
    const m = manager();
    await m.parseAll();
    folder.write('second.ts', folder.goodDag('shared_dag', 'from second'));
    const summary = await m.parseAll();
    expect(summary.importErrors).toEqual({
      [folder.path('second.ts')]: `DAG 'shared_dag' is already defined in ${first}`,
    });
    expect(await dagRow('shared_dag')).toMatchObject({ fileloc: first, description: 'from first', isActive: true });
    expect((await getSerializedDag(ds, 'shared_dag'))?.dag.description).toBe('from first');

    // When the first file goes away the second takes over on the same pass.
    folder.remove('first.ts');
    await m.parseAll();
    expect(await dagRow('shared_dag')).toMatchObject({
      fileloc: folder.path('second.ts'),
      description: 'from second',
      isActive: true,
    });
    expect(await errors()).toEqual({});
  });

  it('respects core.dags_are_paused_at_creation and keeps a later unpause', async () => {
    folder.write('good.ts', folder.goodDag('good_dag'));
    const m = manager({}, { DAGCTL__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'true' });
    expect(m.options.pausedAtCreation).toBe(true);
    await m.parseAll();
    expect((await dagRow('good_dag'))?.isPaused).toBe(true);
    await ds.getRepository(DagEntity).update({ dagId: 'good_dag' }, { isPaused: false });
    folder.write('good.ts', folder.goodDag('good_dag', 'changed'));
    await m.parseAll();
    expect(await dagRow('good_dag')).toMatchObject({ isPaused: false, description: 'changed' });
  });

  it('syncs each file as it is parsed: a file importing until its timeout does not hold back the others', async () => {
    folder.write('slow.ts', 'for (;;) { /* busy until the import timeout */ }\n');
    for (const id of ['one_dag', 'two_dag', 'three_dag']) folder.write(`${id}.ts`, folder.goodDag(id));
    const m = manager({ importTimeoutMs: 120_000 });
    let passDone = false;
    const pass = m.parseAll().finally(() => {
      passDone = true;
    });
    for (const id of ['one_dag', 'two_dag', 'three_dag'])
      await eventually(async () => present(await dagRow(id), id), { what: `${id} to be synced`, timeoutMs: 60_000 });
    // Still importing the slow file: the good DAGs did not wait for the end of the pass.
    expect(passDone).toBe(false);
    await m.stop();
    await pass;
  });
});
