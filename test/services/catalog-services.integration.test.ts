import { FakeClock } from '../../src/core/clock';
import { InvalidArgumentError, NotFoundError } from '../../src/core/errors';
import { ImportErrorEntity, SerializedDagEntity, TaskInstanceEntity } from '../../src/db/entities';
import { AlreadyExistsError } from '../../src/services/already-exists-error';
import {
  addConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from '../../src/services/connections';
import { deleteDag } from '../../src/services/delete-dag';
import { initDatabase } from '../../src/services/init-database';
import { listDagRuns } from '../../src/services/list-dag-runs';
import { listDags } from '../../src/services/list-dags';
import { listImportErrors } from '../../src/services/list-import-errors';
import { deletePool, getPool, listPools, setPool } from '../../src/services/pools';
import { setDagPaused } from '../../src/services/set-dag-paused';
import { taskInstanceStates } from '../../src/services/task-instance-states';
import { createUser, deleteUser, listUsers, verifyPassword } from '../../src/services/users';
import {
  deleteVariable,
  exportVariables,
  getVariable,
  importVariables,
  listVariables,
  parseVariableJson,
  setVariable,
} from '../../src/services/variables';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { DATABASE_KINDS } from '../helpers/test-database';
import { makeSerializedDag, seedDag, seedRun, seedTi } from './helpers/seed';

describe.each(DATABASE_KINDS)('catalog services on %s', (kind) => {
  const db = migratedDatabaseForEachTest(kind);
  let ctx: { dataSource: typeof db.dataSource; clock: FakeClock };

  beforeEach(async () => {
    ctx = { dataSource: db.dataSource, clock: new FakeClock('2026-02-01T00:00:00Z') };
  });

  it('variables: set, get, JSON, list, delete, and an export/import round trip', async () => {
    await setVariable(ctx, 'plain', 'hello', 'a greeting');
    await setVariable(ctx, 'obj', { a: [1, 2] });
    expect(await getVariable(ctx, 'plain')).toEqual({ key: 'plain', value: 'hello', description: 'a greeting' });
    expect(parseVariableJson(await getVariable(ctx, 'obj'))).toEqual({ a: [1, 2] });
    await setVariable(ctx, 'plain', 'bye');
    expect((await getVariable(ctx, 'plain')).description).toBe('a greeting');
    expect((await listVariables(ctx)).map((v) => v.key)).toEqual(['obj', 'plain']);

    const exported = await exportVariables(ctx);
    expect(exported).toEqual({ obj: { a: [1, 2] }, plain: 'bye' });
    await deleteVariable(ctx, 'plain');
    await expect(getVariable(ctx, 'plain')).rejects.toThrow(new NotFoundError("variable 'plain' not found"));
    await expect(deleteVariable(ctx, 'plain')).rejects.toBeInstanceOf(NotFoundError);
    expect(await importVariables(ctx, { ...exported, n: 3 })).toEqual({ created: 2, updated: 1 });
    expect(await exportVariables(ctx)).toEqual({ n: 3, obj: { a: [1, 2] }, plain: 'bye' });
    await expect(importVariables(ctx, [1, 2])).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('connections: add from parts, URI form, list without passwords, update, delete', async () => {
    await addConnection(ctx, {
      connId: 'warehouse',
      connType: 'postgres',
      host: 'db.local',
      login: 'etl',
      password: 'p@ss/word',
      schema: 'dw',
      port: 5432,
      extra: '{"sslmode":"require"}',
    });
    const conn = await getConnection(ctx, 'warehouse');
    expect(conn.uri).toBe('postgres://etl:p%40ss%2Fword@db.local:5432/dw?sslmode=require');
    expect(conn.password).toBe('p@ss/word');
    await expect(addConnection(ctx, { connId: 'warehouse', connType: 'http' })).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    await expect(addConnection(ctx, { connId: 'bad', connType: 'http', extra: '{nope' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const listed = await listConnections(ctx);
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('password');
    expect(JSON.stringify(listed)).not.toContain('p@ss');
    expect((await updateConnection(ctx, 'warehouse', { port: 6543 })).port).toBe(6543);
    await deleteConnection(ctx, 'warehouse');
    await expect(getConnection(ctx, 'warehouse')).rejects.toThrow("connection 'warehouse' not found");
  });

  it('pools: default_pool exists and cannot be deleted; set, usage, delete', async () => {
    expect((await getPool(ctx, 'default_pool')).slots).toBe(128);
    await setPool(ctx, { name: 'gpu', slots: 2, description: 'GPUs' });
    await seedTi(db.dataSource, 'd', 'r', 't1', 'running');
    await seedTi(db.dataSource, 'd', 'r', 't2', 'queued');
    await db.dataSource.getRepository(TaskInstanceEntity).update({ dagId: 'd' }, { pool: 'gpu' });
    expect(await getPool(ctx, 'gpu')).toMatchObject({
      slots: 2,
      runningSlots: 1,
      queuedSlots: 1,
      occupiedSlots: 2,
      openSlots: 0,
      description: 'GPUs',
    });
    await setPool(ctx, { name: 'gpu', slots: 4 });
    expect((await listPools(ctx)).map((p) => [p.name, p.slots, p.description])).toEqual([
      ['default_pool', 128, 'Default pool'],
      ['gpu', 4, 'GPUs'],
    ]);
    await expect(deletePool(ctx, 'default_pool')).rejects.toThrow('default_pool cannot be deleted');
    await expect(setPool(ctx, { name: 'x', slots: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await deletePool(ctx, 'gpu');
    await expect(deletePool(ctx, 'gpu')).rejects.toBeInstanceOf(NotFoundError);
    // initdb recreates default_pool if it went missing, and is idempotent.
    expect(await initDatabase(db.dataSource)).toEqual({ applied: [], defaultPoolCreated: false });
  });

  it('users: bcrypt hashes, roles, verifyPassword, list, delete', async () => {
    const user = await createUser(ctx, { username: 'ada', password: 's3cret', role: 'op' });
    expect(user).toMatchObject({ username: 'ada', role: 'op', lastLogin: null });
    await expect(createUser(ctx, { username: 'ada', password: 'x', role: 'op' })).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    await expect(createUser(ctx, { username: 'bob', password: 'x', role: 'root' })).rejects.toThrow(
      "invalid role 'root': expected admin, op, viewer",
    );
    expect(await verifyPassword(ctx, 'ada', 'wrong')).toBeNull();
    expect(await verifyPassword(ctx, 'nobody', 's3cret')).toBeNull();
    const verified = await verifyPassword(ctx, 'ada', 's3cret');
    expect(verified?.lastLogin?.toISOString()).toBe('2026-02-01T00:00:00.000Z');
    const stored = await db.dataSource.query('SELECT password_hash FROM dagctl_user');
    expect(stored[0].password_hash).toMatch(/^\$2[aby]\$10\$/);
    expect((await listUsers(ctx)).map((u) => u.username)).toEqual(['ada']);
    await deleteUser(ctx, 'ada');
    await expect(deleteUser(ctx, 'ada')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('DAGs: list, pause/unpause, runs, task instance states, import errors, delete', async () => {
    await seedDag(db.dataSource, makeSerializedDag('b_dag', ['second', 'first'], ['first>second']));
    await seedDag(db.dataSource, makeSerializedDag('a_dag', ['only']), { paused: true });
    await seedDag(db.dataSource, makeSerializedDag('gone', ['x']), { active: false });
    await db.dataSource
      .getRepository(ImportErrorEntity)
      .insert({ filename: '/dags/bad.ts', stacktrace: 'SyntaxError: boom', timestamp: new Date() });
    expect((await listDags(ctx)).dags.map((d) => d.dagId)).toEqual(['a_dag', 'b_dag']);
    expect((await listDags(ctx, { paused: false })).dags.map((d) => d.dagId)).toEqual(['b_dag']);
    expect(await listDags(ctx, { onlyActive: false, limit: 1, offset: 2 })).toMatchObject({
      totalEntries: 3,
      dags: [{ dagId: 'gone' }],
    });

    expect(await setDagPaused(ctx, 'b_dag', true)).toEqual({
      dagId: 'b_dag',
      isPaused: true,
      isDraining: false,
      changed: true,
    });
    expect(await setDagPaused(ctx, 'b_dag', true)).toEqual({
      dagId: 'b_dag',
      isPaused: true,
      isDraining: false,
      changed: false,
    });
    await expect(setDagPaused(ctx, 'nope', true)).rejects.toThrow("DAG 'nope' not found");

    await seedRun(db.dataSource, 'b_dag', 'r1', '2026-01-01T00:00:00Z', 'success');
    await seedRun(db.dataSource, 'b_dag', 'r2', '2026-01-02T00:00:00Z', 'failed');
    await seedTi(db.dataSource, 'b_dag', 'r1', 'second', 'success');
    await seedTi(db.dataSource, 'b_dag', 'r1', 'first', 'success');
    const runs = await listDagRuns(ctx, { dagId: 'b_dag' });
    expect(runs.runs.map((r) => r.runId)).toEqual(['r2', 'r1']);
    expect((await listDagRuns(ctx, { dagId: 'b_dag', states: ['success'] })).runs.map((r) => r.runId)).toEqual(['r1']);
    await expect(listDagRuns(ctx, { dagId: 'nope' })).rejects.toThrow("DAG 'nope' not found");
    // In the DAG's task order.
    expect((await taskInstanceStates(ctx, 'b_dag', 'r1')).map((ti) => ti.taskId)).toEqual(['second', 'first']);
    await expect(taskInstanceStates(ctx, 'b_dag', 'r9')).rejects.toThrow("DAG run 'r9' of DAG 'b_dag' not found");
    expect(await listImportErrors(ctx)).toEqual([
      expect.objectContaining({ filename: '/dags/bad.ts', error: 'SyntaxError: boom' }),
    ]);

    const deleted = await deleteDag(ctx, 'b_dag');
    expect(deleted.rowsDeleted).toBe(6); // 2 TIs, 2 runs, serialized DAG, dag row
    expect(await db.dataSource.getRepository(SerializedDagEntity).countBy({ dagId: 'b_dag' })).toBe(0);
    await expect(deleteDag(ctx, 'b_dag')).rejects.toBeInstanceOf(NotFoundError);
  });
});
