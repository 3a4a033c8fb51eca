import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compilerOptionsOf, findStateWrites, typeScriptFilesUnder, type StateWrite } from './find-state-writes';
import { REPO } from './run-cruise';

/** The one place allowed to write a task instance's or DAG run's state. */
const TRANSITIONS = 'src/db/transitions/';
const inTransitions = (file: string): boolean => file.startsWith(TRANSITIONS);
const describeWrite = (w: StateWrite): string => `${w.file}:${w.line} ${w.what}`;

/**
 * One home per state change (docs/ARCHITECTURE.md, State changes): every write of a task
 * instance's or DAG run's state is a named guarded transition in src/db/transitions.
 */
describe('architecture: state writes', () => {
  const compilerOptions = compilerOptionsOf(path.join(REPO, 'tsconfig.json'));

  it('src/ writes task instance and DAG run state only in src/db/transitions', () => {
    const writes = findStateWrites({
      root: REPO,
      files: typeScriptFilesUnder(path.join(REPO, 'src')),
      allowed: inTransitions,
      compilerOptions,
    });
    expect(writes.map(describeWrite)).toEqual([]);
  });

  it('sees the writes src/db/transitions makes (the scan is not blind to the real code)', () => {
    const writes = findStateWrites({
      root: REPO,
      files: typeScriptFilesUnder(path.join(REPO, TRANSITIONS)),
      allowed: () => false,
      compilerOptions,
    });
    const whats = new Set(writes.map((w) => w.what));
    expect([...whats].sort()).toEqual(
      expect.arrayContaining([
        'SQL INSERT INTO dag_run',
        'SQL INSERT INTO task_instance',
        'SQL UPDATE dag_run SET state',
        'SQL UPDATE task_instance SET state',
        'TypeORM DagRunEntity update set state',
        'TypeORM TaskInstanceEntity update set state',
      ]),
    );
  });

  describe('the check itself (a planted violation fails it)', () => {
    let root: string;
    const write = (file: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    const entities = `
      export class TaskInstanceEntity { id!: number; state!: string | null; note!: string | null; }
      export class DagRunEntity { id!: number; state!: string; note!: string | null; }
    `;
    // The same writes, planted in a service (each must be found) and in src/db/transitions (allowed).
    const writes = `
      import type { DataSource, EntityManager } from 'typeorm';
      import { DagRunEntity, TaskInstanceEntity } from ENTITIES;
      declare function execSql(db: DataSource, sql: string, params?: unknown[]): Promise<unknown>;

      export async function writes(ds: DataSource, m: EntityManager, to: string): Promise<void> {
        await execSql(ds, "UPDATE task_instance SET state = 'running' WHERE id = ?", [1]);
        await execSql(ds, \`UPDATE dag_run r SET note = ?, state = \${'?'} WHERE r.id = ?\`, [to, 1]);
        await execSql(ds, 'INSERT INTO task_instance (dag_id, run_id, task_id) VALUES (?, ?, ?)', []);
        await ds.createQueryBuilder().update(TaskInstanceEntity).set({ state: null }).where('id = 1').execute();
        await ds.createQueryBuilder().insert().into(DagRunEntity).values({ state: 'queued' }).execute();
        const runs = ds.getRepository(DagRunEntity);
        const fields = { state: to };
        await runs.update({ id: 1 }, fields);
        await runs.save({ id: 1, state: 'failed', note: null });
        await m.update(TaskInstanceEntity, { id: 1 }, { state: 'success' });
      }

      export async function notStateWrites(ds: DataSource): Promise<void> {
        await execSql(ds, 'UPDATE task_instance SET note = ? WHERE state = ?', ['x', 'failed']);
        await execSql(ds, "UPDATE job SET state = 'failed' WHERE id = ?", [1]);
        await ds.getRepository(TaskInstanceEntity).update({ id: 1 }, { note: 'x' });
        await ds.createQueryBuilder().update(DagRunEntity).set({ note: 'x' }).where('id = 1').execute();
      }
    `;

    beforeAll(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-state-writes-'));
      write('src/db/entities.ts', entities);
      write('src/services/planted.ts', writes.replace('ENTITIES', "'../db/entities'"));
      write('src/db/transitions/planted.ts', writes.replace('ENTITIES', "'../entities'"));
    });

    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    it('reports every planted write outside src/db/transitions, and nothing else', () => {
      const found = findStateWrites({
        root,
        files: typeScriptFilesUnder(path.join(root, 'src')),
        allowed: inTransitions,
        // The fixture lives outside the repository: resolve typeorm from the repository's node_modules.
        compilerOptions: {
          ...compilerOptions,
          baseUrl: root,
          paths: { typeorm: [path.join(REPO, 'node_modules', 'typeorm')] },
          typeRoots: [path.join(REPO, 'node_modules', '@types')],
        },
      });
      expect(found.map(describeWrite)).toEqual([
        'src/services/planted.ts:7 SQL UPDATE task_instance SET state',
        'src/services/planted.ts:8 SQL UPDATE dag_run SET state',
        'src/services/planted.ts:9 SQL INSERT INTO task_instance',
        'src/services/planted.ts:10 TypeORM TaskInstanceEntity update set state',
        'src/services/planted.ts:11 TypeORM DagRunEntity insert',
        'src/services/planted.ts:14 TypeORM DagRunEntity update state',
        'src/services/planted.ts:15 TypeORM DagRunEntity save',
        'src/services/planted.ts:16 TypeORM TaskInstanceEntity update state',
      ]);
    });
  });
});
