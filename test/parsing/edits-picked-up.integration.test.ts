import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { AppContext } from '../../src/app/app-context';
import { loadConfig } from '../../src/config/load-config';
import { systemClock } from '../../src/core/clock';
import { DagEntity } from '../../src/db/entities';
import { DagProcessorManager } from '../../src/parsing/dag-processor-manager';
import { deleteDag } from '../../src/services/delete-dag';
import { eventually } from '../helpers/eventually';
import { openMigratedTestDatabase } from '../helpers/test-database';
import { DagFolder } from './dag-folder-fixture';

jest.setTimeout(180_000);

// Regression (issue 11): after `sed -i` or an editor's atomic save, later edits went unnoticed until
// the 5-minute recheck, and a DAG deleted through the API stayed away while its file was unchanged.
describe('a running DAG processor sees every edit, however the file was written', () => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let folder: DagFolder;
  let manager: DagProcessorManager;

  const description = async (dagId: string) =>
    (await ds.getRepository(DagEntity).findOneBy({ dagId, isActive: true }))?.description;
  /** A version of the DAG file; versions of one length keep the file's size the same. */
  const version = (dagId: string, v: string) => folder.goodDag(dagId, `version ${v}`);
  // Only the watch and the stat sweep can see these edits: rescans and rechecks are an hour away.
  const seen = (dagId: string, v: string, fileloc?: string) =>
    eventually(
      async () => {
        const row = await ds.getRepository(DagEntity).findOneBy({ dagId, isActive: true });
        expect(row?.description).toBe(`version ${v}`);
        if (fileloc) expect(row?.fileloc).toBe(fileloc);
        return true;
      },
      { what: `${dagId} at version ${v}`, timeoutMs: 8000 },
    );

  beforeEach(async () => {
    ({ dataSource: ds, close } = await openMigratedTestDatabase('sqlite'));
    folder = new DagFolder();
    const config = loadConfig({ DAGCTL_HOME: folder.root }, folder.root);
    const ctx: AppContext = { config, dataSource: ds, clock: systemClock };
    manager = new DagProcessorManager(ctx, {
      parsingProcesses: 1,
      importTimeoutMs: 30_000,
      rescanIntervalMs: 3_600_000,
      recheckIntervalMs: 3_600_000,
    });
  });
  afterEach(async () => {
    await manager.stop();
    await close();
    folder.cleanup();
  });

  it('in place, sed -i, rename over, same size and mtime, re-created, git checkout, folder renamed', async () => {
    const file = folder.write('edited.ts', version('edited_dag', '01'));
    folder.write('team/inner.ts', version('inner_dag', '01'));
    await manager.start();
    expect(await description('edited_dag')).toBe('version 01');

    fs.writeFileSync(file, version('edited_dag', '02'));
    await seen('edited_dag', '02');

    // sed -i writes a new file and renames it over: the first watch of the path goes blind.
    execFileSync('sed', ['-i', 's/version 02/version 03/', file]);
    await seen('edited_dag', '03');
    execFileSync('sed', ['-i', 's/version 03/version 04/', file]);
    await seen('edited_dag', '04');
    fs.writeFileSync(file, version('edited_dag', '05'));
    await seen('edited_dag', '05');

    // An editor's atomic save: written elsewhere, an old mtime kept, renamed over.
    const staged = path.join(folder.root, 'staged.ts');
    fs.writeFileSync(staged, version('edited_dag', '06'));
    fs.utimesSync(staged, new Date('2020-01-01'), new Date('2020-01-01'));
    fs.renameSync(staged, file);
    await seen('edited_dag', '06');

    // Same size, mtime set back to what it was: only the ctime tells.
    const before = fs.statSync(file);
    fs.writeFileSync(file, version('edited_dag', '07'));
    fs.utimesSync(file, before.atime, before.mtime);
    await seen('edited_dag', '07');

    fs.rmSync(file);
    fs.writeFileSync(file, version('edited_dag', '08'));
    await seen('edited_dag', '08');

    execFileSync('git', ['init', '-q'], { cwd: folder.dags });
    execFileSync('git', ['add', '-A'], { cwd: folder.dags });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'v08'], { cwd: folder.dags });
    fs.writeFileSync(file, version('edited_dag', '09'));
    await seen('edited_dag', '09');
    execFileSync('git', ['checkout', '--', 'edited.ts'], { cwd: folder.dags });
    await seen('edited_dag', '08');

    // A renamed folder: its DAG moves, and later edits below it are still seen.
    fs.renameSync(folder.path('team'), folder.path('crew'));
    await seen('inner_dag', '01', folder.path('crew/inner.ts'));
    fs.writeFileSync(folder.path('crew/inner.ts'), version('inner_dag', '02'));
    await seen('inner_dag', '02');
    execFileSync('sed', ['-i', 's/version 02/version 03/', folder.path('crew/inner.ts')]);
    await seen('inner_dag', '03');
    fs.writeFileSync(folder.path('crew/inner.ts'), version('inner_dag', '04'));
    await seen('inner_dag', '04');
  });

  it('an in-place edit is synced by a pass that checks only that file; a replaced file re-arms the watch', async () => {
    const file = folder.write('edited.ts', version('edited_dag', '01'));
    folder.write('other.ts', version('other_dag', '01'));
    // The watch alone: no stat sweep that could notice the edit first (and re-arm for its own reasons).
    await manager.stop();
    const config = loadConfig({ DAGCTL_HOME: folder.root }, folder.root);
    manager = new DagProcessorManager(
      { config, dataSource: ds, clock: systemClock },
      {
        parsingProcesses: 1,
        rescanIntervalMs: 3_600_000,
        recheckIntervalMs: 3_600_000,
        statSweepIntervalMs: 3_600_000,
      },
    );
    await manager.start();
    const passAfter = async (before: unknown) =>
      eventually(
        () => {
          const pass = manager.lastPass;
          return pass !== before && pass !== null ? pass : false;
        },
        { what: 'the pass after the edit' },
      );

    let before = manager.lastPass;
    fs.writeFileSync(file, version('edited_dag', '02'));
    let pass = await passAfter(before);
    expect(pass.changedDagIds).toEqual(['edited_dag']);
    // Re-arming after every edit made this pass stat every file (and walk the folder again).
    expect(pass.filesChecked).toBe(1);

    before = manager.lastPass;
    execFileSync('sed', ['-i', 's/version 02/version 03/', file]);
    pass = await passAfter(before);
    expect(pass.changedDagIds).toEqual(['edited_dag']);
    expect(pass.filesChecked).toBe(2);
    // The re-armed watch sees an in-place write to the new file.
    fs.writeFileSync(file, version('edited_dag', '04'));
    await seen('edited_dag', '04');
  });

  it('brings back a DAG deleted from the database on the next parse of its unchanged file', async () => {
    folder.write('kept.ts', version('kept_dag', '01'));
    await manager.start();
    await deleteDag({ dataSource: ds, clock: systemClock }, 'kept_dag');
    expect(await description('kept_dag')).toBeUndefined();

    const pass = await manager.parseAll();
    expect(pass.changedDagIds).toEqual(['kept_dag']);
    expect(await description('kept_dag')).toBe('version 01');
  });

  it('brings back a DAG deleted while no processor ran, beside another DAG of the same file', async () => {
    const twoDags = [
      "import { DAG, EmptyOperator } from 'dagctl';",
      "const a = new DAG('pair_a', { schedule: null, startDate: '2026-01-01T00:00:00Z' });",
      "new EmptyOperator({ taskId: 'x', dag: a });",
      "const b = new DAG('pair_b', { schedule: null, startDate: '2026-01-01T00:00:00Z' });",
      "new EmptyOperator({ taskId: 'x', dag: b });",
      'export { a, b };',
      '',
    ].join('\n');
    folder.write('pair.ts', twoDags);
    expect((await manager.parseAll()).changedDagIds).toEqual(['pair_a', 'pair_b']);
    await manager.stop();
    await deleteDag({ dataSource: ds, clock: systemClock }, 'pair_a');

    const config = loadConfig({ DAGCTL_HOME: folder.root }, folder.root);
    manager = new DagProcessorManager({ config, dataSource: ds, clock: systemClock }, { parsingProcesses: 1 });
    expect((await manager.parseAll()).changedDagIds).toEqual(['pair_a']);
    expect(await ds.getRepository(DagEntity).countBy({ isActive: true })).toBe(2);
  });
});
