import type { DataSource } from 'typeorm';
import { chunk, execSql } from '../../src/db/sql';
import { DagViewCache } from '../../src/scheduler/dag-view-cache';
import { MissingPoolWarner } from '../../src/scheduler/missing-pool-warner';
import { MAX_READS_PER_PASS } from '../../src/scheduler/queue-candidate-reads';
import { queueReadyTasks } from '../../src/scheduler/queue-ready-tasks';
import { readPools } from '../../src/scheduler/slot-usage';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';
import { DATABASE_KINDS } from '../helpers/test-database';

const at0 = new Date('2026-01-01T00:00:00.000Z');

interface Tis {
  state: 'scheduled' | 'running' | 'success';
  count: number;
  priority?: number;
  pool?: string;
  held?: boolean;
}

/** A DAG with one run holding the given task instances, named `<state>-<pool>-<i>`. */
async function dagWithRun(
  ds: DataSource,
  dagId: string,
  groups: Tis[],
  options: { maxActiveTasks?: number; paused?: boolean; draining?: boolean; runType?: string } = {},
): Promise<void> {
  const taskIds = groups.flatMap((g) =>
    Array.from({ length: g.count }, (_, i) => `${g.state}-${g.pool ?? 'default_pool'}-${i}`),
  );
  await seedDag(
    ds,
    makeDag(
      dagId,
      taskIds.map((t) => makeTask(t)),
      { maxActiveTasks: options.maxActiveTasks ?? 16 },
    ),
    { paused: options.paused ?? false },
  );
  if (options.draining) await execSql(ds, 'UPDATE dag SET is_draining = ? WHERE dag_id = ?', [true, dagId]);
  await execSql(
    ds,
    `INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at)
     VALUES (?, 'r', ?, 'running', ?, ?, ?)`,
    [dagId, at0.toISOString(), options.runType ?? 'manual', false, at0.toISOString()],
  );
  for (const g of groups) {
    for (let i = 0; i < g.count; i += 1) {
      await execSql(
        ds,
        `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool,
           pool_slots, queue, priority_weight, updated_at, state, held)
         VALUES (?, 'r', ?, -1, ?, 1, 'FunctionOperator', ?, 1, 'default', ?, ?, ?, ?)`,
        [
          dagId,
          `${g.state}-${g.pool ?? 'default_pool'}-${i}`,
          g.state === 'scheduled' ? 0 : 1,
          g.pool ?? 'default_pool',
          g.priority ?? 1,
          at0.toISOString(),
          g.state,
          g.held ?? false,
        ],
      );
    }
  }
}

/**
 * One queueing pass with 32 executor slots (core.parallelism 32 unless given), as the scheduler loop makes
 * it; the queued keys. Passes
 * of one loop share its missing-pool warner.
 */
async function queueOnce(
  ds: DataSource,
  onlyRun?: { dagId: string; runId: string },
  missingPools = new MissingPoolWarner(),
  parallelism = 32,
): Promise<string[]> {
  const views = new DagViewCache(ds, 1024);
  const workloads = await ds.transaction(async (m) =>
    queueReadyTasks(
      m,
      views,
      32,
      await readPools(m),
      { parallelism, maxTisPerQuery: 512, jobId: null, onlyRun, missingPools },
      at0,
    ),
  );
  return workloads.map((w) => `${w.key.dagId}/${w.key.taskId}`).sort();
}

/**
 * Task instances of one task in DAG `dagId`'s run 'r' (made by dagWithRun or seeded here), one per
 * map index from `firstMapIndex`: many waiting instances of ONE task (a mapped task's expansion).
 */
async function instancesOfOneTask(
  ds: DataSource,
  dagId: string,
  taskId: string,
  ti: {
    state: 'scheduled' | 'running';
    count: number;
    firstMapIndex?: number;
    priority?: number;
    pool?: string;
    poolSlots?: number;
  },
): Promise<void> {
  for (let i = 0; i < ti.count; i += 1) {
    await execSql(
      ds,
      `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool,
         pool_slots, queue, priority_weight, updated_at, state, held)
       VALUES (?, 'r', ?, ?, ?, 1, 'FunctionOperator', ?, ?, 'default', ?, ?, ?, ?)`,
      [
        dagId,
        taskId,
        (ti.firstMapIndex ?? 0) + i,
        ti.state === 'scheduled' ? 0 : 1,
        ti.pool ?? 'default_pool',
        ti.poolSlots ?? 1,
        ti.priority ?? 1,
        at0.toISOString(),
        ti.state,
        false,
      ],
    );
  }
}

