import { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source';
import { DagCodeEntity, DagEntity, ImportErrorEntity, SerializedDagEntity } from '../../src/db/entities';
import { contentHash } from '../../src/core/content-hash';
import { findMissingFiles, removeMissingFile } from '../../src/parsing/remove-missing-files';
import {
  clearSerializedDagCache,
  getSerializedDag,
  listActiveSerializedDags,
} from '../../src/db/reads/serialized-dag-store';
import { storedForm, syncParsedFile } from '../../src/parsing/sync-parsed-file';
import { DATABASE_KINDS, openMigratedTestDatabase } from '../helpers/test-database';
import { makeSerializedDag, parsed } from './serialized-dag-fixture';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const opts = { pausedAtCreation: false, defaultsHash: 'defaults-v1', now: NOW };

describe.each(DATABASE_KINDS)('syncParsedFile on %s', (kind) => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let url: string;
  beforeEach(async () => {
    const opened = await openMigratedTestDatabase(kind);
    ({ dataSource: ds, close } = opened);
    url = opened.db.url;
    clearSerializedDagCache();
  });
  afterEach(async () => close());

  const dagRow = (dagId: string) => ds.getRepository(DagEntity).findOneByOrFail({ dagId });

  it('creates dag, serialized_dag and dag_code rows for a new file', async () => {
    const dag = makeSerializedDag('alpha', { tags: ['a', 'b'], owner: 'team', maxActiveRuns: 3, maxActiveTasks: 7 });
    const outcome = await syncParsedFile(ds, parsed('/dags/a.ts', [dag]), opts);
    expect(outcome).toMatchObject({
      activeDagIds: ['alpha'],
      changedDagIds: ['alpha'],
      deactivatedDagIds: [],
      importError: null,
      duplicateConflict: false,
    });

    const row = await dagRow('alpha');
    expect(row).toMatchObject({
      isPaused: false,
      isActive: true,
      fileloc: '/dags/a.ts',
      description: 'the alpha DAG',
      schedule: '0 12 * * *',
      tags: ['a', 'b'],
      owners: 'team',
      maxActiveRuns: 3,
      maxActiveTasks: 7,
    });
    expect(row.lastParsedTime?.toISOString()).toBe(NOW.toISOString());

    const stored = await ds.getRepository(SerializedDagEntity).findOneByOrFail({ dagId: 'alpha' });
    const expected = storedForm({ ...dag, fileloc: '/dags/a.ts' });
    expect(stored.dagHash).toBe(expected.dagHash);
    expect(stored.dagHash).toBe(contentHash(stored.data));
    expect(JSON.parse(stored.data).fileloc).toBe('/dags/a.ts');
    const code = await ds.getRepository(DagCodeEntity).findOneByOrFail({ fileloc: '/dags/a.ts' });
    expect(code.sourceCode).toContain('alpha');
  });

  it('writes serialized_dag only when the hash changes, and keeps is_paused', async () => {
    await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('alpha')]), opts);
    await ds.getRepository(DagEntity).update({ dagId: 'alpha' }, { isPaused: true });
    const first = (await ds.getRepository(SerializedDagEntity).findOneByOrFail({ dagId: 'alpha' })).dagHash;

    const later = new Date('2026-03-01T11:00:00.000Z');
    const same = await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('alpha')]), { ...opts, now: later });
    expect(same.changedDagIds).toEqual([]);
    const untouched = await ds.getRepository(SerializedDagEntity).findOneByOrFail({ dagId: 'alpha' });
    expect(untouched.lastUpdated?.toISOString()).toBe(NOW.toISOString());
    expect((await dagRow('alpha')).lastParsedTime?.toISOString()).toBe(later.toISOString());

    const edited = await syncParsedFile(
      ds,
      parsed('/dags/a.ts', [makeSerializedDag('alpha', { description: 'new words' })]),
      opts,
    );
    expect(edited.changedDagIds).toEqual(['alpha']);
    const row = await dagRow('alpha');
    expect(row.isPaused).toBe(true);
    expect(row.description).toBe('new words');
    expect((await ds.getRepository(SerializedDagEntity).findOneByOrFail({ dagId: 'alpha' })).dagHash).not.toBe(first);
    expect(await ds.getRepository(SerializedDagEntity).count()).toBe(1);
  });

  it('pauses new DAGs when configured to', async () => {
    await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('alpha')]), { ...opts, pausedAtCreation: true });
    expect((await dagRow('alpha')).isPaused).toBe(true);
  });

  it('records an import error, deactivates DAGs the file no longer defines, clears the error once fixed', async () => {
    await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('alpha'), makeSerializedDag('beta')]), opts);
    const dropped = await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('alpha')]), opts);
    expect(dropped.deactivatedDagIds).toEqual(['beta']);
    expect((await dagRow('beta')).isActive).toBe(false);

    const broken = await syncParsedFile(
      ds,
      parsed('/dags/a.ts', [], { error: 'a.ts: SyntaxError: Unexpected token (3:4)' }),
      opts,
    );
    expect(broken.importError).toBe('a.ts: SyntaxError: Unexpected token (3:4)');
    expect(broken.deactivatedDagIds).toEqual(['alpha']);
    expect(await ds.getRepository(ImportErrorEntity).findOneByOrFail({ filename: '/dags/a.ts' })).toMatchObject({
      stacktrace: 'a.ts: SyntaxError: Unexpected token (3:4)',
    });
    expect(await ds.getRepository(DagCodeEntity).countBy({ fileloc: '/dags/a.ts' })).toBe(0);
    // Recording the same error again neither fails nor duplicates.
    await syncParsedFile(ds, parsed('/dags/a.ts', [], { error: 'still broken' }), opts);
    expect(await ds.getRepository(ImportErrorEntity).count()).toBe(1);

    const fixed = await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('alpha')]), opts);
    expect(fixed.importError).toBeNull();
    expect(await ds.getRepository(ImportErrorEntity).count()).toBe(0);
    expect((await dagRow('alpha')).isActive).toBe(true);
  });

  it('refuses a dag_id already defined in another file; the first file keeps it', async () => {
    await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('shared')]), opts);
    const second = await syncParsedFile(
      ds,
      parsed('/dags/b.ts', [makeSerializedDag('shared', { description: 'impostor' }), makeSerializedDag('own')]),
      opts,
    );
    expect(second.duplicateConflict).toBe(true);
    expect(second.activeDagIds).toEqual(['own']);
    expect(second.importError).toBe("DAG 'shared' is already defined in /dags/a.ts");
    const row = await dagRow('shared');
    expect(row.fileloc).toBe('/dags/a.ts');
    expect(row.description).toBe('the shared DAG');
    expect(
      JSON.parse((await ds.getRepository(SerializedDagEntity).findOneByOrFail({ dagId: 'shared' })).data).description,
    ).toBe('the shared DAG');

    // Once the first file stops defining it, the second file can take it over.
    await syncParsedFile(ds, parsed('/dags/a.ts', []), opts);
    const retaken = await syncParsedFile(
      ds,
      parsed('/dags/b.ts', [makeSerializedDag('shared', { description: 'impostor' }), makeSerializedDag('own')]),
      opts,
    );
    expect(retaken.importError).toBeNull();
    expect((await dagRow('shared')).fileloc).toBe('/dags/b.ts');
  });

  it('two processors syncing the same new file at once create each row once', async () => {
    const dags = [makeSerializedDag('alpha'), makeSerializedDag('beta')];
    const other = await openDatabase(url);
    try {
      const syncs = [
        () => syncParsedFile(ds, parsed('/dags/a.ts', dags), opts),
        () => syncParsedFile(other, parsed('/dags/a.ts', dags), opts),
      ];
      // better-sqlite3 is synchronous: two connections in ONE process would wait on each other's
      // lock inside one thread, so on SQLite the second processor runs right after the first.
      const outcomes =
        kind === 'postgres' ? await Promise.all(syncs.map((s) => s())) : [await syncs[0](), await syncs[1]()];
      expect(outcomes.map((o) => o.importError)).toEqual([null, null]);
    } finally {
      await other.destroy();
    }
    expect(await ds.getRepository(DagEntity).count()).toBe(2);
    expect(await ds.getRepository(SerializedDagEntity).count()).toBe(2);
    expect(await ds.getRepository(DagCodeEntity).count()).toBe(1);
  });

  it('forgets deleted files', async () => {
    await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('alpha')]), opts);
    await syncParsedFile(ds, parsed('/dags/bad.ts', [], { error: 'boom' }), opts);
    await syncParsedFile(ds, parsed('/dags/keep.ts', [makeSerializedDag('kept')]), opts);
    const missing = await findMissingFiles(ds, new Set(['/dags/keep.ts']));
    expect(missing).toEqual(['/dags/a.ts', '/dags/bad.ts']);
    for (const file of missing) await removeMissingFile(ds, file, NOW);
    expect((await dagRow('alpha')).isActive).toBe(false);
    expect((await dagRow('kept')).isActive).toBe(true);
    expect(await ds.getRepository(ImportErrorEntity).count()).toBe(0);
    expect(await findMissingFiles(ds, new Set(['/dags/keep.ts']))).toEqual([]);
  });

  it('serves serialized DAGs from a cache that follows dag_hash', async () => {
    await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('alpha'), makeSerializedDag('beta')]), opts);
    await syncParsedFile(ds, parsed('/dags/c.ts', [makeSerializedDag('gamma')]), opts);
    const first = await getSerializedDag(ds, 'alpha');
    expect(first?.dag.dagId).toBe('alpha');
    expect(await getSerializedDag(ds, 'missing')).toBeNull();
    expect((await getSerializedDag(ds, 'alpha'))?.dag).toBe(first?.dag); // same object: cache hit

    await syncParsedFile(ds, parsed('/dags/a.ts', [makeSerializedDag('alpha', { description: 'v2' })]), opts);
    const second = await getSerializedDag(ds, 'alpha');
    expect(second?.hash).not.toBe(first?.hash);
    expect(second?.dag.description).toBe('v2');

    const active = await listActiveSerializedDags(ds);
    expect(active.map((a) => a.dag.dagId)).toEqual(['alpha', 'gamma']); // beta was deactivated
    expect(active[0].dag).toBe(second?.dag);
  });
});
