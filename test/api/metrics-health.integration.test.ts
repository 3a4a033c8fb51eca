import { Gauge, Histogram, Registry } from 'prom-client';
import request from 'supertest';
import { execSql } from '../../src/db/sql';
import { observeSchedulerLoop } from '../../src/metrics';
import { startWebServer } from '../../src/web/server';
import { metricsApi } from './helpers/metrics-api';
import { validatorFromServedDocument } from './helpers/openapi-validator';

const api = metricsApi();

function metricValue(text: string, name: string): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(name + ' ') || (l.startsWith(name + '{') && l.includes(name.includes('{') ? '' : '}')));
  if (!line) throw new Error(`metric ${name} not found`);
  return Number(line.split(' ').pop());
}

describe('/metrics', () => {
  it('requires authentication', async () => {
    expect((await request(api.t.app).get('/metrics')).status).toBe(401);
  });

  it('reports task instances by state, queue counts, open slots, import errors, runs, durations, loops', async () => {
    observeSchedulerLoop(0.02);
    // Durations count task instances that finished within the last hour of the first scrape.
    await execSql(api.t.ds, "UPDATE task_instance SET end_date = '2026-01-03T00:20:00.000Z' WHERE run_id = 'run_1'");
    const res = await request(api.t.app).get('/metrics').set('Authorization', api.t.basic('viewer')).expect(200);
    expect(res.type).toBe('text/plain');
    const text = res.text;
    expect(metricValue(text, 'dagctl_task_instances{state="success"}')).toBe(4);
    expect(metricValue(text, 'dagctl_task_instances{state="none"}')).toBe(2);
    expect(metricValue(text, 'dagctl_task_instances{state="running"}')).toBe(1);
    expect(metricValue(text, 'dagctl_running_tasks')).toBe(1);
    expect(metricValue(text, 'dagctl_queued_tasks')).toBe(0);
    expect(metricValue(text, 'dagctl_executor_open_slots')).toBe(31);
    expect(metricValue(text, 'dagctl_import_errors')).toBe(1);
    expect(metricValue(text, 'dagctl_dag_runs{state="failed"}')).toBe(1);
    expect(metricValue(text, 'dagctl_dags{paused="true"}')).toBe(1);
    expect(metricValue(text, 'dagctl_task_duration_seconds_count{state="success"}')).toBe(3);
    expect(metricValue(text, 'dagctl_scheduler_heartbeat_age_seconds')).toBe(-1);
    expect(metricValue(text, 'dagctl_scheduler_loop_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('dagctl_dag_processing_duration_seconds');
    expect(text).toContain('dagctl_http_request_duration_seconds');
    // A second scrape does not count the same task instances twice.
    expect(metricValue(await api.scrape(), 'dagctl_task_duration_seconds_count{state="success"}')).toBe(3);
  });
});

describe('/metrics across processes', () => {
  it('adds up the loop metrics every running scheduler published with its heartbeat', async () => {
    const before = metricValue(await api.scrape(), 'dagctl_scheduler_loop_duration_seconds_count');
    const other = new Registry();
    const loop = new Histogram({
      name: 'dagctl_scheduler_loop_duration_seconds',
      help: 'x',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [other],
    });
    for (let i = 0; i < 5; i++) loop.observe(0.003);
    new Gauge({ name: 'dagctl_scheduler_executor_open_slots', help: 'x', registers: [other] }).set(7);
    await execSql(
      api.t.ds,
      `INSERT INTO job (job_type, state, hostname, pid, latest_heartbeat, metrics)
       VALUES ('SchedulerJob', 'running', 'elsewhere', 1, ?, ?)`,
      [new Date().toISOString(), JSON.stringify(await other.getMetricsAsJSON())],
    );
    try {
      const text = await api.scrape();
      expect(metricValue(text, 'dagctl_scheduler_loop_duration_seconds_count')).toBe(before + 5);
      expect(metricValue(text, 'dagctl_scheduler_executor_open_slots')).toBe(7);
    } finally {
      await execSql(api.t.ds, "DELETE FROM job WHERE hostname = 'elsewhere'");
    }
  });
});

describe('/health', () => {
  it('is public at /health and /api/v1/health and follows the scheduler heartbeat', async () => {
    const validator = await validatorFromServedDocument(api.t.app, api.t.basic('viewer'));
    const before = await request(api.t.app).get('/health').expect(200);
    validator.validate('get', '/health', 200, before.body);
    expect(before.body).toEqual({
      metadatabase: { status: 'healthy' },
      scheduler: { status: 'unhealthy', latest_scheduler_heartbeat: null },
      triggerer: { status: null, latest_triggerer_heartbeat: null },
    });
    await execSql(
      api.t.ds,
      "INSERT INTO job (job_type, state, latest_heartbeat, start_date) VALUES ('SchedulerJob', 'running', ?, ?)",
      ['2026-01-03T00:29:50.000Z', '2026-01-03T00:00:00.000Z'],
    );
    const healthy = await request(api.t.app).get('/api/v1/health').expect(200);
    validator.validate('get', '/health', 200, healthy.body);
    expect(healthy.body.scheduler).toEqual({
      status: 'healthy',
      latest_scheduler_heartbeat: '2026-01-03T00:29:50.000Z',
    });
    api.clock.advance('31s');
    expect((await request(api.t.app).get('/health')).body.scheduler.status).toBe('unhealthy');
  });
});

describe('startWebServer', () => {
  it('listens on 127.0.0.1 by default (here on a free port) and closes cleanly', async () => {
    const server = await startWebServer(api.t.ctx, { port: 0, ui: false });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { metadatabase: { status: string } }).metadatabase.status).toBe('healthy');
    } finally {
      await server.close();
    }
  });
});
