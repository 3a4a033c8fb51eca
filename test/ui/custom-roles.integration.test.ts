import request from 'supertest';
import { DagRunEntity } from '../../src/db/entities';
import { createRole } from '../../src/services/roles';
import { OP, csrfFor, makeDag, makeTask, seedDag, seedRun, uiTestAppFor } from './helpers/ui-fixtures';

/** A custom role that may read DAGs and runs and change nothing. */
const READER = 'rita:Readers';
const READ_ONLY = ['DAGs', 'DAG Runs', 'Task Instances', 'Task Logs', 'Pools'].map((resource) => ({
  action: 'can_read',
  resource,
}));

describe('UI with a custom role', () => {
  const t = uiTestAppFor('each');

  beforeEach(async () => {
    await seedDag(t.ds, makeDag('etl', [makeTask('extract')]));
    await seedRun(t.ds, 'etl', 'run_1', 'success', '2026-02-28T12:00:00.000Z');
    await createRole(t.ctx, { name: 'Readers', permissions: READ_ONLY });
  });

  const get = (url: string, user: string) => request(t.app).get(url).set('x-test-user', user);
  const runCount = () => t.ds.getRepository(DagRunEntity).countBy({ dagId: 'etl' });

  it('a read-only role sees the DAG but no trigger, pause or mark button, and no admin link', async () => {
    for (const url of ['/', '/dags/etl/grid?run_id=run_1']) {
      const page = await get(url, READER);
      expect(page.status).toBe(200);
      expect(page.text).toContain('etl');
      expect(page.text).not.toContain('/dags/etl/trigger');
      expect(page.text).not.toContain('/dags/etl/pause');
      expect(page.text).not.toContain('/runs/run_1/mark');
      expect(page.text).not.toContain('/admin/variables');
      expect(page.text).not.toContain('/admin/users');
    }
    // The same pages show them to op, who holds those permissions.
    expect((await get('/dags/etl/grid?run_id=run_1', OP)).text).toContain('/dags/etl/trigger');
  });

  it('a read-only role gets the 403 page, naming the permission, for the trigger form and a trigger', async () => {
    const form = await get('/dags/etl/trigger', READER);
    expect(form.status).toBe(403);
    expect(form.text).toContain('can_create on DAG Runs');
    const posted = await request(t.app)
      .post('/dags/etl/trigger')
      .set('x-test-user', READER)
      .type('form')
      .send({ _csrf: csrfFor('rita'), conf: '{}' });
    expect(posted.status).toBe(403);
    expect(await runCount()).toBe(1); // run_1 only
    expect((await get('/admin/variables', READER)).status).toBe(403);
  });

  it('a role without can_read on DAGs gets the 403 page for the DAG pages and their live JSON', async () => {
    await createRole(t.ctx, { name: 'LogsOnly', permissions: [{ action: 'can_read', resource: 'Task Logs' }] });
    const user = 'lou:LogsOnly';
    const list = await get('/', user);
    expect(list.status).toBe(403);
    expect(list.text).toContain('can_read on DAGs');
    expect((await get('/dags/etl/grid', user)).status).toBe(403);
    const live = await get('/ui/dags/etl/grid.json', user);
    expect(live.status).toBe(403);
    expect(live.body.error).toContain('can_read on DAGs');
  });

  it('a role given can_create on DAG Runs sees the trigger button and may trigger', async () => {
    await createRole(t.ctx, {
      name: 'Triggerers',
      permissions: [...READ_ONLY, { action: 'can_create', resource: 'DAG Runs' }],
    });
    const user = 'tom:Triggerers';
    expect((await get('/dags/etl/grid', user)).text).toContain('/dags/etl/trigger');
    const posted = await request(t.app)
      .post('/dags/etl/trigger')
      .set('x-test-user', user)
      .type('form')
      .send({ _csrf: csrfFor('tom'), conf: '{}' });
    expect(posted.status).toBe(303);
    expect(await runCount()).toBe(2); // run_1 and the new run
  });
});
