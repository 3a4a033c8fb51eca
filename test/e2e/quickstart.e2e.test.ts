import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { createTestHome, TestHome } from '../helpers/dagctl-home';
import { eventually } from '../helpers/eventually';
import { REPO_ROOT, dagctl, dagctlJson, randomPort, startDagctl, stopProcess } from '../helpers/cli';

type Combo = [kind: 'sqlite' | 'postgres', executor: 'local' | 'sequential'];
const COMBOS: Combo[] = [
  ['sqlite', 'local'],
  ['sqlite', 'sequential'],
  ['postgres', 'local'],
  ['postgres', 'sequential'],
];

interface TiRow {
  task_id: string;
  state: string | null;
  try_number: number;
}

/**
 * The README quickstart, through the CLI: `npm start` (= dagctl standalone) on a fresh
 * DAGCTL_HOME holding the example DAGs, then `dagctl trigger hello_world` ends with both tasks
 * in success.
 */
describe.each(COMBOS)('quickstart through the CLI on %s with the %s executor', (kind, executor) => {
  let db: TestDatabase;
  let home: TestHome;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const port = randomPort();
    home = createTestHome({
      databaseUrl: kind === 'sqlite' ? '' : db.url,
      env: { DAGCTL__CORE__EXECUTOR: executor, DAGCTL__WEBSERVER__PORT: String(port), DAGCTL__LOGGING__LEVEL: 'info' },
    });
    if (kind === 'sqlite') delete home.env.DAGCTL__DATABASE__URL; // the embedded default: $DAGCTL_HOME/dagctl.db
    fs.cpSync(path.join(REPO_ROOT, 'dags'), home.dagsFolder, { recursive: true });
  });

  afterAll(async () => {
    await db?.drop();
    home?.remove();
  });

  it('standalone + trigger hello_world → both tasks succeed, logs written, clean shutdown', async () => {
    const standalone = startDagctl(['standalone'], home.env);
    try {
      await eventually(async () => /ready at http/.test(standalone.output()), {
        what: 'standalone to be ready',
        timeoutMs: 90_000,
        intervalMs: 200,
      });
      await eventually(
        async () => {
          const dags = dagctlJson<Array<{ dag_id: string }>>(['dags', 'list'], home.env);
          return dags.some((d) => d.dag_id === 'hello_world');
        },
        { what: 'hello_world to be parsed', timeoutMs: 60_000, intervalMs: 500 },
      );

      const trigger = dagctl(['trigger', 'hello_world', '-r', 'quickstart_run'], home.env);
      expect(trigger.stderr).toBe('');
      expect(trigger.status).toBe(0);

      const tis = await eventually(
        async () => {
          const rows = dagctlJson<TiRow[]>(['tasks', 'states-for-dag-run', 'hello_world', 'quickstart_run'], home.env);
          expect(rows.map((r) => r.state)).toEqual(['success', 'success']);
          return rows;
        },
        { what: 'both tasks to succeed', timeoutMs: 90_000, intervalMs: 300 },
      );
      expect(tis.map((t) => t.task_id).sort()).toEqual(['dummy_task', 'hello_task']);

      const runs = dagctlJson<Array<{ run_id: string; state: string }>>(
        ['dags', 'list-runs', '-d', 'hello_world'],
        home.env,
      );
      expect(runs.find((r) => r.run_id === 'quickstart_run')?.state).toBe('success');

      const log = path.join(
        home.home,
        'logs',
        'dag_id=hello_world',
        'run_id=quickstart_run',
        'task_id=hello_task',
        'attempt=1.log',
      );
      expect(fs.readFileSync(log, 'utf8')).toMatch(/Starting attempt 1/);
    } finally {
      const code = await stopProcess(standalone.child);
      expect(code === 0 || code === null).toBe(true);
    }
  });
});
