import request from 'supertest';
import { createApiTestApp } from '/work/main/test/api/helpers/api-test-app';
import { seedExample } from '/work/main/test/api/helpers/seed-example';

it('smoke', async () => {
  const t = await createApiTestApp('sqlite');
  await seedExample(t.ds, t.ctx.config.logging.base_log_folder);
  for (const url of ['/api/v1/dags', '/api/v1/dags/example_dag/details', '/api/v1/dags/example_dag/tasks', '/api/v1/dags/example_dag/dagRuns', '/api/v1/dags/example_dag/dagRuns/run_1/taskInstances', '/api/v1/pools', '/api/v1/connections/db1', '/api/v1/health', '/metrics', '/api/v1/dags/example_dag/dagRuns/run_1/taskInstances/extract/logs/1']) {
    const res = await request(t.app).get(url).set('Authorization', t.basic('admin'));
    console.log(url, res.status, res.text.slice(0, 400));
  }
  await t.close();
});