/** DAG `dagId` of one task `taskId` with the given options, with a running run 'r' and no task instance yet. */
async function dagOfOneTask(
  ds: DataSource,
  dagId: string,
  taskId: string,
  task: Parameters<typeof makeTask>[2] = {},
  dag: Parameters<typeof makeDag>[2] = {},
): Promise<void> {
  await seedDag(ds, makeDag(dagId, [makeTask(taskId, [], task)], dag));
  await execSql(
    ds,
    `INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at)
     VALUES (?, 'r', ?, 'running', 'manual', ?, ?)`,
    [dagId, at0.toISOString(), false, at0.toISOString()],
  );
}

/** DAG 'a' with max_active_tasks 2: two tries running, three task instances waiting. */
function dagAtItsLimit(ds: DataSource): Promise<void> {
  return dagWithRun(
    ds,
    'a',
    [
      { state: 'running', count: 2 },
      { state: 'scheduled', count: 3 },
    ],
    { maxActiveTasks: 2 },
  );
}

describe.each(DATABASE_KINDS)('queueing within DAG and pool limits (%s)', (kind) => {
  const db = migratedDatabaseForEachTest(kind);

  it('queues nothing of a DAG at its max_active_tasks, and its tasks once room frees up', async () => {
    const ds = db.dataSource;
    await dagAtItsLimit(ds);
    expect(await queueOnce(ds)).toEqual([]);
    await execSql(ds, `UPDATE task_instance SET state = 'success' WHERE task_id = 'running-default_pool-0'`);
    expect(await queueOnce(ds)).toHaveLength(1);
    expect(await queueOnce(ds)).toEqual([]);
  });

  it('queues the tasks of a DAG below its limit while another DAG is at its own', async () => {
    const ds = db.dataSource;
    await dagWithRun(
      ds,
      'a',
      [
        { state: 'running', count: 2 },
        { state: 'scheduled', count: 3, priority: 10 },
      ],
      { maxActiveTasks: 2 },
    );
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 3 }]);
    expect(await queueOnce(ds)).toEqual([
      'b/scheduled-default_pool-0',
      'b/scheduled-default_pool-1',
      'b/scheduled-default_pool-2',
    ]);
  });

  it('fills what a DAG limit refuses with lower-priority tasks of other DAGs in the same pass', async () => {
    const ds = db.dataSource;
    await dagWithRun(ds, 'a', [{ state: 'scheduled', count: 20, priority: 10 }], { maxActiveTasks: 2 });
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 3 }]);
    const queued = await queueOnce(ds);
    expect(queued.filter((k) => k.startsWith('a/'))).toHaveLength(2);
    expect(queued.filter((k) => k.startsWith('b/'))).toHaveLength(3);
  });

  it("does not let a DAG without a serialized version crowd out other DAGs' tasks", async () => {
    const ds = db.dataSource;
    // More waiting tasks than a pass reads, above the others' priority, of a DAG the queuer must refuse.
    await dagWithRun(ds, 'unparsed', [{ state: 'scheduled', count: 200, priority: 10 }]);
    await execSql(ds, `DELETE FROM serialized_dag WHERE dag_id = 'unparsed'`);
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 3 }]);
    expect(await queueOnce(ds)).toEqual([
      'b/scheduled-default_pool-0',
      'b/scheduled-default_pool-1',
      'b/scheduled-default_pool-2',
    ]);
  });

  it('fills what a full pool refuses with lower-priority tasks of other pools in the same pass', async () => {
    const ds = db.dataSource;
    await execSql(ds, `INSERT INTO slot_pool (pool, slots, description) VALUES ('small', 1, '')`);
    await dagWithRun(ds, 'a', [
      { state: 'scheduled', count: 20, priority: 10, pool: 'small' },
      { state: 'scheduled', count: 3, priority: 1 },
    ]);
    const queued = await queueOnce(ds);
    expect(queued.filter((k) => k.includes('-small-'))).toHaveLength(1);
    expect(queued.filter((k) => k.includes('-default_pool-'))).toHaveLength(3);
  });

  // More waiting instances than a pass reads (4 × its 32 slots), above the others' priority, all refused.
  it("does not let a task at its max_active_tis_per_dag crowd out other DAGs' tasks", async () => {
    const ds = db.dataSource;
    await dagOfOneTask(ds, 'a', 'limited', { maxActiveTisPerDag: 1 });
    await instancesOfOneTask(ds, 'a', 'limited', { state: 'running', count: 1 });
    await instancesOfOneTask(ds, 'a', 'limited', { state: 'scheduled', count: 200, firstMapIndex: 1, priority: 10 });
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 3 }]);
    expect(await queueOnce(ds)).toEqual([
      'b/scheduled-default_pool-0',
      'b/scheduled-default_pool-1',
      'b/scheduled-default_pool-2',
    ]);
  });

  it("does not let tasks needing more pool slots than are open crowd out other pools' tasks", async () => {
    const ds = db.dataSource;
    // One of the pool's two slots is taken: it has an open slot, but not the two each waiting task needs.
    await execSql(ds, `INSERT INTO slot_pool (pool, slots, description) VALUES ('two', 2, '')`);
    await dagOfOneTask(ds, 'a', 'wide');
    await instancesOfOneTask(ds, 'a', 'wide', { state: 'running', count: 1, pool: 'two' });
    await instancesOfOneTask(ds, 'a', 'wide', {
      state: 'scheduled',
      count: 200,
      firstMapIndex: 1,
      priority: 10,
      pool: 'two',
      poolSlots: 2,
    });
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 3 }]);
    expect(await queueOnce(ds)).toEqual([
      'b/scheduled-default_pool-0',
      'b/scheduled-default_pool-1',
      'b/scheduled-default_pool-2',
    ]);
  });

  // The limits below are reached within the pass: the rows after them must not fill the wider read.
  // SQLite refuses an expression nested deeper than 1,000 terms: a read naming every open pool with its
  // slots, or leaving out every task at its limit, one term each, failed every loop past that.
  it('queues with more open pools than one read can name with their slots', async () => {
    const ds = db.dataSource;
    const pools = Array.from({ length: 1_100 }, (_, i) => `p${i}`);
    for (const batch of chunk(pools, 200))
      await execSql(
        ds,
        `INSERT INTO slot_pool (pool, slots, description) VALUES ${batch.map(() => "(?, 2, '')").join(', ')}`,
        batch,
      );
    await dagWithRun(ds, 'a', [{ state: 'scheduled', count: 2, pool: 'p1099' }]);
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 1 }]);
    expect(await queueOnce(ds)).toEqual(['a/scheduled-p1099-0', 'a/scheduled-p1099-1', 'b/scheduled-default_pool-0']);
  });

  it('queues while more tasks are at their max_active_tis_per_dag than one read can leave out', async () => {
    const ds = db.dataSource;
    const limited = Array.from({ length: 1_100 }, (_, i) => makeTask(`t${i}`, [], { maxActiveTisPerDag: 1 }));
    await seedDag(ds, makeDag('a', limited, { maxActiveTasks: 2_000 }));
    await execSql(
      ds,
      `INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at)
       VALUES ('a', 'r', ?, 'running', 'manual', ?, ?)`,
      [at0.toISOString(), false, at0.toISOString()],
    );
    // Each task has one try running and one instance waiting (another map index) above b's priority.
    const ROW = "('a', 'r', ?, ?, ?, 1, 'FunctionOperator', 'default_pool', 1, 'default', 10, ?, ?, ?)";
    for (const batch of chunk(limited, 100))
      await execSql(
        ds,
        `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool,
           pool_slots, queue, priority_weight, updated_at, state, held)
         VALUES ${batch.flatMap(() => [ROW, ROW]).join(', ')}`,
        batch.flatMap((t) => [
          ...[t.taskId, 0, 1, at0.toISOString(), 'running', false],
          ...[t.taskId, 1, 0, at0.toISOString(), 'scheduled', false],
        ]),
      );
    await execSql(ds, `UPDATE slot_pool SET slots = 5000 WHERE pool = 'default_pool'`);
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 1 }]);
    expect(await queueOnce(ds, undefined, new MissingPoolWarner(), 5_000)).toEqual(['b/scheduled-default_pool-0']);
  });

  it('fills what a DAG limit reached in the pass refuses, however many tasks it has waiting', async () => {
    const ds = db.dataSource;
    await dagWithRun(ds, 'a', [{ state: 'scheduled', count: 200, priority: 10 }], { maxActiveTasks: 2 });
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 3 }]);
    const queued = await queueOnce(ds);
    expect(queued.filter((k) => k.startsWith('a/'))).toHaveLength(2);
    expect(queued.filter((k) => k.startsWith('b/'))).toHaveLength(3);
  });

  it('fills what a pool or task limit reached in the pass refuses, however many tasks it has waiting', async () => {
    const ds = db.dataSource;
    await execSql(ds, `INSERT INTO slot_pool (pool, slots, description) VALUES ('small', 1, '')`);
    await dagWithRun(ds, 'a', [{ state: 'scheduled', count: 200, priority: 10, pool: 'small' }]);
    await dagOfOneTask(ds, 'c', 'limited', { maxActiveTisPerDag: 1 });
    await instancesOfOneTask(ds, 'c', 'limited', { state: 'scheduled', count: 200, priority: 5 });
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 3 }]);
    const queued = await queueOnce(ds);
    expect(queued.filter((k) => k.startsWith('a/'))).toHaveLength(1);
    expect(queued.filter((k) => k.startsWith('c/'))).toHaveLength(1);
    expect(queued.filter((k) => k.startsWith('b/'))).toHaveLength(3);
  });

  it('leaves held tasks, paused DAGs and dags-test runs to others; a draining DAG still queues', async () => {
    const ds = db.dataSource;
    await dagWithRun(ds, 'held', [{ state: 'scheduled', count: 2, held: true }]);
    await dagWithRun(ds, 'paused', [{ state: 'scheduled', count: 2 }], { paused: true });
    await dagWithRun(ds, 'tested', [{ state: 'scheduled', count: 2 }], { runType: 'test' });
    await dagWithRun(ds, 'draining', [{ state: 'scheduled', count: 1 }], { paused: true, draining: true });
    expect(await queueOnce(ds)).toEqual(['draining/scheduled-default_pool-0']);
  });

  it('queues a dags-test run at its limit once room frees up', async () => {
    const ds = db.dataSource;
    await dagWithRun(
      ds,
      'tested',
      [
        { state: 'running', count: 1 },
        { state: 'scheduled', count: 2 },
      ],
      { maxActiveTasks: 1, runType: 'test', paused: true },
    );
    const onlyRun = { dagId: 'tested', runId: 'r' };
    expect(await queueOnce(ds, onlyRun)).toEqual([]);
    await execSql(ds, `UPDATE task_instance SET state = 'success' WHERE task_id = 'running-default_pool-0'`);
    expect(await queueOnce(ds, onlyRun)).toHaveLength(1);
  });
});

