import request from 'supertest';
import { DagEntity, TaskInstanceEntity } from '../../src/db/entities';
import { OP, uiTestAppFor, VIEWER, csrfFor, makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

const OP_CSRF = csrfFor('otto');

describe('UI: hold and resume a task instance, drain a DAG', () => {
  const t = uiTestAppFor('each');

  beforeEach(async () => {
    await seedDag(t.ds, makeDag('etl', [makeTask('extract'), makeTask('load', { upstream: ['extract'] })]));
    await seedRun(t.ds, 'etl', 'run_1', 'running', '2026-02-28T12:00:00.000Z');
    await seedTi(t.ds, 'etl', 'run_1', 'extract', 'running');
    await seedTi(t.ds, 'etl', 'run_1', 'load', 'scheduled');
  });

  const post = (url: string, fields: Record<string, string>, user = OP) =>
    request(t.app).post(url).set('x-test-user', user).type('form').send(fields);
  const ti = (taskId: string) =>
    t.ds.getRepository(TaskInstanceEntity).findOneByOrFail({ dagId: 'etl', runId: 'run_1', taskId });
  const page = async (url: string, user = OP) => {
    const res = await request(t.app).get(url).set('x-test-user', user);
    expect(res.status).toBe(200);
    return res.text;
  };
  const TI_PAGE = '/dags/etl/runs/run_1/tasks/load';

  it('holds after confirmation, shows the badge, the reason and Resume, then resumes', async () => {
    const before = await page(TI_PAGE);
    expect(before).toContain('action="/dags/etl/runs/run_1/tasks/load/hold"');
    expect(before).not.toContain('class="badge held"');
    // A running task instance offers no hold.
    expect(await page('/dags/etl/runs/run_1/tasks/extract')).not.toContain('/hold"');
    // Viewers see the page without the buttons.
    expect(await page(TI_PAGE, VIEWER)).not.toContain('/hold"');

    const ask = await post(`${TI_PAGE}/hold`, { _csrf: OP_CSRF, reason: '<b>late feed</b>' });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Hold task instance');
    expect(ask.text).toContain('&lt;b&gt;late feed&lt;/b&gt;');
    expect((await ti('load')).held).toBe(false);

    const done = await post(`${TI_PAGE}/hold`, { _csrf: OP_CSRF, reason: '<b>late feed</b>', confirmed: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`${TI_PAGE}?notice=held`);
    expect(await ti('load')).toMatchObject({ held: true, heldBy: 'otto', holdReason: '<b>late feed</b>' });

    const heldPage = await page(done.headers.location);
    expect(heldPage).toContain('class="badge held"');
    expect(heldPage).toContain('by otto: &lt;b&gt;late feed&lt;/b&gt;');
    expect(heldPage).toContain('Task Instance Not Held');
    expect(heldPage).toContain('action="/dags/etl/runs/run_1/tasks/load/resume"');
    expect(await page('/dags/etl/grid')).toContain('state-scheduled held');

    const resumed = await post(`${TI_PAGE}/resume`, { _csrf: OP_CSRF, confirmed: 'yes' });
    expect(resumed.headers.location).toBe(`${TI_PAGE}?notice=resumed`);
    expect((await ti('load')).held).toBe(false);
  });

  it('refuses to hold a running task instance, viewers and requests without CSRF', async () => {
    const running = await post('/dags/etl/runs/run_1/tasks/extract/hold', { _csrf: OP_CSRF, confirmed: 'yes' });
    expect(running.status).toBe(400);
    expect(running.text).toContain('is running: only a task instance not queued yet');
    for (const action of ['hold', 'resume']) {
      const url = `${TI_PAGE}/${action}`;
      expect((await post(url, { _csrf: csrfFor('vera'), confirmed: 'yes' }, VIEWER)).status).toBe(403);
      expect((await post(url, { confirmed: 'yes' })).status).toBe(403);
    }
    expect((await ti('load')).held).toBe(false);
  });

  it('drains a DAG after confirmation and shows the draining badge', async () => {
    expect(await page('/dags/etl/grid')).toContain('class="inline drain-form"');
    const ask = await post('/dags/etl/pause', { _csrf: OP_CSRF, paused: 'true', drain: 'true', next: '/' });
    expect(ask.text).toContain('Drain DAG');
    const done = await post('/dags/etl/pause', {
      _csrf: OP_CSRF,
      paused: 'true',
      drain: 'true',
      next: '/',
      confirmed: 'yes',
    });
    expect(done.headers.location).toBe('/?notice=draining');
    expect(await t.ds.getRepository(DagEntity).findOneByOrFail({ dagId: 'etl' })).toMatchObject({
      isPaused: true,
      isDraining: true,
    });
    expect(await page('/')).toContain('class="badge draining"');
    expect(await page('/dags/etl/grid')).toContain('class="badge draining"');
  });
});
