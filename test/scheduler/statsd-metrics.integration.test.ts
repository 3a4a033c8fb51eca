import dgram from 'node:dgram';
import { execSql } from '../../src/db/sql';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { engineHarness } from '../helpers/engine-harness';
import { eventually } from '../helpers/eventually';
import { waitForRun } from '../helpers/run-queries';

const DAGS: Record<string, string> = {
  'good.ts': `
import { DAG, EmptyOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('statsd_good', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
// An EmptyOperator never reaches an executor (the scheduler marks it, as Airflow's does): the
// FunctionOperator is the try that counts as a success.
new FunctionOperator({ taskId: 'works', fn: () => 1, dag }).setDownstream(new EmptyOperator({ taskId: 'ok', dag }));
export default dag;
`,
  'bad.ts': `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('statsd_bad', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({ taskId: 'boom', fn: () => { throw new Error('task boom'); }, dag });
export default dag;
`,
};

/**
 * A real scheduler (local executor, SQLite) with `metrics.statsd_on`, sending to a StatsD
 * listener this test opens (a UDP socket): Airflow's dotted names arrive with Airflow's prefix.
 */
describe('StatsD metrics from the scheduler', () => {
  jest.setTimeout(240_000);
  let listener: dgram.Socket;
  const received: string[] = [];
  let port = 0;

  // Before the engine's set-up, which gives the scheduler this port.
  beforeAll(async () => {
    listener = dgram.createSocket('udp4');
    // A StatsD datagram holds one or more `name:value|type` lines.
    listener.on('message', (msg) => received.push(...msg.toString('utf8').split('\n').filter(Boolean)));
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
    port = listener.address().port;
  });

  const engine = engineHarness({
    kind: 'sqlite',
    env: () => ({
      DAGCTL__CORE__EXECUTOR: 'local',
      DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms',
      DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '1s',
      DAGCTL__METRICS__STATSD_ON: 'true',
      DAGCTL__METRICS__STATSD_HOST: '127.0.0.1',
      DAGCTL__METRICS__STATSD_PORT: String(port),
    }),
    dags: DAGS,
  });

  // Declared after the engine's, so it runs after the scheduler has stopped sending.
  afterAll(async () => {
    await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
  });

  const arrived = (pattern: RegExp, what: string): Promise<string> =>
    eventually(
      () => {
        const line = received.find((l) => pattern.test(l));
        if (!line)
          throw new Error(`no ${what} among ${received.length} StatsD lines: ${received.slice(-20).join(' ')}`);
        return line;
      },
      { what, timeoutMs: 60_000, intervalMs: 100 },
    );

  it("receives Airflow's names for tries, task and run durations, heartbeats, executor, pools, parsing", async () => {
    const ok = await triggerDagRun(engine.ctx, { dagId: 'statsd_good' });
    const ko = await triggerDagRun(engine.ctx, { dagId: 'statsd_bad' });
    expect(await waitForRun(engine.ctx, 'statsd_good', ok.runId)).toBe('success');
    expect(await waitForRun(engine.ctx, 'statsd_bad', ko.runId)).toBe('failed');

    await arrived(/^airflow\.ti_successes:1\|c$/, 'airflow.ti_successes');
    await arrived(/^airflow\.ti_failures:1\|c$/, 'airflow.ti_failures');
    // Airflow's task timer, for every try's end (success and failure alike).
    await arrived(/^airflow\.dag\.statsd_good\.works\.duration:\d+(\.\d+)?\|ms$/, 'dag.statsd_good.works.duration');
    await arrived(/^airflow\.dag\.statsd_bad\.boom\.duration:\d+(\.\d+)?\|ms$/, 'dag.statsd_bad.boom.duration');
    await arrived(/^airflow\.dagrun\.duration\.success\.statsd_good:\d+(\.\d+)?\|ms$/, 'dagrun.duration.success');
    await arrived(/^airflow\.dagrun\.duration\.failed\.statsd_bad:\d+(\.\d+)?\|ms$/, 'dagrun.duration.failed');
    await arrived(/^airflow\.task_instance_created-EmptyOperator:1\|c$/, 'task_instance_created-EmptyOperator');
    await arrived(/^airflow\.scheduler_heartbeat:1\|c$/, 'airflow.scheduler_heartbeat');
    await arrived(/^airflow\.executor\.open_slots:\d+\|g$/, 'executor.open_slots');
    await arrived(/^airflow\.executor\.queued_tasks:\d+\|g$/, 'executor.queued_tasks');
    await arrived(/^airflow\.executor\.running_tasks:\d+\|g$/, 'executor.running_tasks');
    await arrived(/^airflow\.pool\.open_slots\.default_pool:\d+\|g$/, 'pool.open_slots.default_pool');
    await arrived(/^airflow\.dag_processing\.total_parse_time:\d+(\.\d+)?\|g$/, 'dag_processing.total_parse_time');
    await arrived(/^airflow\.dagbag_size:2\|g$/, 'dagbag_size');
    await arrived(/^airflow\.dag_processing\.import_errors:0\|g$/, 'dag_processing.import_errors');
    // The EmptyOperator never ran a try (the scheduler marked it): it has no duration, as in Airflow.
    expect(received.filter((l) => l.startsWith('airflow.dag.statsd_good.ok.'))).toEqual([]);
  });

  it('publishes the same in its job row with the heartbeat, for /metrics (a small registry: every beat)', async () => {
    const published = (): Promise<string> =>
      eventually(
        async () => {
          const { records } = await execSql<{ metrics: string | null }>(
            engine.ctx.dataSource,
            "SELECT metrics FROM job WHERE job_type = 'SchedulerJob' AND state = 'running'",
          );
          const text = records[0]?.metrics ?? '';
          if (!text.includes('"task_id":"works"')) throw new Error('no airflow_task_duration series for works yet');
          return text;
        },
        { what: 'the task duration summary in the job row', timeoutMs: 60_000, intervalMs: 100 },
      );
    const first = await published();
    const durations = (JSON.parse(first) as Array<{ name: string }>).find((m) => m.name === 'airflow_task_duration');
    expect(durations).toBeDefined();
    // Cheap to publish, so the next beats publish again (heartbeat_interval 1s): the heartbeat count moves.
    const beats = (text: string): number =>
      (JSON.parse(text) as Array<{ name: string; values: Array<{ value: number }> }>).find(
        (m) => m.name === 'airflow_scheduler_heartbeat',
      )?.values[0]?.value ?? 0;
    await eventually(
      async () => {
        const now = await published();
        if (beats(now) <= beats(first)) throw new Error(`heartbeats published: still ${beats(now)}`);
      },
      { what: 'a later heartbeat publishing again', timeoutMs: 30_000, intervalMs: 200 },
    );
  });
});
