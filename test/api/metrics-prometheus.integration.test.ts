import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { DagViewCache } from '../../src/scheduler/dag-view-cache';
import { processExecutorEvents } from '../../src/scheduler/process-executor-events';
import type { TryEndedMetric } from '../../src/metrics/airflow-stats';
import { metricsApi } from './helpers/metrics-api';

const api = metricsApi();
const { scrape } = api;

/** The sample lines of one metric family (`name` or `name{…}`). */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
}

function expectPromtoolPasses(text: string): void {
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (check.error)
    throw new Error(
      `promtool is not installed (${check.error.message}): it comes with Debian's prometheus package — ` +
        'apt-get install -y prometheus (.ci/run installs it)',
    );
  expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, output: '' });
}

describe('/metrics for Prometheus', () => {
  it('passes `promtool check metrics`', async () => {
    expectPromtoolPasses(await scrape());
  });

  it("serves Airflow's names as the usual statsd-exporter mapping gives them, beside dagctl's", async () => {
    const text = await scrape();
    // From the seeded rows: one import error, one running task, default_pool and another pool.
    const activeDags = ['true', 'false']
      .map((paused) => Number(samples(text, `dagctl_dags{paused="${paused}"}`)[0].split(' ')[1]))
      .reduce((a, b) => a + b);
    expect(activeDags).toBeGreaterThan(0);
    expect(samples(text, 'airflow_dagbag_size')).toEqual([`airflow_dagbag_size ${activeDags}`]);
    expect(samples(text, 'airflow_dag_processing_import_errors')).toEqual(['airflow_dag_processing_import_errors 1']);
    expect(samples(text, 'airflow_executor_running_tasks')).toEqual(['airflow_executor_running_tasks 1']);
    expect(samples(text, 'airflow_executor_queued_tasks')).toEqual(['airflow_executor_queued_tasks 0']);
    expect(samples(text, 'airflow_executor_open_slots')).toEqual(['airflow_executor_open_slots 31']);
    expect(samples(text, 'airflow_pool_open_slots')).toContainEqual(
      expect.stringMatching(/^airflow_pool_open_slots\{pool="default_pool"\} \d+$/),
    );
    expect(samples(text, 'airflow_pool_running_slots')).toContainEqual(
      expect.stringMatching(/^airflow_pool_running_slots\{pool="[^"]+"\} 1$/),
    );
    // Recorded by the scheduler and published with its heartbeat: the families are always there.
    for (const family of [
      'airflow_ti_successes',
      'airflow_ti_failures',
      'airflow_scheduler_heartbeat',
      'airflow_dag_processing_total_parse_time',
      'airflow_dagrun_duration_success',
      'airflow_dagrun_duration_failed',
      'airflow_task_instance_created',
      'airflow_task_duration',
    ])
      expect(text).toContain(`# TYPE ${family} `);
    // The web server's Node process, prefixed.
    expect(samples(text, 'dagctl_web_process_cpu_seconds_total')).toHaveLength(1);
    expect(samples(text, 'dagctl_web_nodejs_heap_size_used_bytes')).toHaveLength(1);
  });

  it('labels a route the same whether it answers 200 or an error', async () => {
    await request(api.t.app).get('/api/v1/dags/example_dag').set('Authorization', api.t.basic('viewer')).expect(200);
    await request(api.t.app).get('/api/v1/dags/no_such_dag').set('Authorization', api.t.basic('viewer')).expect(404);
    await request(api.t.app)
      .patch('/api/v1/dags/example_dag')
      .set('Authorization', api.t.basic('admin'))
      .send({ is_paused: 'x' })
      .expect(400);
    const text = await scrape();
    const counts = samples(text, 'dagctl_http_request_duration_seconds_count').filter((l) => l.includes('dags/'));
    expect(counts).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^[^ ]*method="GET",route="\/api\/v1\/dags\/:dag_id",status="200"\} 1$/),
        expect.stringMatching(/^[^ ]*method="GET",route="\/api\/v1\/dags\/:dag_id",status="404"\} 1$/),
        expect.stringMatching(/^[^ ]*method="PATCH",route="\/api\/v1\/dags\/:dag_id",status="400"\} 1$/),
      ]),
    );
    // No series without the prefix.
    expect(counts.filter((l) => l.includes('route="/dags'))).toEqual([]);
  });
});

describe('airflow_task_duration', () => {
  it("is observed per DAG and task when a try's end is applied, in statsd-exporter's summary shape", async () => {
    const series = '{dag_id="example_dag",task_id="extract"}';
    expect(samples(await scrape(), 'airflow_task_duration_count')).toEqual([]);
    // The seeded running try of run_3's extract started at 00:00; the executor reports its end at 00:30.
    await processExecutorEvents(api.t.ds, new DagViewCache(api.t.ds), [
      {
        type: 'finished',
        key: { dagId: 'example_dag', runId: 'run_3', taskId: 'extract', mapIndex: -1 },
        tryNumber: 1,
        at: '2026-01-03T00:30:00.000Z',
        outcome: { state: 'success' },
      },
    ]);
    const text = await scrape();
    expect(text).toContain('# TYPE airflow_task_duration summary');
    expect(samples(text, 'airflow_task_duration_count')).toEqual([`airflow_task_duration_count${series} 1`]);
    expect(samples(text, 'airflow_task_duration_sum')).toEqual([`airflow_task_duration_sum${series} 1800`]);
    const quantiles = samples(text, 'airflow_task_duration');
    expect(quantiles).toHaveLength(3);
    for (const q of ['0.5', '0.9', '0.99'])
      expect(quantiles).toContainEqual(
        expect.stringMatching(
          new RegExp(`^airflow_task_duration\\{(?=[^}]*quantile="${q}")(?=[^}]*dag_id="example_dag")[^}]*\\} 1800$`),
        ),
      );
    expectPromtoolPasses(text);
  });
});

describe('airflow_task_duration, for a caller who records it', () => {
  const own = metricsApi();

  it('is left to a caller who asks for the ended tries (the loop, once its transaction committed)', async () => {
    const before = samples(await own.scrape(), 'airflow_task_duration_count');
    const ended: TryEndedMetric[] = [];
    await processExecutorEvents(
      own.t.ds,
      new DagViewCache(own.t.ds),
      [
        {
          type: 'finished',
          key: { dagId: 'example_dag', runId: 'run_3', taskId: 'extract', mapIndex: -1 },
          tryNumber: 1,
          at: '2026-01-03T00:30:00.000Z',
          outcome: { state: 'success' },
        },
      ],
      ended,
    );
    expect(ended).toEqual([{ dagId: 'example_dag', taskId: 'extract', state: 'success', durationSeconds: 1800 }]);
    expect(samples(await own.scrape(), 'airflow_task_duration_count')).toEqual(before);
  });
});
