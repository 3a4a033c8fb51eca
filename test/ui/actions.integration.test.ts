import request from 'supertest';
import { DagEntity, DagRunEntity, TaskInstanceEntity } from '../../src/db/entities';
import { OP, uiTestAppFor, VIEWER, csrfFor, makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

const OP_CSRF = csrfFor('otto');

describe('UI actions', () => {
  const t = uiTestAppFor('each');

  beforeEach(async () => {
    const dag = makeDag('etl', [makeTask('extract'), makeTask('transform'), makeTask('load')], {
      params: {
        size: 3,
        mode: { value: 'full', type: 'string', description: 'how much' },
        note: '<script>alert("param")</script>',
      },
    });
    await seedDag(t.ds, dag);
    await seedRun(t.ds, 'etl', 'run_1', 'failed', '2026-02-28T12:00:00.000Z');
    await seedTi(t.ds, 'etl', 'run_1', 'extract', 'success');
    await seedTi(t.ds, 'etl', 'run_1', 'transform', 'failed');
    await seedTi(t.ds, 'etl', 'run_1', 'load', 'upstream_failed');
  });

  const post = (url: string, fields: Record<string, string>, user = OP) =>
    request(t.app).post(url).set('x-test-user', user).type('form').send(fields);
  const runCount = () => t.ds.getRepository(DagRunEntity).countBy({ dagId: 'etl' });
  const tiState = async (taskId: string) =>
    (await t.ds.getRepository(TaskInstanceEntity).findOneByOrFail({ dagId: 'etl', runId: 'run_1', taskId })).state;

  it('shows the trigger form with conf prefilled from params, escaped; viewers get 403', async () => {
    const form = await request(t.app).get('/dags/etl/trigger').set('x-test-user', OP);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="param:size" value="3"');
    expect(form.text).toContain('name="param:mode" value="full"');
    expect(form.text).toContain('how much');
    expect(form.text).not.toContain('<script>alert("param")');
    expect(form.text).toContain(`name="_csrf" value="${OP_CSRF}"`);
    expect((await request(t.app).get('/dags/etl/trigger').set('x-test-user', VIEWER)).status).toBe(403);
  });

  it('triggers a run with conf and redirects to the grid showing it', async () => {
    const res = await post('/dags/etl/trigger', { _csrf: OP_CSRF, conf: '{"size": 5, "who": "<b>x</b>"}', run_id: '' });
    expect(res.status).toBe(303);
    const run = await t.ds
      .getRepository(DagRunEntity)
      .findOneByOrFail({ dagId: 'etl', runType: 'manual', state: 'queued' });
    expect(run.conf).toEqual({ size: 5, who: '<b>x</b>' });
    expect(res.headers.location).toBe(`/dags/etl/grid?run_id=${encodeURIComponent(run.runId)}&notice=triggered`);
    const grid = await request(t.app).get(res.headers.location).set('x-test-user', OP);
    expect(grid.text).toContain('DAG run triggered.');
    expect(grid.text).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(grid.text).not.toContain('<b>x</b>');
  });

  it('re-shows the trigger form with the reason on bad conf or a taken run id', async () => {
    const bad = await post('/dags/etl/trigger', { _csrf: OP_CSRF, conf: '{not json', run_id: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('conf is not valid JSON');
    expect(bad.text).toContain('{not json');
    const array = await post('/dags/etl/trigger', { _csrf: OP_CSRF, conf: '[1]', run_id: '' });
    expect(array.status).toBe(400);
    expect(array.text).toContain('conf must be a JSON object');
    const taken = await post('/dags/etl/trigger', { _csrf: OP_CSRF, conf: '{}', run_id: 'run_1' });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('already has a run with id');
    expect(await runCount()).toBe(1);
  });

  it('refuses viewers (403) and requests without the CSRF token (403) for every action', async () => {
    const actions: Array<[string, Record<string, string>]> = [
      ['/dags/etl/trigger', { conf: '{}' }],
      ['/dags/etl/pause', { paused: 'true', confirmed: 'yes' }],
      ['/dags/etl/delete', { confirmed: 'yes' }],
      ['/dags/etl/runs/run_1/tasks/transform/clear', { confirmed: 'yes' }],
      ['/dags/etl/runs/run_1/tasks/transform/mark', { state: 'success', confirmed: 'yes' }],
      ['/dags/etl/runs/run_1/mark', { state: 'success', confirmed: 'yes' }],
    ];
    for (const [url, fields] of actions) {
      expect((await post(url, { ...fields, _csrf: csrfFor('vera') }, VIEWER)).status).toBe(403);
      const noToken = await post(url, fields);
      expect(noToken.status).toBe(403);
      expect(noToken.text).toContain('CSRF');
      expect((await post(url, { ...fields, _csrf: 'forged' })).status).toBe(403);
      // anonymous: sent to the login page
      expect((await request(t.app).post(url).type('form').send(fields)).status).toBe(302);
    }
    expect(await runCount()).toBe(1);
    expect((await t.ds.getRepository(DagEntity).findOneByOrFail({ dagId: 'etl' })).isPaused).toBe(false);
    expect(await tiState('transform')).toBe('failed');
  });

  it('pauses only after the confirmation step, then returns where it came from', async () => {
    const ask = await post('/dags/etl/pause', { _csrf: OP_CSRF, paused: 'true', next: '/' });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Pause DAG');
    expect(ask.text).toContain('name="confirmed" value="yes"');
    expect(ask.text).toContain('name="paused" value="true"');
    expect((await t.ds.getRepository(DagEntity).findOneByOrFail({ dagId: 'etl' })).isPaused).toBe(false);

    const done = await post('/dags/etl/pause', { _csrf: OP_CSRF, paused: 'true', next: '/', confirmed: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/?notice=paused');
    expect((await t.ds.getRepository(DagEntity).findOneByOrFail({ dagId: 'etl' })).isPaused).toBe(true);

    const offsite = await post('/dags/etl/pause', {
      _csrf: OP_CSRF,
      paused: 'false',
      next: '//evil.example.com',
      confirmed: 'yes',
    });
    expect(offsite.headers.location).toBe('/dags/etl/grid?notice=unpaused');
    expect((await t.ds.getRepository(DagEntity).findOneByOrFail({ dagId: 'etl' })).isPaused).toBe(false);
  });

  it('clears a task with its downstream after listing what will be cleared', async () => {
    const ask = await post('/dags/etl/runs/run_1/tasks/transform/clear', { _csrf: OP_CSRF, downstream: 'true' });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Clear 2 task instance(s) (with downstream)');
    expect(ask.text).toContain('transform · run_1 · failed');
    expect(ask.text).toContain('load · run_1 · upstream_failed');
    expect(await tiState('transform')).toBe('failed');

    const done = await post('/dags/etl/runs/run_1/tasks/transform/clear', {
      _csrf: OP_CSRF,
      downstream: 'true',
      confirmed: 'yes',
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/dags/etl/runs/run_1/tasks/transform?notice=cleared');
    expect(await tiState('transform')).toBeNull();
    expect(await tiState('load')).toBeNull();
    expect(await tiState('extract')).toBe('success');
    expect((await t.ds.getRepository(DagRunEntity).findOneByOrFail({ dagId: 'etl', runId: 'run_1' })).state).toBe(
      'queued',
    );
  });

  it('clears only the task itself without the downstream option', async () => {
    await post('/dags/etl/runs/run_1/tasks/transform/clear', { _csrf: OP_CSRF, confirmed: 'yes' });
    expect(await tiState('transform')).toBeNull();
    expect(await tiState('load')).toBe('upstream_failed');
  });

  it('marks a task instance and a run after confirmation; refuses unknown states', async () => {
    const ask = await post('/dags/etl/runs/run_1/tasks/transform/mark', { _csrf: OP_CSRF, state: 'success' });
    expect(ask.text).toContain('Mark 1 task instance(s) as success?');
    await post('/dags/etl/runs/run_1/tasks/transform/mark', { _csrf: OP_CSRF, state: 'success', confirmed: 'yes' });
    expect(await tiState('transform')).toBe('success');

    const bad = await post('/dags/etl/runs/run_1/tasks/transform/mark', {
      _csrf: OP_CSRF,
      state: 'running',
      confirmed: 'yes',
    });
    expect(bad.status).toBe(400);

    const run = await post('/dags/etl/runs/run_1/mark', { _csrf: OP_CSRF, state: 'success', confirmed: 'yes' });
    expect(run.status).toBe(303);
    expect(run.headers.location).toBe('/dags/etl/grid?run_id=run_1&notice=marked');
    expect((await t.ds.getRepository(DagRunEntity).findOneByOrFail({ dagId: 'etl', runId: 'run_1' })).state).toBe(
      'success',
    );
    // finished task instances keep their state; only unfinished ones would be marked
    expect(await tiState('load')).toBe('upstream_failed');
  });

  it('deletes a DAG after confirmation', async () => {
    const ask = await post('/dags/etl/delete', { _csrf: OP_CSRF });
    expect(ask.text).toContain('Delete DAG');
    expect(ask.text).toContain('class="button danger" id="confirm-button"');
    expect(await t.ds.getRepository(DagEntity).countBy({ dagId: 'etl' })).toBe(1);
    const done = await post('/dags/etl/delete', { _csrf: OP_CSRF, confirmed: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/?notice=deleted');
    expect(await t.ds.getRepository(DagEntity).countBy({ dagId: 'etl' })).toBe(0);
    expect(await runCount()).toBe(0);
    expect((await request(t.app).get('/dags/etl/grid').set('x-test-user', OP)).status).toBe(404);
  });

  it('answers 404 for actions on unknown DAGs', async () => {
    expect((await post('/dags/nope/pause', { _csrf: OP_CSRF, paused: 'true' })).status).toBe(404);
    expect((await post('/dags/nope/trigger', { _csrf: OP_CSRF, conf: '{}' })).status).toBe(404);
  });
});
