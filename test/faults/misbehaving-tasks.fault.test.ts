import { execSql } from '../../src/db/sql';
import { CLEAN, FaultCluster } from './harness/fault-cluster';
import { plainTasks, workloadDag } from './harness/workload';

/**
 * Tasks that misbehave, beside a plain workload on the same scheduler (local executor, SQLite):
 * ignoring SIGTERM past their execution timeout, flooding stdout, eating memory. Each is stopped
 * or fails on its own; nothing else is lost, and nothing of theirs stays alive.
 */
const IGNORE_TERM_BASH = 'trap "" TERM; sleep 60 & echo "child $K $T $! $(now)" >> "$E"; wait; wait; wait';
const IGNORE_TERM_JS = "process.on('SIGTERM', () => undefined); await sleep(60_000);";
const FLOOD_BASH = "head -c 40000000 /dev/zero | tr '\\\\0' x; echo";
const FLOOD_JS = "const line = 'y'.repeat(1023); for (let i = 0; i < 20_000; i += 1) console.log(line);";
const HOG_JS = 'const kept = []; for (;;) { kept.push(Buffer.alloc(8 << 20, 1).toString()); await sleep(1); }';

const DAGS = {
  'plain.ts': workloadDag('plain', plainTasks(2)),
  'ignore_term.ts': workloadDag('ignore_term', [
    { taskId: 'bash', kind: 'bash', body: IGNORE_TERM_BASH, retries: 1, options: "executionTimeout: '2s'," },
    { taskId: 'js', kind: 'js', body: IGNORE_TERM_JS, retries: 1, options: "executionTimeout: '2s'," },
  ]),
  'flood.ts': workloadDag('flood', [
    { taskId: 'bash', kind: 'bash', body: FLOOD_BASH },
    { taskId: 'js', kind: 'js', body: FLOOD_JS },
  ]),
  'hog.ts': workloadDag('hog', [{ taskId: 'js', kind: 'js', body: HOG_JS, retries: 1 }]),
};

describe('fault: misbehaving tasks', () => {
  jest.setTimeout(300_000);
  const cluster = new FaultCluster({
    database: 'sqlite',
    executor: 'local',
    dags: DAGS,
    env: {
      // The memory hog dies at a small heap instead of taking the machine's memory.
      NODE_OPTIONS: '--max-old-space-size=192',
      DAGCTL__LOGGING__TASK_LOG_MAX_BYTES: String(1 << 20),
    },
  });

  beforeAll(async () => {
    await cluster.setUp();
    cluster.startScheduler();
    await cluster.waitForDags();
    await cluster.triggerAll(1);
    await cluster.waitForRunsFinal(240_000);
  });

  afterAll(() => cluster.tearDown());

  const endReasons = async (dagId: string): Promise<string[]> => {
    const { records } = await execSql<{ end_reason: string | null }>(
      cluster.ctx.dataSource,
      `SELECT end_reason FROM task_instance_history WHERE dag_id = ?
       UNION ALL SELECT end_reason FROM task_instance WHERE dag_id = ?`,
      [dagId, dagId],
    );
    return records.map((r) => r.end_reason ?? '');
  };

  it('a task ignoring SIGTERM is killed on its execution timeout, every try', async () => {
    const figures = await cluster.check(
      {
        scenario: 'a task ignoring SIGTERM (local, SQLite)',
        injected: 'bash and JS tasks that ignore SIGTERM, execution timeout 2 s, retries 1',
        workload: '1 run × 2 stubborn tasks beside 1 run × 4 plain tasks',
      },
      { runStates: { ignore_term: 'failed' } },
      ['ignore_term', 'plain'],
    );
    expect(figures).toMatchObject({ ...CLEAN, integrity: 'ok' });
    const reasons = await endReasons('ignore_term');
    expect(reasons.length).toBeGreaterThanOrEqual(4);
    for (const reason of reasons) expect(reason).toMatch(/^execution timeout after 2s/);
  });

  it('a task flooding stdout finishes, its log cut off, the scheduler unaffected', async () => {
    const figures = await cluster.check(
      {
        scenario: 'a task flooding stdout (local, SQLite)',
        injected: 'a bash task writing 40 MB and a JS task 20 MB to stdout (task logs capped at 1 MiB)',
        workload: '1 run × 2 flooding tasks beside 1 run × 4 plain tasks',
      },
      {},
      ['flood', 'plain'],
    );
    expect(figures).toMatchObject({ ...CLEAN, integrity: 'ok' });
  });

  it('a memory hog dies of running out of memory, every try, and nothing else does', async () => {
    const figures = await cluster.check(
      {
        scenario: 'a memory hog (local, SQLite)',
        injected: 'a JS task allocating until its heap (192 MB) is exhausted, retries 1',
        workload: '1 run × 1 hog beside 1 run × 4 plain tasks',
      },
      { runStates: { hog: 'failed' } },
      ['hog', 'plain'],
    );
    expect(figures).toMatchObject({ ...CLEAN, integrity: 'ok' });
    const reasons = await endReasons('hog');
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    for (const reason of reasons) expect(reason).toMatch(/ran out of memory/);
  });
});