describe('what a queueing pass reads, on SQLite', () => {
  const db = migratedDatabaseForEachTest('sqlite');

  /** The SQL texts better-sqlite3 runs while `work` does. */
  async function statementsOf(ds: DataSource, work: () => Promise<unknown>): Promise<string[]> {
    const connection = (ds.driver as unknown as { databaseConnection: { prepare(sql: string): object } })
      .databaseConnection;
    const statement = Object.getPrototypeOf(connection.prepare('SELECT 1')) as Record<string, unknown>;
    const originals = new Map<string, unknown>();
    const seen: string[] = [];
    for (const method of ['run', 'all', 'get']) {
      const original = statement[method] as (...args: unknown[]) => unknown;
      originals.set(method, original);
      statement[method] = function recorded(this: { source: string }, ...args: unknown[]) {
        seen.push(this.source.replace(/\s+/g, ' '));
        return original.apply(this, args);
      };
    }
    try {
      await work();
    } finally {
      for (const [method, original] of originals) statement[method] = original;
    }
    return seen;
  }

  // Such a pass found nothing by walking every scheduled row, twice (candidates, missing pools).
  it('reads no scheduled task instance row', async () => {
    const ds = db.dataSource;
    await dagAtItsLimit(ds);
    const missingPools = new MissingPoolWarner();
    await queueOnce(ds, undefined, missingPools); // the first pass may look for missing pools, once a minute
    const statements = await statementsOf(ds, () => queueOnce(ds, undefined, missingPools));
    expect(statements.filter((s) => /FROM task_instance ti|SELECT DISTINCT pool/.test(s))).toEqual([]);
    expect(statements.length).toBeGreaterThan(0);
  });

  // Such a pass walks the task's waiting rows in its candidate read; it need not walk them again.
  it('looks for missing pools once a minute while only tasks it leaves out wait', async () => {
    const ds = db.dataSource;
    await dagOfOneTask(ds, 'a', 'limited', { maxActiveTisPerDag: 1 });
    await instancesOfOneTask(ds, 'a', 'limited', { state: 'running', count: 1 });
    await instancesOfOneTask(ds, 'a', 'limited', { state: 'scheduled', count: 3, firstMapIndex: 1 });
    const missingPools = new MissingPoolWarner();
    expect(await queueOnce(ds, undefined, missingPools)).toEqual([]);
    const statements = await statementsOf(ds, () => queueOnce(ds, undefined, missingPools));
    expect(statements.filter((s) => /SELECT DISTINCT pool/.test(s))).toEqual([]);
  });

  const candidateReads = (statements: string[]): string[] => statements.filter((s) => /FROM task_instance ti /.test(s));

  it('reads the candidates once when none is refused, with no count of its own for a limited task', async () => {
    const ds = db.dataSource;
    await dagOfOneTask(ds, 'a', 'limited', { maxActiveTisPerDag: 5 });
    await instancesOfOneTask(ds, 'a', 'limited', { state: 'running', count: 1 });
    await instancesOfOneTask(ds, 'a', 'limited', { state: 'scheduled', count: 2, firstMapIndex: 1, priority: 10 });
    await dagWithRun(ds, 'b', [{ state: 'scheduled', count: 3 }]);
    let queued: string[] = [];
    const statements = await statementsOf(ds, async () => {
      queued = await queueOnce(ds);
    });
    expect(queued).toHaveLength(5);
    expect(candidateReads(statements)).toHaveLength(1);
    expect(statements.filter((s) => /SELECT COUNT\(\*\) AS n FROM task_instance WHERE dag_id/.test(s))).toEqual([]);
  });

  // Each DAG reaches its limit with its first task, its other tasks filling the read that found it.
  it('makes a bounded number of reads in a pass where limits are reached one after another', async () => {
    const ds = db.dataSource;
    const dags = Array.from({ length: MAX_READS_PER_PASS + 2 }, (_, i) => `d${i}`);
    for (const [i, dagId] of dags.entries()) {
      await dagOfOneTask(ds, dagId, 't', {}, { maxActiveTasks: 1 });
      await instancesOfOneTask(ds, dagId, 't', { state: 'scheduled', count: 130, priority: 100 - i });
    }
    let queued: string[] = [];
    const statements = await statementsOf(ds, async () => {
      queued = await queueOnce(ds);
    });
    expect(candidateReads(statements)).toHaveLength(MAX_READS_PER_PASS);
    expect(queued).toEqual(dags.slice(0, MAX_READS_PER_PASS).map((d) => `${d}/t`));
    // The next pass leaves out the DAGs now at their limit and goes on with the others.
    expect(await queueOnce(ds)).toEqual(dags.slice(MAX_READS_PER_PASS).map((d) => `${d}/t`));
  });
});
