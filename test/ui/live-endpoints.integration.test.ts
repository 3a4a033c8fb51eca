import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { taskLogPath } from '../../src/logging/task-log-path';
import { VIEWER, uiTestAppFor, makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

describe('UI live endpoints', () => {
  const t = uiTestAppFor('all');
  let logFile: string;

  beforeAll(async () => {
    await seedDag(t.ds, makeDag('live', [makeTask('a'), makeTask('b')]));
    await seedRun(t.ds, 'live', 'r1', 'success', '2026-03-01T08:00:00.000Z');
    await seedRun(t.ds, 'live', 'r2', 'running', '2026-03-01T09:00:00.000Z');
    await seedTi(t.ds, 'live', 'r1', 'a', 'success');
    await seedTi(t.ds, 'live', 'r2', 'a', 'running');
    logFile = taskLogPath(t.logDir, { dagId: 'live', runId: 'r2', taskId: 'a', mapIndex: -1 }, 1);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.writeFileSync(logFile, 'line one\n');
  });

  const get = (url: string) => request(t.app).get(url).set('x-test-user', VIEWER);

  it('grid.json returns runs (oldest first) × task states, and follows changes', async () => {
    const first = await get('/ui/dags/live/grid.json');
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body.tasks.map((task: { taskId: string }) => task.taskId)).toEqual(['a', 'b']);
    expect(first.body.runs.map((run: { runId: string }) => run.runId)).toEqual(['r1', 'r2']);
    expect(first.body.runs[1].cells.a).toEqual({ state: 'running', tryNumber: 1, held: false });
    await seedTi(t.ds, 'live', 'r2', 'b', 'queued');
    const second = await get('/ui/dags/live/grid.json?num_runs=1');
    expect(second.body.runs).toHaveLength(1);
    expect(second.body.runs[0].cells.b.state).toBe('queued');
  });

  it('states.json returns the states of the requested run, else of the latest', async () => {
    const latest = await get('/ui/dags/live/states.json');
    expect(latest.body).toEqual({ runId: 'r2', state: 'running', tasks: { a: 'running', b: 'queued' } });
    const r1 = await get('/ui/dags/live/states.json?run_id=r1');
    expect(r1.body).toEqual({ runId: 'r1', state: 'success', tasks: { a: 'success' } });
    expect((await get('/ui/dags/nope/grid.json')).status).toBe(404);
  });

  it('logs: tails from an offset while the attempt runs, then says no more is coming', async () => {
    const base = '/ui/logs?dag_id=live&run_id=r2&task_id=a&try_number=1';
    const first = await get(`${base}&offset=0`);
    expect(first.body).toMatchObject({ content: 'line one\n', offset: 9, more: true, state: 'running' });
    fs.appendFileSync(logFile, 'line two ünïcode\n');
    const second = await get(`${base}&offset=${first.body.offset}`);
    expect(second.body.content).toBe('line two ünïcode\n');
    expect(second.body.offset).toBe(fs.statSync(logFile).size);
    await t.ds.query(
      `UPDATE task_instance SET state = 'success' WHERE dag_id = 'live' AND run_id = 'r2' AND task_id = 'a'`,
    );
    const done = await get(`${base}&offset=${second.body.offset}`);
    expect(done.body).toMatchObject({ content: '', more: false, state: 'success' });
  });

  it('logs: refuses paths outside the log folder and bad parameters', async () => {
    const outside = path.join(t.logDir, '..', 'secret.log');
    fs.writeFileSync(outside, 'TOP SECRET');
    const traversal = await get(
      `/ui/logs?dag_id=live&run_id=${encodeURIComponent('../../..')}` +
        `&task_id=${encodeURIComponent('../../secret')}&try_number=1`,
    );
    expect(traversal.status).toBe(404);
    expect(JSON.stringify(traversal.body)).not.toContain('TOP SECRET');
    // an existing task with a traversing run id reads nothing either
    const viaRun = await get(`/ui/logs?dag_id=live&run_id=${encodeURIComponent('../../../..')}&task_id=a&try_number=1`);
    expect(JSON.stringify(viaRun.body)).not.toContain('TOP SECRET');
    expect((await get('/ui/logs?dag_id=live&run_id=r2&task_id=a')).status).toBe(400);
    expect((await get('/ui/logs?dag_id=nope&run_id=r2&task_id=a&try_number=1')).status).toBe(404);
  });

  it('requires login for the JSON endpoints', async () => {
    expect((await request(t.app).get('/ui/dags/live/grid.json')).status).toBe(302);
    expect((await request(t.app).get('/ui/logs?dag_id=live&run_id=r2&task_id=a&try_number=1')).status).toBe(302);
  });
});
